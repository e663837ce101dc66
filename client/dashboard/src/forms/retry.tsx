/**
 * 排除故障后重试: an administrator retries a step that failed for good, once its cause is fixed —
 * a case's (`form-retry`) or the programme's (`form-programme-retry`). Shown only while an
 * incident is open, and only to administrators (the route and the workflow allow no one else).
 */
import { caseApi, yearApi } from '../api';
import { optional } from '../format';
import type { Incident } from '../types';
import { ActionForm, Field } from './action-form';

const openOf = (incidents: Incident[] | undefined) => (incidents ?? []).find((i) => !i.retriedAt);

export function CaseRetryForm(props: {
  api: ReturnType<typeof caseApi>;
  incidents?: Incident[];
  admin: boolean;
  onDone(): Promise<void>;
}) {
  const open = openOf(props.incidents);
  return (
    <ActionForm
      id="form-retry"
      title={`排除故障后重试（${open?.id ?? ''}）`}
      submit="重试"
      shown={Boolean(open) && props.admin}
      onSubmit={async (fd) => {
        await props.api.retry({ incident: open!.id, note: optional(fd, 'note') });
      }}
      onDone={props.onDone}
    >
      <Field label="处理说明">
        <input type="text" name="note" placeholder="如：模板已修正" />
      </Field>
    </ActionForm>
  );
}

export function ProgrammeRetryForm(props: { year: number; incidents: Incident[]; onDone(): Promise<void> }) {
  const open = openOf(props.incidents);
  return (
    <ActionForm
      id="form-programme-retry"
      title={`计划故障：排除后重试（${open ? `${open.id} ${open.what}` : ''}）`}
      submit="重试"
      shown={Boolean(open)}
      onSubmit={async (fd) => {
        await yearApi(props.year).programmeRetry({ incident: open!.id, note: optional(fd, 'note') });
      }}
      onDone={props.onDone}
    >
      {open && <p class="muted">{`${open.error.type || '错误'}：${open.error.message}`}</p>}
      <Field label="处理说明">
        <input type="text" name="note" placeholder="如：模板已修正" />
      </Field>
    </ActionForm>
  );
}
