/**
 * 现场指导 (supervisors, stage onsite): evidence upload, a checklist finding, a sampled enterprise's
 * results, and the submission for approval (refused by the workflow with what is still missing).
 */
import { optional, lines, text } from '../format';
import { useSession } from '../session';
import { ActionForm, Field } from './action-form';
import type { CaseFormProps } from './case-form';

function ItemSelect() {
  const { meta } = useSession();
  return (
    <select name="item" required>
      {meta.checklist.map((s) => (
        <optgroup key={s.title} label={s.title}>
          {s.items.map((i) => (
            <option key={i.key} value={i.key}>
              {i.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

export function EvidenceForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-evidence"
      title="上传证据材料"
      submit="上传"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.evidence(fd);
      }}
      onDone={props.onDone}
    >
      <Field label="文件">
        <input type="file" name="file" required />
      </Field>
      <Field label="检查项">
        <ItemSelect />
      </Field>
      <Field label="说明">
        <input type="text" name="note" />
      </Field>
    </ActionForm>
  );
}

export function FindingForm(props: CaseFormProps) {
  const { meta } = useSession();
  return (
    <ActionForm
      id="form-finding"
      title="检查结论"
      submit="保存"
      shown={props.shown}
      onSubmit={async (fd) => {
        await props.api.finding({
          item: text(fd, 'item'),
          result: text(fd, 'result'),
          problem: optional(fd, 'problem'),
          opinion: optional(fd, 'opinion'),
        });
      }}
      onDone={props.onDone}
    >
      <Field label="检查项">
        <ItemSelect />
      </Field>
      <Field label="结论">
        <select name="result">
          {meta.findingResults.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </Field>
      <Field label="存在问题">
        <textarea name="problem" />
      </Field>
      <Field label="处理意见">
        <textarea name="opinion" />
      </Field>
    </ActionForm>
  );
}

export function EnterpriseForm(props: CaseFormProps) {
  const sample = props.v.kind === 'staff' ? props.v.case.sample : undefined;
  return (
    <ActionForm
      id="form-enterprise"
      title="抽查企业核查结果"
      submit="保存"
      shown={props.shown && Boolean(sample)}
      onSubmit={async (fd) => {
        const opinion = optional(fd, 'opinion');
        await props.api.enterprise({
          enterprise: text(fd, 'enterprise'),
          checks: [
            ...lines(text(fd, 'problems')).map((t) => ({ result: '发现问题' as const, text: t, opinion })),
            ...lines(text(fd, 'clean')).map((t) => ({ result: '未发现问题' as const, text: t })),
          ],
        });
      }}
      onDone={props.onDone}
    >
      <Field label="企业">
        <select name="enterprise">
          {sample?.enterprises.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="发现的问题或隐患（每行一条；没有则留空）">
        <textarea name="problems" />
      </Field>
      <Field label="处理意见（针对上述问题）">
        <input type="text" name="opinion" />
      </Field>
      <Field label="未发现问题的核查结果（每行一条，如：未发现重大事故隐患）">
        <textarea name="clean" />
      </Field>
    </ActionForm>
  );
}

export function SubmitForm(props: CaseFormProps) {
  return (
    <ActionForm
      id="form-submit"
      title="提交审批"
      submit="提交"
      shown={props.shown}
      onSubmit={async () => {
        await props.api.submit();
      }}
      onDone={props.onDone}
    >
      <p class="muted">检查结论填写完整后提交分管局领导审批。</p>
    </ActionForm>
  );
}
