// 年度安全生产执法指导 — dashboard. Plain JavaScript, no build step. Every value from the server is
// put into the page as text (never as HTML), and every action goes through the JSON API, which
// checks role and county scope itself: this file only decides what to show.
/* global document, window, location, fetch, FormData, Node, setTimeout, setInterval, clearInterval, programmeForms, voidNumberForm, showInbox, refreshTodoCount, todoCountBadge, receiptsSection, calendarForm, parseRoster */
'use strict';

const state = { me: null, meta: null, timer: null };

// ---- small DOM helpers ------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const $app = () => document.getElementById('app');
function render(...nodes) {
  // Sections may be lists or absent (null): replaceChildren would print those as text.
  $app().replaceChildren(...nodes.flat(Infinity).filter((n) => n !== undefined && n !== null && n !== false));
}
function flash(message, kind = 'error') {
  const box = document.getElementById('flash');
  box.replaceChildren(h('div', { class: `msg ${kind}` }, message));
  if (kind === 'ok') setTimeout(() => box.replaceChildren(), 4000);
}
function clearFlash() {
  document.getElementById('flash').replaceChildren();
}
const fmtTime = (iso) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
/** A person the case records by id, by name (the server's `names`); the id only if nobody named them. */
const nameOf = (v, id) => (v.names && v.names[id]) || id || '';
const fmtSize = (n) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} 字节`;

// ---- API ----------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}
async function api(method, url, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {};
    if (res.status === 401 && url !== '/api/login') {
      state.me = null;
      location.hash = '#/login';
    }
    throw new ApiError(res.status, e.type || 'Error', e.message || `请求失败（${res.status}）`);
  }
  return data;
}

// ---- routing --------------------------------------------------------------------------------
async function route() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login') return showLogin();
  if (!state.me) {
    try {
      state.me = await api('GET', '/api/me');
      state.meta = await api('GET', '/api/meta');
    } catch {
      location.hash = '#/login';
      return;
    }
  }
  renderHeader();
  const me = state.me;
  const year = Number(parts[1]) || me.year;
  // The inbox is every role's start page and counts its own items; other pages refresh the count.
  const inbox = !parts[0] || parts[0] === 'todo';
  if (!inbox) refreshTodoCount();
  try {
    if (inbox) return await showInbox();
    if (parts[0] === 'case' && parts[2]) return await showCase(year, parts[2]);
    if (me.user.role === 'county') return await showCase(year, me.user.county);
    if (parts[0] === 'overdue') return await showOverdue(year);
    if (parts[0] === 'numbers') return await showNumbers(year);
    return await showBoard(year);
  } catch (e) {
    render(h('p', { class: 'muted' }, e.message));
  }
}
window.addEventListener('hashchange', () => {
  clearFlash();
  route();
});
window.addEventListener('DOMContentLoaded', route);

function renderHeader() {
  const me = state.me;
  const nav = document.getElementById('nav');
  const links = [h('a', { href: '#/todo', id: 'nav-todo' }, '待办', todoCountBadge())];
  if (me.user.role !== 'county') {
    links.push(
      h('a', { href: `#/board/${me.year}` }, '计划看板'),
      h('a', { href: `#/overdue/${me.year}` }, '逾期清单'),
    );
    if (me.user.role === 'admin') links.push(h('a', { href: `#/numbers/${me.year}` }, '发文登记'));
    if (me.temporalUi)
      links.push(h('a', { href: me.temporalUi, target: '_blank', rel: 'noopener' }, 'Temporal Web UI'));
  } else {
    links.push(h('a', { href: `#/case/${me.year}/${encodeURIComponent(me.user.county)}` }, '本县区案件'));
  }
  nav.replaceChildren(...links);
  document
    .getElementById('who')
    .replaceChildren(
      me.user.label || me.user.name,
      h('button', { class: 'secondary', type: 'button', id: 'logout', onclick: logout }, '退出'),
    );
}

