/**
 * 文书签收 through the link in a letter's email (receipt.html#<token>), without a login: the signed
 * token names one receipt of one case and expires. Opening the page only reads (GET /api/receipt):
 * mail scanners and link previews open links, so nothing is signed until a person types a name and
 * presses the button (POST /api/receipt). The case accepts one acknowledgement, so the link works
 * once; an expired, used or damaged link gets the server's message and the way to the portal.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, receiptApi } from '../api';
import { text } from '../format';
import { PracticeBanner } from '../practice';
import type { ReceiptLinkView } from '../types';
import '../style.css';

/** workflows RECEIPT_VIA_LABEL. */
const VIA_LABEL: Record<string, string> = { portal: '县区门户签收', link: '邮件链接签收', staff: '市局代为登记' };
const HEADING: Record<string, string> = {
  Expired: '签收链接已过期',
  AlreadyUsed: '该文书已签收，链接已失效',
  InvalidInput: '无法签收',
  NotFound: '没有找到该签收事项',
};

interface Problem {
  type: string;
  message: string;
}
const problemOf = (e: unknown): Problem =>
  e instanceof ApiError ? { type: e.type, message: e.message } : { type: 'Error', message: String(e) };

/** A refusal the person can act on: what happened, and the portal as the other way to sign. */
function Refusal({ p }: { p: Problem }) {
  return (
    <div class={`receipt-message error kind-${p.type.toLowerCase()}`} id="receipt-error" role="alert">
      <h2>{HEADING[p.type] ?? '无法签收'}</h2>
      <p>{p.message}</p>
      <p class="muted">
        如需签收，请登录<a href="/#/todo">县区门户</a>在“待办”中签收，或联系市应急管理局。
      </p>
    </div>
  );
}

function Done({ r, a }: { r: ReceiptLinkView; a: NonNullable<ReceiptLinkView['acknowledged']> }) {
  return (
    <div class="receipt-message ok" id="receipt-done" role="status">
      <h2>已签收</h2>
      <p>{`${r.title}${r.docNumber ? ` ${r.docNumber}` : ''} 已于 ${a.date} 由 ${a.signer} 签收（${VIA_LABEL[a.via] ?? a.via}）。`}</p>
      <p class="muted">送达回证由系统生成并存入案卷，可在县区门户下载。</p>
    </div>
  );
}

function Letter({ r }: { r: ReceiptLinkView }) {
  return (
    <dl class="facts" id="receipt-letter">
      <dt>文书</dt>
      <dd>{r.title}</dd>
      {r.docNumber && (
        <>
          <dt>文号</dt>
          <dd>{r.docNumber}</dd>
        </>
      )}
      <dt>收文单位</dt>
      <dd>{r.county}</dd>
      <dt>发送日期</dt>
      <dd>{r.sentAt}</dd>
      {r.dueBy && (
        <>
          <dt>签收期限</dt>
          <dd id="receipt-due">{r.dueBy}</dd>
        </>
      )}
      <dt>链接有效期至</dt>
      <dd>{r.expires}</dd>
    </dl>
  );
}

/** The sign form; its refusal shown above it, the form kept only where a retry can help. */
function SignForm({ token, onSigned }: { token: string; onSigned(a: Signature): void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [gone, setGone] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const signer = text(new FormData(ev.currentTarget as HTMLFormElement), 'signer');
    setBusy(true);
    setProblem(null);
    try {
      const { result } = await receiptApi.sign(token, signer);
      onSigned(result.acknowledged ?? { signer, date: '', via: 'link' });
    } catch (e) {
      const p = problemOf(e);
      setProblem(p);
      // A name the server refused can be corrected; a used or expired link cannot.
      if (p.type !== 'InvalidInput' && p.type !== 'Network') setGone(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div id="receipt-status">{problem && <Refusal p={problem} />}</div>
      {!gone && (
        <form class="action" id="receipt-form" onSubmit={submit}>
          <h3>签收</h3>
          <p class="muted">确认签收即表示贵单位已收到上述文书。本链接仅可使用一次。</p>
          <label>
            <span>签收人</span>
            <input type="text" name="signer" required maxLength={50} autocomplete="name" placeholder="签收人姓名" />
          </label>
          <button type="submit" disabled={busy}>
            确认签收
          </button>
        </form>
      )}
    </>
  );
}
type Signature = NonNullable<ReceiptLinkView['acknowledged']>;

function ReceiptPage() {
  const token = location.hash.replace(/^#/, '').trim();
  const [r, setR] = useState<ReceiptLinkView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(
    token ? null : { type: 'InvalidInput', message: '链接不完整：请从邮件中完整复制签收链接。' },
  );
  const [signed, setSigned] = useState<Signature | null>(null);
  useEffect(() => {
    if (token) receiptApi.read(token).then(setR, (e) => setProblem(problemOf(e)));
  }, [token]);
  const done = signed ?? r?.acknowledged;
  return (
    <>
      <PracticeBanner />
      <header class="top">
        <span class="brand">年度安全生产执法指导 · 文书签收</span>
      </header>
      <main id="receipt" class="receipt-page">
        <h1>文书签收</h1>
        {problem && <Refusal p={problem} />}
        {!problem && !r && <p class="muted">正在读取签收链接……</p>}
        {r && <Letter r={r} />}
        {r && (done ? <Done r={r} a={done} /> : <SignForm token={token} onSigned={setSigned} />)}
      </main>
    </>
  );
}

render(<ReceiptPage />, document.getElementById('root')!);
