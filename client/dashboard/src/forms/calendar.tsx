/**
 * 应用国务院节假日安排 (administrators, `form-calendar`): when the State Council publishes a year's
 * holidays after the programme started, the administrator types them in as the notice gives them;
 * POST /api/years/:year/calendar applies them to the running programme and its visits. Each
 * workflow's answer (the dates it moved, or why it did not take the calendar) stays under the form.
 */
import { useState } from 'preact/hooks';
import { yearApi } from '../api';
import { parseDates, parseHolidays, text } from '../format';
import type { AppliedTo } from '../types';
import { ActionForm, Field } from './action-form';

function Results({ applied }: { applied: AppliedTo[] }) {
  return (
    <table id="calendar-results">
      <thead>
        <tr>
          <th>工作流</th>
          <th>结果</th>
        </tr>
      </thead>
      <tbody>
        {applied.map((a) => (
          <tr key={a.workflowId} class={a.error ? 'overdue' : ''}>
            <td>{a.workflowId}</td>
            <td>
              {a.error ? (
                `未应用：${a.error}`
              ) : a.result?.moves.length ? (
                <ul>
                  {a.result.moves.map((m, i) => (
                    <li key={i}>{`${m.what}：${m.from} → ${m.to}`}</li>
                  ))}
                </ul>
              ) : (
                '已应用，日期无需调整'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CalendarForm({ year, onDone }: { year: number; onDone(): Promise<void> }) {
  const [applied, setApplied] = useState<AppliedTo[] | null>(null);
  return (
    <ActionForm
      id="form-calendar"
      title="应用国务院节假日安排"
      submit="应用日历"
      onSubmit={async (fd) => {
        const y = Number(text(fd, 'year'));
        const { result } = await yearApi(y).calendar({
          year: y,
          source: text(fd, 'source'),
          holidays: parseHolidays(text(fd, 'holidays')),
          workdays: parseDates(text(fd, 'workdays')),
        });
        setApplied(result);
        const refused = result.filter((a) => a.error).length;
        return {
          kind: refused ? 'error' : 'ok',
          text: `${y} 年节假日安排已应用：${result.length - refused} 个工作流${refused ? `，${refused} 个未应用` : ''}`,
        };
      }}
      onDone={onDone}
      after={applied && <Results applied={applied} />}
    >
      <p class="muted">未过的指导日期、整改期限和签收期限按新日历顺延，县区收到通知；已过的日期不变。</p>
      <Field label="年度">
        <input type="number" name="year" defaultValue={String(year)} min={2000} max={2100} required />
      </Field>
      <Field label="依据">
        <input type="text" name="source" required placeholder={`国务院办公厅关于${year}年部分节假日安排的通知`} />
      </Field>
      <Field label="放假安排（每行：名称,开始日期,结束日期）">
        <textarea name="holidays" required placeholder={`元旦,${year}-01-01,${year}-01-03`} />
      </Field>
      <Field label="调休上班日（空格或逗号分隔）">
        <input type="text" name="workdays" placeholder={`${year}-02-14 ${year}-02-20`} />
      </Field>
    </ActionForm>
  );
}