async function logout() {
  await api('POST', '/api/logout', {}).catch(() => {});
  state.me = null;
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  location.hash = '#/login';
}

// ---- login -------------------------------------------------------------------------------------
function showLogin() {
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  const form = h(
    'form',
    { class: 'login', id: 'login-form' },
    h('h1', {}, '登录'),
    h('label', {}, '用户名', h('input', { type: 'text', name: 'id', autocomplete: 'username', required: true })),
    h(
      'label',
      {},
      '密码',
      h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
    ),
    h('button', { type: 'submit' }, '登录'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    try {
      await api('POST', '/api/login', { id: fd.get('id'), password: fd.get('password') });
      clearFlash();
      state.me = null;
      location.hash = '#/';
      if (location.hash === '#/') route();
    } catch (e) {
      flash(e.message);
    }
  });
  render(form);
}

// ---- board ----------------------------------------------------------------------------------
function stageBadge(stage, label) {
  return h('span', { class: `badge stage stage-${stage || 'none'}` }, label || '未开始');
}

async function showBoard(year) {
  // Built once and put back on every redraw, so a form being filled in survives the refresh.
  const forms = [await programmeForms(year).catch(() => null), calendarForm(year)];
  const draw = async () => {
    const b = await api('GET', `/api/years/${year}/board`);
    const months = Array.from({ length: 12 }, (_, i) => i + 1);
    const rows = b.rows.map((r) =>
      h(
        'tr',
        { class: r.overdue ? 'overdue' : '', 'data-county': r.county },
        h('td', { class: 'county' }, h('a', { href: `#/case/${year}/${encodeURIComponent(r.county)}` }, r.countyName)),
        months.map((m) =>
          m === r.month
            ? h(
                'td',
                { class: 'month' },
                h('div', {}, r.date.slice(5)),
                r.stage
                  ? stageBadge(r.stage, r.stageLabel)
                  : h('span', { class: 'badge stage stage-none' }, r.statusLabel),
                r.overdue ? h('span', { class: 'badge overdue' }, `逾期${r.daysOverdue ?? ''}天`) : null,
                r.rungLabel ? h('span', { class: 'badge rung' }, r.rungLabel) : null,
                r.incident ? h('span', { class: 'badge incident', title: r.incident }, '故障待处理') : null,
              )
            : h('td', { class: 'month empty' }),
        ),
        h('td', { class: 'docno' }, r.docNumber || ''),
        h('td', { class: 'due' }, r.dueDate || ''),
        h(
          'td',
          { class: 'no-print' },
          r.temporalUi ? h('a', { href: r.temporalUi, target: '_blank', rel: 'noopener' }, '工作流') : '',
        ),
      ),
    );
    const c = b.counts;
    render(
      h('h1', {}, `${b.bureauName} ${b.year} 年度执法指导计划`),
      h(
        'div',
        { class: 'toolbar no-print' },
        h(
          'label',
          {},
          '年度 ',
          yearSelect(year, (y) => (location.hash = `#/board/${y}`)),
        ),
        h(
          'span',
          { class: 'muted', id: 'refreshed' },
          `今天 ${b.today} · 上次刷新 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })} · 每 ${state.me.refreshSeconds} 秒自动刷新`,
        ),
        h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, '打印'),
      ),
      h(
        'div',
        { class: 'chips' },
        h('span', { class: 'chip' }, '县区', h('b', {}, c.total)),
        h('span', { class: 'chip' }, '已开始', h('b', {}, c.started)),
        h('span', { class: 'chip' }, '已出具意见书', h('b', {}, c.issued)),
        h('span', { class: 'chip' }, '整改中', h('b', {}, c.rectifying)),
        h('span', { class: 'chip' }, '逾期', h('b', { id: 'overdue-count' }, c.overdue)),
        h('span', { class: 'chip' }, '已验收', h('b', {}, c.closed)),
      ),
      h(
        'table',
        { class: 'board', id: 'board' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, '县区'),
            months.map((m) => h('th', {}, `${m}月`)),
            h('th', {}, '意见书文号'),
            h('th', {}, '整改期限'),
            h('th', { class: 'no-print' }, ''),
          ),
        ),
        h('tbody', {}, rows),
      ),
      b.bends.length
        ? h(
            'ul',
            { class: 'muted' },
            b.bends.map((x) => h('li', {}, x)),
          )
        : null,
      forms,
    );
    document.getElementById('print-footer').textContent =
      `打印时间 ${new Date().toLocaleString('zh-CN', { hour12: false })}`;
  };
  await draw();
  // The board refreshes itself; a failed refresh keeps the last picture and says so.
  state.timer = setInterval(
    () => draw().catch((e) => flash(`自动刷新失败：${e.message}`)),
    state.me.refreshSeconds * 1000,
  );
}

