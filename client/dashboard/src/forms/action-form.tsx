/**
 * Every action form: submit → the API call → its message beside the form (kept until dismissed),
 * then the page's data reloaded. `shown` false hides the form (the person may not use it now),
 * but a message it left stays where the form was: a leader who approved still reads 已完成 there.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Feedback, type Message } from '../feedback';
import { messageOf } from '../format';

export interface ActionFormProps {
  id: string;
  title: string;
  submit: string;
  shown?: boolean;
  /** Runs the action; returns the message to show (default `<title>：已完成`). */
  onSubmit(fd: FormData, form: HTMLFormElement): Promise<Message | string | void>;
  /** Reloads what the action changed. */
  onDone?(): Promise<void> | void;
  children?: ComponentChildren;
  /** Shown under the message (e.g. the calendar's results). */
  after?: ComponentChildren;
}

export function ActionForm(props: ActionFormProps) {
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const feedback = <Feedback id={`${props.id}-feedback`} message={message} onDismiss={() => setMessage(null)} />;
  if (props.shown === false) return message ? <div class="action-slot no-print">{feedback}</div> : null;

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    setBusy(true);
    setMessage(null);
    try {
      const said = await props.onSubmit(new FormData(form), form);
      setMessage(typeof said === 'object' && said ? said : { kind: 'ok', text: said || `${props.title}：已完成` });
      form.reset();
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
      setBusy(false);
      return;
    }
    setBusy(false);
    // The page's own refresh says so if it fails; the action's message stays.
    await Promise.resolve(props.onDone?.()).catch(() => undefined);
  };
  return (
    <form class="action no-print" id={props.id} onSubmit={submit}>
      <h3>{props.title}</h3>
      {props.children}
      <button type="submit" disabled={busy}>
        {props.submit}
      </button>
      {feedback}
      {props.after}
    </form>
  );
}

/** A labelled field. */
export function Field(props: { label: string; children: ComponentChildren }) {
  return (
    <label>
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}
