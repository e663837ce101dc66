// 文书签收 through the link in a letter's email (receipt.html#<token>), without a login: the signed
// token names one receipt of one case and expires. Opening the page only reads (GET /api/receipt):
// mail scanners and link previews open links, so nothing is signed until a person types a name and
// presses the button (POST /api/receipt). The case accepts one acknowledgement, so the link works
// once; an expired, used or damaged link gets the server's message and the way to the portal.
// Standalone (no app.js): the page needs no session. Every value goes into the page as text.
/* global document, location, fetch */
'use strict';

(function receiptPage() {
  /** workflows/shared/receipts.ts RECEIPT_VIA_LABEL. */
  const VIA_LABEL = { portal: '县区门户签收', link: '邮件链接签收', staff: '市局代为登记' };
  const $main = () => document.getElementById('receipt');

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat())
      if (c !== undefined && c !== null && c !== false)
        e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    return e;
  }

  async function call(method, url, body) {
    const init = { method, headers: {}, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch {
      throw Object.assign(new Error('无法连接服务器，请稍后再试'), { type: 'Network' });
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = data.error || {};
      throw Object.assign(new Error(e.message || `请求失败（${res.status}）`), {
        type: e.type || 'Error',
        status: res.status,
      });
    }
    return data;
  }

  /** A refusal the person can act on: what happened, and the portal as the other way to sign. */
  function problem(err) {
    const heading =
      {
        Expired: '签收链接已过期',
        AlreadyUsed: '该文书已签收，链接已失效',
        InvalidInput: '无法签收',
        NotFound: '没有找到该签收事项',
      }[err.type] || '无法签收';
    return el(
      'div',
      {
        class: `receipt-message error kind-${String(err.type || 'Error').toLowerCase()}`,
        id: 'receipt-error',
        role: 'alert',
      },
      el('h2', {}, heading),
      el('p', {}, err.message),
      el(
        'p',
        { class: 'muted' },
        '如需签收，请登录',
        el('a', { href: '/#/todo' }, '县区门户'),
        '在“待办”中签收，或联系市应急管理局。',
      ),
    );
  }

  function done(a, r) {
    return el(
      'div',
      { class: 'receipt-message ok', id: 'receipt-done', role: 'status' },
      el('h2', {}, '已签收'),
      el(
        'p',
        {},
        `${r.title}${r.docNumber ? ` ${r.docNumber}` : ''} 已于 ${a.date} 由 ${a.signer} 签收（${VIA_LABEL[a.via] || a.via}）。`,
      ),
      el('p', { class: 'muted' }, '送达回证由系统生成并存入案卷，可在县区门户下载。'),
    );
  }

  function letter(r) {
    return el(
      'dl',
      { class: 'facts', id: 'receipt-letter' },
      el('dt', {}, '文书'),
      el('dd', {}, r.title),
      r.docNumber ? [el('dt', {}, '文号'), el('dd', {}, r.docNumber)] : null,
      el('dt', {}, '收文单位'),
      el('dd', {}, r.county),
      el('dt', {}, '发送日期'),
      el('dd', {}, r.sentAt),
      r.dueBy ? [el('dt', {}, '签收期限'), el('dd', { id: 'receipt-due' }, r.dueBy)] : null,
      el('dt', {}, '链接有效期至'),
      el('dd', {}, r.expires),
    );
  }

  function signForm(token, r, status) {
    const input = el('input', {
      type: 'text',
      name: 'signer',
      required: true,
      maxlength: 50,
      autocomplete: 'name',
      placeholder: '签收人姓名',
    });
    const button = el('button', { type: 'submit' }, '确认签收');
    const form = el(
      'form',
      { class: 'action', id: 'receipt-form' },
      el('h3', {}, '签收'),
      el('p', { class: 'muted' }, '确认签收即表示贵单位已收到上述文书。本链接仅可使用一次。'),
      el('label', {}, el('span', {}, '签收人'), input),
      button,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      status.replaceChildren();
      try {
        const { result } = await call('POST', '/api/receipt', { token, signer: input.value.trim() });
        form.replaceWith(done(result.acknowledged, r));
      } catch (err) {
        status.replaceChildren(problem(err));
        // A name the server refused can be corrected; a used or expired link cannot.
        if (err.type === 'InvalidInput' || err.type === 'Network') button.disabled = false;
        else form.remove();
      }
    });
    return form;
  }

  async function show() {
    const main = $main();
    const token = location.hash.replace(/^#/, '').trim();
    const title = el('h1', {}, '文书签收');
    if (!token) {
      main.replaceChildren(
        title,
        problem({ type: 'InvalidInput', message: '链接不完整：请从邮件中完整复制签收链接。' }),
      );
      return;
    }
    let r;
    try {
      r = await call('GET', `/api/receipt?token=${encodeURIComponent(token)}`);
    } catch (err) {
      main.replaceChildren(title, problem(err));
      return;
    }
    const status = el('div', { id: 'receipt-status' });
    main.replaceChildren(
      title,
      letter(r),
      status,
      r.acknowledged ? done(r.acknowledged, r) : signForm(token, r, status),
    );
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
  else show();
})();