function yearSelect(year, onchange) {
  const sel = h('select', { onchange: (e) => onchange(e.target.value) });
  for (let y = state.me.year - 3; y <= state.me.year + 1; y++)
    sel.append(h('option', { value: y, selected: y === year }, `${y}`));
  return sel;
}

// ---- overdue list ----------------------------------------------------------------------------
async function showOverdue(year) {
  const draw = async () => {
    const o = await api('GET', `/api/years/${year}/overdue`);
    render(
      h('h1', {}, `${year} 年度整改逾期清单`),
      h('p', { class: 'muted' }, `今天 ${o.today}，共 ${o.rows.length} 个县区逾期`),
      h(
        'table',
        { id: 'overdue' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['县区', '意见书文号', '整改期限', '逾期天数', '督办层级'].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          o.rows.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, h('a', { href: `#/case/${year}/${encodeURIComponent(r.county)}` }, r.countyName)),
              h('td', {}, r.docNumber || ''),
              h('td', {}, r.dueDate || ''),
              h('td', {}, r.daysOverdue ?? ''),
              h('td', {}, r.rungLabel || ''),
            ),
          ),
        ),
      ),
    );
  };
  await draw();
  state.timer = setInterval(
    () => draw().catch((e) => flash(`自动刷新失败：${e.message}`)),
    state.me.refreshSeconds * 1000,
  );
}

