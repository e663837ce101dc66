// 年度执法指导 — 签收 on the case page: every letter that asks the county to act, its deadline, who
// signed it, when and how, and its 送达回证 to download; the form `form-acknowledge` for the county
// (its own case, 门户签收) and for supervisors and administrators, who record a receipt the county
// gave on paper or by telephone (代为登记). Loaded before app.js and uses its helpers at call time;
// the server checks the role and county again.
/* global h, api, actionForm, field, state */
'use strict';

/** Roles that may sign or record a receipt (the route allows the same; a county only its own). */
const ACKNOWLEDGE_ROLES = ['county', 'supervisor', 'admin'];

function receiptStatus(r) {
  if (r.acknowledged) {
    const a = r.acknowledged;
    return h('span', { class: 'receipt-done' }, `已签收（${a.signer}，${a.date}，${a.viaLabel}）`);
  }
  if (r.overdue) return h('span', { class: 'badge overdue' }, '逾期未签收');
  return h('span', { class: 'badge pending' }, '待签收');
}

function certificateCell(r, base) {
  if (r.certificate) {
    return h(
      'a',
      {
        href: `${base}/documents/${encodeURIComponent(r.certificate.documentId)}`,
        download: '',
        class: 'download kind-receipt',
      },
      '下载送达回证',
    );
  }
  // The case renders the 送达回证 right after the receipt; until then the row says so.
  return r.acknowledged ? h('span', { class: 'muted' }, '送达回证生成中') : '';
}

/** The 签收 section of a case page, or null when the case has no receipts. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by app.js
function receiptsSection(v, base) {
  const list = v.receipts || [];
  if (!list.length) return null;
  const role = state.me.user.role;
  const open = list.filter((r) => !r.acknowledged);
  const staff = role !== 'county';
  const closed = v.case.stage === 'closed' || v.case.stage === 'cancelled';
  return [
    h('h2', {}, '签收'),
    h(
      'table',
      { id: 'receipts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['编号', '文书', '文号', '发送日期', '签收期限', '状态', '送达回证'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        list.map((r) =>
          h(
            'tr',
            { class: r.overdue ? 'overdue' : '', 'data-receipt': r.id },
            h('td', {}, r.id),
            h('td', {}, r.title),
            h('td', {}, r.docNumber || ''),
            h('td', {}, r.sentAt),
            h('td', {}, r.dueBy),
            h('td', { class: 'receipt-status' }, receiptStatus(r)),
            h('td', {}, certificateCell(r, base)),
          ),
        ),
      ),
    ),
    open.length && !closed && ACKNOWLEDGE_ROLES.includes(role)
      ? actionForm(
          'form-acknowledge',
          staff ? '代为登记签收' : '签收文书',
          [
            staff
              ? h(
                  'p',
                  { class: 'muted' },
                  '县区以纸质回执、电话等方式签收的，由市局代为登记，签收方式记为“市局代为登记”。',
                )
              : null,
            field(
              '文书',
              h(
                'select',
                { name: 'receipt', required: true },
                open.map((r) =>
                  h('option', { value: r.id }, `${r.id} ${r.title}${r.docNumber ? ` ${r.docNumber}` : ''}`),
                ),
              ),
            ),
            field(
              '签收人',
              h('input', {
                type: 'text',
                name: 'signer',
                required: true,
                maxlength: 50,
                placeholder: staff ? '县区签收人姓名' : '签收人姓名',
              }),
            ),
          ],
          staff ? '登记签收' : '签收',
          (fd) =>
            api('POST', `${base}/acknowledge`, {
              receipt: fd.get('receipt'),
              signer: String(fd.get('signer') || '').trim(),
            }),
        )
      : null,
  ];
}
