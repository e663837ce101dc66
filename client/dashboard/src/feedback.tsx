/**
 * What a form's action did, shown beside that form and kept until the person dismisses it (知道了)
 * or uses the form again: no timer clears it, and another form's message never replaces it.
 */
import { useEffect, useRef } from 'preact/hooks';

export interface Message {
  kind: 'ok' | 'error';
  text: string;
}

export function Feedback(props: { id?: string; message: Message | null; onDismiss(): void }) {
  const box = useRef<HTMLDivElement>(null);
  // A new message is brought into view: the person is looking at the form that caused it.
  useEffect(() => {
    if (props.message) box.current?.scrollIntoView({ block: 'nearest' });
  }, [props.message]);
  if (!props.message) return null;
  const { kind, text } = props.message;
  return (
    <div ref={box} id={props.id} class={`msg ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span class="msg-text">{text}</span>
      <button type="button" class="dismiss secondary" onClick={props.onDismiss}>
        知道了
      </button>
    </div>
  );
}