// ---- number register (发文登记): every number issued or voided, administrators ----------------------
async function showNumbers(year) {
  const n = await api('GET', `/api/years/${year}/numbers`);
  render(
    h('h1', {}, `${year} 年度发文登记`),
    n.rows.length
      ? h(
          'table',
          { id: 'numbers' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['文号系列', '序号', '用于', '状态'].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            n.rows.map((r) =>
              h(
                'tr',
                { class: r.status === 'void' ? 'muted' : '' },
                h('td', {}, n.series[r.series] || r.series),
                h('td', {}, r.number),
                h('td', {}, r.requestId),
                h('td', {}, r.status === 'void' ? `作废：${r.reason}` : '已发文'),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '本年度尚未分配文号'),
    voidNumberForm(year, n.series),
  );
}

// ---- one case --------------------------------------------------------------------------------
async function showCase(year, county) {
  const v = await api('GET', `/api/years/${year}/cases/${encodeURIComponent(county)}`);
  const c = v.case;
  const base = `/api/years/${year}/cases/${encodeURIComponent(county)}`;
  const r = c.rectification;
  const sections = [
    h('h1', {}, `${c.countyName} ${c.year} 年度执法指导`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, '阶段'),
      h(
        'dd',
        { id: 'case-stage' },
        stageBadge(c.stage, v.stageLabel),
        r && r.overdue ? h('span', { class: 'badge overdue' }, '逾期') : null,
        r && state.meta.rungs[r.rung] ? h('span', { class: 'badge rung' }, state.meta.rungs[r.rung]) : null,
      ),
      h('dt', {}, '指导日期'),
      h('dd', {}, c.date),
      c.letter ? [h('dt', {}, '意见书'), h('dd', {}, `${c.letter.docNumber}（${c.letter.issueDate}）`)] : null,
      r || c.letter
        ? [h('dt', {}, '整改期限'), h('dd', { id: 'due-date' }, (r && r.dueDate) || c.letter.dueDate)]
        : null,
      v.links && v.links.temporalUi
        ? [
            h('dt', { class: 'no-print' }, '工作流'),
            h(
              'dd',
              { class: 'no-print' },
              h('a', { href: v.links.temporalUi, target: '_blank', rel: 'noopener' }, c.caseId),
            ),
          ]
        : null,
    ),
    incidentsSection(v, base),
    h('h2', {}, '文书'),
    v.documents.length
      ? h(
          'table',
          { id: 'documents' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['文书', '文号', '日期', '页数', '大小', ''].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            v.documents.map((d) =>
              h(
                'tr',
                {},
                h('td', {}, d.title),
                h('td', {}, d.docNumber || ''),
                h('td', {}, d.date || ''),
                h('td', {}, d.pages),
                h('td', {}, fmtSize(d.bytes)),
                h(
                  'td',
                  {},
                  h(
                    'a',
                    {
                      href: `${base}/documents/${encodeURIComponent(d.documentId)}`,
                      download: '',
                      class: `download kind-${d.kind}`,
                    },
                    '下载 PDF',
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无文书'),
    receiptsSection(v, base),
  ];

  if (r) {
    sections.push(
      h('h2', {}, '整改情况'),
      h(
        'ol',
        { id: 'problems' },
        r.problems.map((p) => h('li', {}, p)),
      ),
      r.reports.length
        ? h(
            'table',
            { id: 'reports' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['次序', '报送时间', '报送人', '各项整改状态', '审核'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              r.reports.map((rep) =>
                h(
                  'tr',
                  {},
                  h('td', {}, `第 ${rep.no} 次${rep.late ? '（逾期）' : ''}`),
                  h('td', {}, fmtTime(rep.at)),
                  h('td', {}, nameOf(v, rep.by)),
                  h(
                    'td',
                    {},
                    rep.items.map((it) =>
                      h(
                        'div',
                        {},
                        `${it.index + 1}. ${it.status}${it.date ? ` ${it.date}` : ''}${it.reason ? `：${it.reason}` : ''}`,
                      ),
                    ),
                  ),
                  h(
                    'td',
                    {},
                    rep.review
                      ? rep.review.decision === 'accept'
                        ? '验收通过'
                        : `退回：${rep.review.reasons.join('；')}`
                      : '待审核',
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, '尚未报送整改报告'),
    );
  }

  sections.push(h('h2', {}, '附件'));
  sections.push(
    v.files.length
      ? h(
          'table',
          { id: 'files' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['类别', '文件名', '类型', '大小', '上传人', '时间', ''].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            v.files.map((f) =>
              h(
                'tr',
                {},
                h('td', {}, f.label),
                h('td', {}, f.filename),
                h('td', {}, f.mediaType),
                h('td', {}, fmtSize(f.size)),
                h('td', {}, f.byName || f.by),
                h('td', {}, fmtTime(f.at)),
                h('td', {}, h('a', { href: `${base}/files/${f.sha256}`, download: '' }, '下载')),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无附件'),
  );

  sections.push(
    h('h2', {}, '邮件送达'),
    v.emails.length
      ? h(
          'table',
          { id: 'emails' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['主题', '状态', '收件人', '完成时间'].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            v.emails.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, m.subject),
                h('td', {}, { delivered: '已送达', partial: '部分送达', failed: '送达失败' }[m.status] || m.status),
                h(
                  'td',
                  {},
                  m.recipients.map((x) =>
                    h(
                      'div',
                      {},
                      `${x.address}（${x.role === 'cc' ? '抄送' : '收件'}，${x.status === 'accepted' ? '已接收' : '失败'}）`,
                    ),
                  ),
                ),
                h('td', {}, fmtTime(m.completedAt)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无邮件'),
    h('h2', {}, '全过程记录'),
    h(
      'ol',
      { class: 'timeline', id: 'timeline' },
      v.timeline.map((e) => h('li', {}, h('time', {}, fmtTime(e.at)), h('b', {}, e.who || e.by), '　', e.detail)),
    ),
  );

  const forms = actionForms(v, base);
  if (forms.length) sections.push(h('h2', { class: 'no-print' }, '办理'), ...forms);
  render(...sections);
  document.getElementById('print-footer').textContent =
    `${c.caseId} · 打印时间 ${new Date().toLocaleString('zh-CN', { hour12: false })}`;
}

// ---- incidents (故障): a step that failed for good waits for an administrator's retry ------------
function incidentsSection(v, base) {
  const list = v.case.incidents || [];
  if (!list.length) return null;
  const open = list.find((i) => !i.retriedAt);
  return [
    h('h2', {}, '故障记录'),
    h(
      'table',
      { id: 'incidents' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['编号', '时间', '步骤', '错误', '处理'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        list.map((i) =>
          h(
            'tr',
            { class: i.retriedAt ? '' : 'overdue' },
            h('td', {}, i.id),
            h('td', {}, fmtTime(i.at)),
            h('td', {}, i.what),
            h('td', {}, `${i.error.type || '错误'}：${i.error.message}`),
            h(
              'td',
              {},
              i.retriedAt
                ? `${nameOf(v, i.retriedBy)} 于 ${fmtTime(i.retriedAt)} 重试${i.note ? `（${i.note}）` : ''}`
                : '待管理员排除后重试',
            ),
          ),
        ),
      ),
    ),
    open && state.me.user.role === 'admin'
      ? actionForm(
          'form-retry',
          `排除故障后重试（${open.id}）`,
          [h('label', {}, '处理说明 ', h('input', { name: 'note', placeholder: '如：模板已修正' }))],
          '重试',
          (fd) =>
            api('POST', `${base}/retry`, { incident: open.id, note: String(fd.get('note') || '').trim() || undefined }),
        )
      : null,
  ];
}

/** Wraps a form: submit → API call → success message and reload, or the server's message. */
function actionForm(id, title, fields, submit, onsubmit) {
  const form = h(
    'form',
    { class: 'action no-print', id },
    h('h3', {}, title),
    fields,
    h('button', { type: 'submit' }, submit),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await onsubmit(new FormData(form), form);
      flash(`${title}：已完成`, 'ok');
      await route();
    } catch (e) {
      flash(e.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
const field = (label, input) => h('label', {}, h('span', {}, label), input);
function itemSelect(name) {
  return h(
    'select',
    { name, required: true },
    state.meta.checklist.map((s) =>
      h(
        'optgroup',
        { label: s.title },
        s.items.map((i) => h('option', { value: i.key }, i.label)),
      ),
    ),
  );
}

function actionForms(v, base) {
  const role = state.me.user.role;
  const c = v.case;
  const stage = c.stage;
  const forms = [];
  // 更正企业名单: before the draw only; a draw refused for its roster (an incident) is then retried.
  if ((role === 'admin' || role === 'supervisor') && !c.sample && stage !== 'closed' && stage !== 'cancelled') {
    forms.push(
      actionForm(
        'form-roster',
        '更正企业名单（抽取前）',
        [
          field('企业名单（每行：编号,名称,行业,重点或一般）', h('textarea', { name: 'enterprises', required: true })),
          field('更正理由', h('input', { type: 'text', name: 'reason', required: true })),
        ],
        '更正',
        (fd) =>
          api('POST', `${base}/roster`, { enterprises: parseRoster(fd.get('enterprises')), reason: fd.get('reason') }),
      ),
    );
  }
  // 更正县区收件邮箱: a mailbox that refuses mail; every later letter goes to the corrected ones.
  if ((role === 'admin' || role === 'supervisor') && stage !== 'closed' && stage !== 'cancelled') {
    forms.push(
      actionForm(
        'form-county-emails',
        '更正县区收件邮箱',
        [
          field('收件邮箱（每行一个）', h('textarea', { name: 'emails', required: true })),
          field('更正理由', h('input', { type: 'text', name: 'reason', required: true })),
        ],
        '更正',
        (fd) =>
          api('POST', `${base}/emails`, {
            emails: String(fd.get('emails') || '')
              .split('\n')
              .map((x) => x.trim())
              .filter(Boolean),
            reason: fd.get('reason'),
          }),
      ),
    );
  }
  if (role === 'supervisor' && stage === 'onsite') {
    forms.push(
      actionForm(
        'form-evidence',
        '上传证据材料',
        [
          field('文件', h('input', { type: 'file', name: 'file', required: true })),
          field('检查项', itemSelect('item')),
          field('说明', h('input', { type: 'text', name: 'note' })),
        ],
        '上传',
        (fd) => api('POST', `${base}/evidence`, fd),
      ),
      actionForm(
        'form-finding',
        '检查结论',
        [
          field('检查项', itemSelect('item')),
          field(
            '结论',
            h(
              'select',
              { name: 'result' },
              state.meta.findingResults.map((x) => h('option', { value: x }, x)),
            ),
          ),
          field('存在问题', h('textarea', { name: 'problem' })),
          field('处理意见', h('textarea', { name: 'opinion' })),
        ],
        '保存',
        (fd) =>
          api('POST', `${base}/findings`, {
            item: fd.get('item'),
            result: fd.get('result'),
            problem: fd.get('problem') || undefined,
            opinion: fd.get('opinion') || undefined,
          }),
      ),
    );
    if (c.sample) {
      forms.push(
        actionForm(
          'form-enterprise',
          '抽查企业核查结果',
          [
            field(
              '企业',
              h(
                'select',
                { name: 'enterprise' },
                c.sample.enterprises.map((e) => h('option', { value: e.id }, e.name)),
              ),
            ),
            field('发现的问题或隐患（每行一条；没有则留空）', h('textarea', { name: 'problems' })),
            field('处理意见（针对上述问题）', h('input', { type: 'text', name: 'opinion' })),
            field('未发现问题的核查结果（每行一条，如：未发现重大事故隐患）', h('textarea', { name: 'clean' })),
          ],
          '保存',
          (fd) => {
            const lines = (name) =>
              String(fd.get(name) ?? '')
                .split('\n')
                .map((x) => x.trim())
                .filter(Boolean);
            const opinion = String(fd.get('opinion') ?? '').trim() || undefined;
            const checks = [
              ...lines('problems').map((text) => ({ result: '发现问题', text, opinion })),
              ...lines('clean').map((text) => ({ result: '未发现问题', text })),
            ];
            return api('POST', `${base}/enterprises`, { enterprise: fd.get('enterprise'), checks });
          },
        ),
      );
    }
    forms.push(
      actionForm(
        'form-submit',
        '提交审批',
        [h('p', { class: 'muted' }, '检查结论填写完整后提交分管局领导审批。')],
        '提交',
        () => api('POST', `${base}/submit`, {}),
      ),
    );
  }
  if (role === 'leader' && stage === 'approval') {
    forms.push(
      actionForm(
        'form-approve',
        '批准意见书',
        [field('意见', h('input', { type: 'text', name: 'comment' }))],
        '批准',
        (fd) => api('POST', `${base}/approve`, { comment: fd.get('comment') || undefined }),
      ),
      actionForm(
        'form-return',
        '退回修改',
        [field('退回意见', h('textarea', { name: 'comment', required: true }))],
        '退回',
        (fd) => api('POST', `${base}/return`, { comment: fd.get('comment') }),
      ),
    );
  }
  const r = c.rectification;
  const awaitingReview = r && r.reports.length > 0 && !r.reports[r.reports.length - 1].review;
  if (r && stage === 'rectification' && !awaitingReview && (role === 'county' || role === 'supervisor')) {
    const rows = r.problems.map((p, i) =>
      h(
        'div',
        { class: 'problem-row' },
        h('div', {}, `${i + 1}. ${p}`),
        field(
          '整改状态',
          h(
            'select',
            { name: `status-${i}` },
            state.meta.itemStatuses.map((x) => h('option', { value: x }, x)),
          ),
        ),
        field('预计完成日期', h('input', { type: 'date', name: `date-${i}` })),
        field('原因', h('input', { type: 'text', name: `reason-${i}` })),
      ),
    );
    forms.push(
      actionForm(
        'form-report',
        '报送整改报告',
        [
          field('报告文件', h('input', { type: 'file', name: 'files', multiple: true, required: true })),
          rows,
          field('说明', h('textarea', { name: 'note' })),
        ],
        '报送',
        (fd) => {
          const items = r.problems.map((_, i) => ({
            index: i,
            status: fd.get(`status-${i}`),
            date: fd.get(`date-${i}`) || undefined,
            reason: fd.get(`reason-${i}`) || undefined,
          }));
          const body = new FormData();
          body.append('items', JSON.stringify(items));
          if (fd.get('note')) body.append('note', fd.get('note'));
          for (const f of fd.getAll('files')) if (f && f.size) body.append('files', f, f.name);
          return api('POST', `${base}/report`, body);
        },
      ),
    );
  }
  if (role === 'supervisor' && r && stage === 'rectification') {
    if (awaitingReview) {
      forms.push(
        actionForm(
          'form-review',
          '审核整改报告',
          [
            field(
              '结论',
              h(
                'select',
                { name: 'decision' },
                h('option', { value: 'accept' }, '验收通过'),
                h('option', { value: 'return' }, '退回'),
              ),
            ),
            field('退回理由（每行一条）', h('textarea', { name: 'reasons' })),
          ],
          '提交审核',
          (fd) =>
            api('POST', `${base}/review`, {
              decision: fd.get('decision'),
              reasons: String(fd.get('reasons') || '')
                .split('\n')
                .map((x) => x.trim())
                .filter(Boolean),
            }),
        ),
      );
    }
    forms.push(
      actionForm(
        'form-extend',
        '延长整改期限',
        [
          field('新期限', h('input', { type: 'date', name: 'newDueDate', required: true })),
          field('理由', h('input', { type: 'text', name: 'reason', required: true })),
        ],
        '延期',
        (fd) => api('POST', `${base}/extend`, { newDueDate: fd.get('newDueDate'), reason: fd.get('reason') }),
      ),
    );
  }
  // 复查: every problem of the letter, passed or not, with a comment where it is not.
  if (role === 'supervisor' && r && stage === 'reinspection') {
    const rows = r.problems.map((p, i) =>
      h(
        'div',
        { class: 'reinspect-item' },
        h('label', {}, h('input', { type: 'checkbox', name: `passed-${i}`, checked: true }), ` ${i + 1}. ${p}`),
        h('input', { type: 'text', name: `comment-${i}`, placeholder: '未整改到位的说明' }),
      ),
    );
    forms.push(
      actionForm(
        'form-reinspection',
        '记录复查结果',
        [field('复查日期', h('input', { type: 'date', name: 'date', required: true })), ...rows],
        '记录复查',
        (fd) =>
          api('POST', `${base}/reinspection`, {
            date: fd.get('date'),
            items: r.problems.map((_, i) => ({
              index: i,
              passed: fd.get(`passed-${i}`) === 'on',
              comment: String(fd.get(`comment-${i}`) || '').trim() || undefined,
            })),
          }),
      ),
    );
  }
  return forms;
}
