/** 登录: the login form; a refusal (wrong password, too many attempts) is said under it. */
import { useState } from 'preact/hooks';
import { sessionApi } from '../api';
import { Feedback, type Message } from '../feedback';
import { messageOf, text } from '../format';

export function LoginPage(props: { onLogin(): void }) {
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const fd = new FormData(ev.currentTarget as HTMLFormElement);
    setBusy(true);
    setMessage(null);
    try {
      await sessionApi.login(text(fd, 'id'), typeof fd.get('password') === 'string' ? String(fd.get('password')) : '');
      props.onLogin();
      location.hash = '#/';
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login" id="login-form" onSubmit={submit}>
      <h1>登录</h1>
      <label>
        用户名
        <input type="text" name="id" autocomplete="username" required />
      </label>
      <label>
        密码
        <input type="password" name="password" autocomplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        登录
      </button>
      <Feedback id="login-feedback" message={message} onDismiss={() => setMessage(null)} />
    </form>
  );
}
