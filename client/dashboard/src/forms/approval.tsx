/**
 * 审批 (the current approver only, stage approval): 批准意见书 and 退回修改. The approver is the plan's
 * leader, or the deputy once the approval passed to them (`approval.passedTo`): the other leader is
 * not offered the forms (the workflow would refuse them: 只有审批人……).
 */
import { optional, text } from '../format';
import { ActionForm, Field } from './action-form';
import type { CaseFormProps } from './case-form';

export function ApproveForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-approve"
      title="批准意见书"
      submit="批准"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.approve({ comment: optional(fd, 'comment') });
      }}
      onDone={props.onDone}
    >
      <Field label="意见">
        <input type="text" name="comment" />
      </Field>
    </ActionForm>
  );
}

export function ReturnForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-return"
      title="退回修改"
      submit="退回"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.return({ comment: text(fd, 'comment') });
      }}
      onDone={props.onDone}
    >
      <Field label="退回意见">
        <textarea name="comment" required />
      </Field>
    </ActionForm>
  );
}
