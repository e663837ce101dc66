/**
 * 整改 (stage rectification): the county's report (or a supervisor's on its behalf) with a status
 * per problem, the supervisor's review of it, and the supervisor's extension of the due date.
 */
import { lines, optional, text } from '../format';
import { useSession } from '../session';
import { ActionForm, Field } from './action-form';
import type { CaseFormProps } from './case-form';

export function ReportForm(props: CaseFormProps) {
  const { meta } = useSession();
  const problems = props.v.case.rectification?.problems ?? [];
  return (
    <ActionForm
      id="form-report"
      title="报送整改报告"
      submit="报送"
      shown={props.shown}
      onSubmit={async (fd) => {
        const items = problems.map((_, i) => ({
          index: i,
          status: text(fd, `status-${i}`),
          date: optional(fd, `date-${i}`),
          reason: optional(fd, `reason-${i}`),
        }));
        const body = new FormData();
        body.append('items', JSON.stringify(items));
        const note = optional(fd, 'note');
        if (note) body.append('note', note);
        for (const f of fd.getAll('files')) if (f instanceof File && f.size) body.append('files', f, f.name);
        await props.api.report(body);
      }}
      onDone={props.onDone}
    >
      <Field label="报告文件">
        <input type="file" name="files" multiple required />
      </Field>
      {problems.map((p, i) => (
        <div class="problem-row" key={i}>
          <div>{`${i + 1}. ${p}`}</div>
          <Field label="整改状态">
            <select name={`status-${i}`}>
              {meta.itemStatuses.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </Field>
          <Field label="预计完成日期">
            <input type="date" name={`date-${i}`} />
          </Field>
          <Field label="原因">
            <input type="text" name={`reason-${i}`} />
          </Field>
        </div>
      ))}
      <Field label="说明">
        <textarea name="note" />
      </Field>
    </ActionForm>
  );
}

export function ReviewForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-review"
      title="审核整改报告"
      submit="提交审核"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.review({
          decision: text(fd, 'decision') === 'return' ? 'return' : 'accept',
          reasons: lines(text(fd, 'reasons')),
        });
      }}
      onDone={props.onDone}
    >
      <Field label="结论">
        <select name="decision">
          <option value="accept">验收通过</option>
          <option value="return">退回</option>
        </select>
      </Field>
      <Field label="退回理由（每行一条）">
        <textarea name="reasons" />
      </Field>
    </ActionForm>
  );
}

export function ExtendForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-extend"
      title="延长整改期限"
      submit="延期"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.extend({ newDueDate: text(fd, 'newDueDate'), reason: text(fd, 'reason') });
      }}
      onDone={props.onDone}
    >
      <Field label="新期限">
        <input type="date" name="newDueDate" required />
      </Field>
      <Field label="理由">
        <input type="text" name="reason" required />
      </Field>
    </ActionForm>
  );
}
