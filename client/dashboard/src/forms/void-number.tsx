/** 作废文号 (administrators): a number no letter carries; the server checks the case that drew it. */
import { yearApi } from '../api';
import { text } from '../format';
import { ActionForm, Field } from './action-form';

export function VoidNumberForm(props: { year: number; series: Record<string, string>; onDone(): Promise<void> }) {
  return (
    <ActionForm
      id="form-void-number"
      title="作废文号"
      submit="作废"
      onSubmit={async (fd) => {
        await yearApi(props.year).voidNumber({
          series: text(fd, 'series'),
          number: Number(text(fd, 'number')),
          reason: text(fd, 'reason'),
        });
      }}
      onDone={props.onDone}
    >
      <Field label="文号系列">
        <select name="series" required>
          {Object.entries(props.series).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="序号">
        <input type="number" name="number" min={1} required />
      </Field>
      <Field label="作废理由">
        <input type="text" name="reason" required />
      </Field>
    </ActionForm>
  );
}
