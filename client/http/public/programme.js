// 年度执法指导 — the programme's forms on the dashboard: schedule changes and the statistics import
// on the board (administrators and supervisors), the programme's incident retry (administrators),
// and voiding a number on the 发文登记 page (administrators). Loaded before app.js and uses its
// helpers (h, api, actionForm, field, state) at call time; the server checks every role again.
/* global FormData, h, api, actionForm, field, state */
'use strict';

/** Roles that may change the year's schedule (the programme workflow allows the same). */
const SCHEDULER_ROLES = ['admin', 'supervisor'];

function countySelect(name, entries) {
  return h(
    'select',
    { name, required: true },
    entries.map((e) => h('option', { value: e.county }, `${e.countyName}（${e.date}）`)),
  );
}

/** One enterprise per line: 编号,名称,行业,重点|一般 (commas full- or half-width). */
function parseRoster(text) {
  return String(text || '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [id, name, industry, tier] = l.split(/[,，]/).map((x) => x.trim());
      return { id, name, industry, tier };
    });
}

/**
 * The board's forms for the caller's role, built once per page (the board redraws itself every few
 * seconds; the same element is put back each time, so what is being typed stays). Null for leaders.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
async function programmeForms(year) {
  const role = state.me.user.role;
  if (!SCHEDULER_ROLES.includes(role)) return null;
  const base = `/api/years/${year}/programme`;
  const p = await api('GET', base);
  const scheduled = p.entries.filter((e) => e.status === 'scheduled');
  const cancellable = p.entries.filter((e) => e.status === 'scheduled' || e.status === 'started');
  const forms = [];
  const open = (p.incidents || []).find((i) => !i.retriedAt);
  if (open && role === 'admin') {
    forms.push(
      actionForm(
        'form-programme-retry',
        `计划故障：排除后重试（${open.id} ${open.what}）`,
        [
          h('p', { class: 'muted' }, `${open.error.type || '错误'}：${open.error.message}`),
          field('处理说明', h('input', { name: 'note', placeholder: '如：模板已修正' })),
        ],
        '重试',
        (fd) =>
          api('POST', `${base}/retry`, { incident: open.id, note: String(fd.get('note') || '').trim() || undefined }),
      ),
    );
  }
  if (scheduled.length) {
    forms.push(
      actionForm(
        'form-reschedule',
        '调整指导日期',
        [
          field('县区', countySelect('county', scheduled)),
          field('新日期', h('input', { type: 'date', name: 'date', required: true })),
          field('理由', h('input', { type: 'text', name: 'reason', required: true })),
        ],
        '改期',
        (fd) =>
          api('POST', `${base}/reschedule`, {
            county: fd.get('county'),
            date: fd.get('date'),
            reason: fd.get('reason'),
          }),
      ),
    );
  }
  if (cancellable.length) {
    forms.push(
      actionForm(
        'form-cancel-visit',
        '取消一个县区的执法指导',
        [
          field('县区', countySelect('county', cancellable)),
          field('理由', h('input', { type: 'text', name: 'reason', required: true })),
        ],
        '取消执法指导',
        (fd) => api('POST', `${base}/cancel`, { county: fd.get('county'), reason: fd.get('reason') }),
      ),
    );
  }
  forms.push(
    actionForm(
      'form-add-county',
      '增加县区',
      [
        field(
          '县区代码',
          h('input', { type: 'text', name: 'code', required: true, placeholder: '小写字母、数字、连字符，如 beishan' }),
        ),
        field('县区名称', h('input', { type: 'text', name: 'name', required: true })),
        field('应急管理局全称', h('input', { type: 'text', name: 'bureauName', required: true })),
        field('收件邮箱（逗号分隔）', h('input', { type: 'text', name: 'emails', required: true })),
        field('联系人', h('input', { type: 'text', name: 'contactName', required: true })),
        field('联系电话', h('input', { type: 'text', name: 'phone', required: true })),
        field('企业名单（每行：编号,名称,行业,重点或一般）', h('textarea', { name: 'enterprises' })),
        field('指导日期（不填则自动安排）', h('input', { type: 'date', name: 'date' })),
        field('理由', h('input', { type: 'text', name: 'reason', required: true })),
      ],
      '增加',
      (fd) =>
        api('POST', `${base}/counties`, {
          county: {
            code: String(fd.get('code')).trim(),
            name: fd.get('name'),
            bureauName: fd.get('bureauName'),
            emails: String(fd.get('emails'))
              .split(/[,，;；\s]+/)
              .filter(Boolean),
            contact: { name: fd.get('contactName'), phone: String(fd.get('phone')).trim() },
            enterprises: parseRoster(fd.get('enterprises')),
          },
          date: fd.get('date') || undefined,
          reason: fd.get('reason'),
        }),
    ),
    actionForm(
      'form-statistics',
      '导入执法统计表',
      [
        field(
          '统计表（CSV 或 XLSX）',
          h('input', { type: 'file', name: 'file', required: true, accept: '.csv,.xlsx' }),
        ),
        field('统计期', h('input', { type: 'text', name: 'period', required: true, placeholder: '如 2027年1—6月' })),
      ],
      '导入',
      (fd) => {
        const body = new FormData();
        body.append('period', fd.get('period'));
        body.append('file', fd.get('file'));
        return api('POST', `${base}/statistics`, body);
      },
    ),
  );
  return h('section', { id: 'programme-forms', class: 'no-print' }, h('h2', {}, '计划办理'), forms);
}

/** 作废 a number no letter carries (administrators); the server checks the case that drew it. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
function voidNumberForm(year, series) {
  if (state.me.user.role !== 'admin') return null;
  return actionForm(
    'form-void-number',
    '作废文号',
    [
      field(
        '文号系列',
        h(
          'select',
          { name: 'series', required: true },
          Object.entries(series).map(([k, label]) => h('option', { value: k }, label)),
        ),
      ),
      field('序号', h('input', { type: 'number', name: 'number', min: 1, required: true })),
      field('作废理由', h('input', { type: 'text', name: 'reason', required: true })),
    ],
    '作废',
    (fd) =>
      api('POST', `/api/years/${year}/numbers/void`, {
        series: fd.get('series'),
        number: Number(fd.get('number')),
        reason: fd.get('reason'),
      }),
  );
}
