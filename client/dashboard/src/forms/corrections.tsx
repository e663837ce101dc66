/**
 * Corrections of a case's input (administrators and supervisors): 更正企业名单 before the draw (a draw
 * refused for its roster is an incident, retried after this), and 更正县区收件邮箱 (every later
 * letter goes to the corrected mailboxes).
 */
import { lines, parseRoster, text } from '../format';
import { ActionForm, Field } from './action-form';
import type { CaseFormProps } from './case-form';

export function RosterForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-roster"
      title="更正企业名单（抽取前）"
      submit="更正"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.roster({ enterprises: parseRoster(text(fd, 'enterprises')), reason: text(fd, 'reason') });
      }}
      onDone={props.onDone}
    >
      <Field label="企业名单（每行：编号,名称,行业,重点或一般）">
        <textarea name="enterprises" required />
      </Field>
      <Field label="更正理由">
        <input type="text" name="reason" required />
      </Field>
    </ActionForm>
  );
}

export function CountyEmailsForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-county-emails"
      title="更正县区收件邮箱"
      submit="更正"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.emails({ emails: lines(text(fd, 'emails')), reason: text(fd, 'reason') });
      }}
      onDone={props.onDone}
    >
      <Field label="收件邮箱（每行一个）">
        <textarea name="emails" required />
      </Field>
      <Field label="更正理由">
        <input type="text" name="reason" required />
      </Field>
    </ActionForm>
  );
}
