/** 复查 (supervisors, stage reinspection): every problem of the letter, passed or not, with a comment where it is not. */
import { optional, text } from '../format';
import { ActionForm, Field } from './action-form';
import type { CaseFormProps } from './case-form';

export function ReinspectionForm(props: CaseFormProps) {
  const problems = props.v.case.rectification?.problems ?? [];
  return (
    <ActionForm
      id="form-reinspection"
      title="记录复查结果"
      submit="记录复查"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.reinspection({
          date: text(fd, 'date'),
          items: problems.map((_, i) => ({
            index: i,
            passed: fd.get(`passed-${i}`) === 'on',
            comment: optional(fd, `comment-${i}`),
          })),
        });
      }}
      onDone={props.onDone}
    >
      <Field label="复查日期">
        <input type="date" name="date" required />
      </Field>
      {problems.map((p, i) => (
        <div class="reinspect-item" key={i}>
          <label>
            <input type="checkbox" name={`passed-${i}`} defaultChecked /> {`${i + 1}. ${p}`}
          </label>
          <input type="text" name={`comment-${i}`} placeholder="未整改到位的说明" />
        </div>
      ))}
    </ActionForm>
  );
}
