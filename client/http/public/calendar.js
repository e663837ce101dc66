// 年度执法指导 — the official calendar on the board (administrators, `form-calendar`): when the
// State Council publishes a year's holidays after the programme started, the administrator types
// them in as the notice gives them, and POST /api/years/:year/calendar applies them to the running
// programme and its visits. Each workflow's answer (the dates it moved, or why it did not take the
// calendar) is shown under the form. Loaded before app.js and uses its helpers at call time.
/* global FormData, h, api, field, flash, state */
'use strict';

/** One holiday per line: 名称,开始日期,结束日期 (commas full- or half-width; one date = one day). */
function parseHolidays(text) {
  return String(text || '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name, from, to] = l.split(/\s*[,，、]\s*/);
      return { name, from, to: to || from };
    });
}

/** Dates separated by spaces, commas or 顿号. */
const parseDates = (text) =>
  String(text || '')
    .split(/[\s,，、;；]+/)
    .filter(Boolean);

function calendarResults(applied) {
  return h(
    'table',
    { id: 'calendar-results' },
    h('thead', {}, h('tr', {}, h('th', {}, '工作流'), h('th', {}, '结果'))),
    h(
      'tbody',
      {},
      applied.map((a) =>
        h(
          'tr',
          { class: a.error ? 'overdue' : '' },
          h('td', {}, a.workflowId),
          h(
            'td',
            {},
            a.error
              ? `未应用：${a.error}`
              : a.result && a.result.moves.length
                ? h(
                    'ul',
                    {},
                    a.result.moves.map((m) => h('li', {}, `${m.what}：${m.from} → ${m.to}`)),
                  )
                : '已应用，日期无需调整',
          ),
        ),
      ),
    ),
  );
}

/**
 * The form, built once per board page like the programme's forms, so the board's redraws keep
 * what is typed and the last results. Null for anyone but an administrator.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
function calendarForm(year) {
  if (state.me.user.role !== 'admin') return null;
  const results = h('div', { class: 'calendar-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'action no-print', id: 'form-calendar' },
    h('h3', {}, '应用国务院节假日安排'),
    h('p', { class: 'muted' }, '未过的指导日期、整改期限和签收期限按新日历顺延，县区收到通知；已过的日期不变。'),
    field('年度', h('input', { type: 'number', name: 'year', value: year, min: 2000, max: 2100, required: true })),
    field(
      '依据',
      h('input', {
        type: 'text',
        name: 'source',
        required: true,
        placeholder: `国务院办公厅关于${year}年部分节假日安排的通知`,
      }),
    ),
    field(
      '放假安排（每行：名称,开始日期,结束日期）',
      h('textarea', { name: 'holidays', required: true, placeholder: `元旦,${year}-01-01,${year}-01-03` }),
    ),
    field(
      '调休上班日（空格或逗号分隔）',
      h('input', { type: 'text', name: 'workdays', placeholder: `${year}-02-14 ${year}-02-20` }),
    ),
    h('button', { type: 'submit' }, '应用日历'),
    results,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const fd = new FormData(form);
      const y = Number(fd.get('year'));
      const body = {
        year: y,
        source: String(fd.get('source') || '').trim(),
        holidays: parseHolidays(fd.get('holidays')),
        workdays: parseDates(fd.get('workdays')),
      };
      const { result } = await api('POST', `/api/years/${y}/calendar`, body);
      results.replaceChildren(calendarResults(result));
      const refused = result.filter((a) => a.error).length;
      flash(
        `${y} 年节假日安排已应用：${result.length - refused} 个工作流${refused ? `，${refused} 个未应用` : ''}`,
        refused ? 'error' : 'ok',
      );
    } catch (e) {
      flash(e.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
