/**
 * 签收: the county signs a letter that asks it to act — on its case page (`form-acknowledge`, also
 * used by supervisors and administrators to record a receipt the county gave on paper or by
 * telephone, 代为登记) or from its inbox row (AckInline). The server checks role and county again.
 */
import { useState } from 'preact/hooks';
import { caseApi } from '../api';
import { Feedback, type Message } from '../feedback';
import { messageOf, text } from '../format';
import { useSession } from '../session';
import type { CaseView, TodoItem } from '../types';
import { ActionForm, Field } from './action-form';

/** Roles that may sign or record a receipt (the route allows the same; a county only its own). */
const ACKNOWLEDGE_ROLES = ['county', 'supervisor', 'admin'];

export function AcknowledgeForm(props: { v: CaseView; api: ReturnType<typeof caseApi>; onDone(): Promise<void> }) {
  const { me } = useSession();
  const role = me.user.role;
  const staff = role !== 'county';
  const open = props.v.receipts.filter((r) => !r.acknowledged);
  const closed = props.v.case.stage === 'closed' || props.v.case.stage === 'cancelled';
  const title = staff ? '代为登记签收' : '签收文书';
  return (
    <ActionForm
      id="form-acknowledge"
      title={title}
      submit={staff ? '登记签收' : '签收'}
      shown={open.length > 0 && !closed && ACKNOWLEDGE_ROLES.includes(role)}
      onSubmit={async (fd) => {
        await props.api.acknowledge({ receipt: text(fd, 'receipt'), signer: text(fd, 'signer') });
      }}
      onDone={props.onDone}
    >
      {staff && <p class="muted">县区以纸质回执、电话等方式签收的，由市局代为登记，签收方式记为“市局代为登记”。</p>}
      <Field label="文书">
        <select name="receipt" required>
          {open.map((r) => (
            <option key={r.id} value={r.id}>
              {`${r.id} ${r.title}${r.docNumber ? ` ${r.docNumber}` : ''}`}
            </option>
          ))}
        </select>
      </Field>
      <Field label="签收人">
        <input
          type="text"
          name="signer"
          required
          maxLength={50}
          placeholder={staff ? '县区签收人姓名' : '签收人姓名'}
        />
      </Field>
    </ActionForm>
  );
}

/** The county's one-line 签收 form in an inbox row; what it did is reported to the page (`onSigned`). */
export function AckInline(props: { item: TodoItem; onSigned(text: string): void }) {
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const { item } = props;
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const signer = text(new FormData(ev.currentTarget as HTMLFormElement), 'signer');
    const year = Number(/^visit-(\d{4})-/.exec(item.caseId)?.[1]);
    setBusy(true);
    setMessage(null);
    try {
      await caseApi(year, item.county).acknowledge({ receipt: item.ref!, signer });
      props.onSigned(`已签收：${item.title.replace(/^签收\s*/, '')}（签收人 ${signer}）`);
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="ack-inline no-print" data-receipt={item.ref} onSubmit={submit}>
      <input type="text" name="signer" required maxLength={50} placeholder="签收人姓名" aria-label="签收人姓名" />
      <button type="submit" disabled={busy}>
        签收
      </button>
      <Feedback message={message} onDismiss={() => setMessage(null)} />
    </form>
  );
}
