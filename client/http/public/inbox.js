// 年度执法指导 — the inbox (待办): what waits on the logged-in person, most urgent first, as
// GET /api/todo gives it (each case decides on its own clock what is due). Every role opens the
// dashboard here. A county signs a letter from its row; everything else links to the case, where
// the forms are. Loaded before app.js and uses its helpers (h, api, render, flash, state) at call
// time; the server checks every role and county again.
/* global document, location, FormData, h, api, render, flash, state, setInterval */
'use strict';

/** The page an item is done on: a visit (`visit-<year>-<bureau>-<county>`) or a programme's board. */
function todoLink(item) {
  const visit = /^visit-(\d{4})-/.exec(item.caseId);
  if (visit && item.county) return `#/case/${visit[1]}/${encodeURIComponent(item.county)}`;
  const programme = /^guidance-(\d{4})-/.exec(item.caseId);
  return programme ? `#/board/${programme[1]}` : undefined;
}

/** 还剩 N 天 / 今天到期 / 逾期 N 天, counted by the case's own clock. */
function dueBadge(item) {
  const d = item.daysLeft;
  if (d === undefined || d === null) return null;
  if (d < 0) return h('span', { class: 'badge overdue' }, `逾期 ${-d} 天`);
  if (d === 0) return h('span', { class: 'badge due-today' }, '今天到期');
  return h('span', { class: 'badge days-left' }, `还剩 ${d} 天`);
}

/** The last count read, so the navigation, redrawn on every page change, shows it at once. */
let todoCount = { total: 0, overdue: 0 };

function paintTodoCount(badge) {
  const { total, overdue } = todoCount;
  badge.textContent = total ? String(total) : '';
  badge.className = `count${overdue ? ' has-overdue' : ''}`;
  badge.title = overdue ? `${total} 项待办，其中 ${overdue} 项逾期` : `${total} 项待办`;
  return badge;
}

/** The count beside 待办 in the navigation (app.js renderHeader). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
function todoCountBadge() {
  return paintTodoCount(h('span', { class: 'count', id: 'todo-count' }));
}

function setTodoCount(items) {
  todoCount = { total: items.length, overdue: items.filter((i) => i.daysLeft < 0).length };
  const badge = document.getElementById('todo-count');
  if (badge) paintTodoCount(badge);
}

/** Refreshes the navigation's count from any page; a failure leaves it blank rather than wrong. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
async function refreshTodoCount() {
  try {
    setTodoCount((await api('GET', '/api/todo')).items);
  } catch {
    setTodoCount([]);
  }
}

/**
 * The inline forms by case and receipt, kept for the whole session: a name half typed survives
 * the page's redraws and a return to the page. Dropped once signed.
 */
const inboxForms = new Map();
/** Which showInbox is current: a draw still in flight from an earlier one must not paint over it. */
let inboxSeq = 0;
/** The current page's redraw (a form signed on a page drawn earlier redraws the current one). */
let inboxRedraw = async () => {};
const onInbox = () => /^#?\/?(todo)?$/.test(location.hash);

/** The county's one-line 签收 form for a letter in its inbox (kept in `forms`, see inboxForms). */
function inlineAcknowledge(item, forms) {
  const key = `${item.caseId}/${item.ref}`;
  if (forms.has(key)) return forms.get(key);
  const visit = /^visit-(\d{4})-/.exec(item.caseId);
  const form = h(
    'form',
    { class: 'ack-inline no-print', 'data-receipt': item.ref },
    h('input', {
      type: 'text',
      name: 'signer',
      required: true,
      maxlength: 50,
      placeholder: '签收人姓名',
      'aria-label': '签收人姓名',
    }),
    h('button', { type: 'submit' }, '签收'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const signer = String(new FormData(form).get('signer') || '').trim();
      await api('POST', `/api/years/${visit[1]}/cases/${encodeURIComponent(item.county)}/acknowledge`, {
        receipt: item.ref,
        signer,
      });
      forms.delete(key);
      flash(`已签收：${item.title.replace(/^签收\s*/, '')}（签收人 ${signer}）`, 'ok');
      await inboxRedraw();
    } catch (e) {
      flash(e.message);
    } finally {
      button.disabled = false;
    }
  });
  forms.set(key, form);
  return form;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
async function showInbox() {
  const seq = ++inboxSeq;
  const forms = inboxForms;
  const county = state.me.user.role === 'county';
  const draw = async () => {
    const { items } = await api('GET', '/api/todo');
    setTodoCount(items);
    if (seq !== inboxSeq || !onInbox()) return;
    const overdue = items.filter((i) => i.daysLeft < 0).length;
    const rows = items.map((item) => {
      const link = todoLink(item);
      return h(
        'tr',
        {
          class: item.daysLeft < 0 ? 'overdue' : '',
          'data-kind': item.kind,
          'data-case': item.caseId,
          ...(item.ref ? { 'data-ref': item.ref } : {}),
        },
        h('td', { class: 'due' }, h('div', {}, item.due || '—'), dueBadge(item)),
        h('td', { class: 'title' }, item.title),
        h('td', {}, h('span', { class: `badge kind kind-${item.kind}` }, item.kindLabel || item.kind)),
        h('td', {}, item.countyName),
        h(
          'td',
          { class: 'act' },
          county && item.kind === 'acknowledge' && item.ref && link ? inlineAcknowledge(item, forms) : null,
          link
            ? h(
                'a',
                { href: link, class: 'open-case' },
                item.caseId.startsWith('guidance-') ? '打开计划看板' : '打开案件',
              )
            : null,
        ),
      );
    });
    render(
      h('h1', {}, '我的待办'),
      h(
        'p',
        { class: 'muted', id: 'todo-summary' },
        `共 ${items.length} 项${overdue ? `，其中 ${overdue} 项逾期` : ''} · 按紧急程度排列 · 上次刷新 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`,
      ),
      items.length
        ? h(
            'table',
            { id: 'todo' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['期限', '事项', '类别', '县区', '办理'].map((t) => h('th', {}, t)),
              ),
            ),
            h('tbody', {}, rows),
          )
        : h('p', { class: 'muted', id: 'todo-empty' }, '暂无待办事项'),
    );
  };
  inboxRedraw = () => draw().catch((e) => flash(`刷新失败：${e.message}`));
  try {
    await draw();
  } catch (e) {
    // Without Temporal visibility (a test server) the inbox cannot be read; the rest still works.
    if (seq === inboxSeq && onInbox())
      render(h('h1', {}, '我的待办'), h('p', { class: 'muted', id: 'todo-error' }, `待办暂时无法读取：${e.message}`));
    return;
  }
  state.timer = setInterval(
    () => draw().catch((e) => flash(`自动刷新失败：${e.message}`)),
    state.me.refreshSeconds * 1000,
  );
}
