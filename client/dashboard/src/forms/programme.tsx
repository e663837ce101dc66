/**
 * The programme's forms on the board, for those the programme lets change the schedule
 * (administrators and supervisors): 调整指导日期, 取消执法指导, 增加县区, 导入执法统计表, and the
 * programme's incident retry for administrators. The schedule is read once and after each change.
 */
import { yearApi } from '../api';
import { optional, parseRoster, text } from '../format';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import type { ScheduleEntry } from '../types';
import { ActionForm, Field } from './action-form';
import { ProgrammeRetryForm } from './retry';

/** Roles that may change the year's schedule (the programme workflow allows the same). */
const SCHEDULERS = ['admin', 'supervisor'];

function CountySelect({ entries }: { entries: ScheduleEntry[] }) {
  return (
    <select name="county" required>
      {entries.map((e) => (
        <option key={e.county} value={e.county}>{`${e.countyName}（${e.date}）`}</option>
      ))}
    </select>
  );
}

interface Props {
  year: number;
  onDone(): Promise<void>;
}

export function ProgrammeForms({ year, onDone }: Props) {
  const { me } = useSession();
  const role = me.user.role;
  const may = SCHEDULERS.includes(role);
  const api = yearApi(year);
  const programme = useLoad(() => (may ? api.programme() : Promise.resolve(undefined)), `programme/${year}`);
  if (!may) return null;
  const p = programme.data;
  const entries = p?.entries ?? [];
  const scheduled = entries.filter((e) => e.status === 'scheduled');
  const cancellable = entries.filter((e) => e.status === 'scheduled' || e.status === 'started');
  const done = async () => {
    await Promise.all([programme.reload(), onDone()]);
  };
  return (
    <section id="programme-forms" class="no-print">
      <h2>计划办理</h2>
      {programme.error && <p class="muted">计划读取失败：{programme.error}</p>}
      {p && role === 'admin' && <ProgrammeRetryForm year={year} incidents={p.incidents} onDone={done} />}
      <ActionForm
        id="form-reschedule"
        title="调整指导日期"
        submit="改期"
        shown={scheduled.length > 0}
        onSubmit={async (fd) => {
          await api.reschedule({ county: text(fd, 'county'), date: text(fd, 'date'), reason: text(fd, 'reason') });
        }}
        onDone={done}
      >
        <Field label="县区">
          <CountySelect entries={scheduled} />
        </Field>
        <Field label="新日期">
          <input type="date" name="date" required />
        </Field>
        <Field label="理由">
          <input type="text" name="reason" required />
        </Field>
      </ActionForm>
      <ActionForm
        id="form-cancel-visit"
        title="取消一个县区的执法指导"
        submit="取消执法指导"
        shown={cancellable.length > 0}
        onSubmit={async (fd) => {
          await api.cancelVisit({ county: text(fd, 'county'), reason: text(fd, 'reason') });
        }}
        onDone={done}
      >
        <Field label="县区">
          <CountySelect entries={cancellable} />
        </Field>
        <Field label="理由">
          <input type="text" name="reason" required />
        </Field>
      </ActionForm>
      <AddCountyForm year={year} onDone={done} />
      <StatisticsForm year={year} onDone={done} />
    </section>
  );
}

export function AddCountyForm({ year, onDone }: Props) {
  return (
    <ActionForm
      id="form-add-county"
      title="增加县区"
      submit="增加"
      onSubmit={async (fd) => {
        await yearApi(year).addCounty({
          county: {
            code: text(fd, 'code'),
            name: text(fd, 'name'),
            bureauName: text(fd, 'bureauName'),
            emails: text(fd, 'emails')
              .split(/[,，;；\s]+/)
              .filter(Boolean),
            contact: { name: text(fd, 'contactName'), phone: text(fd, 'phone') },
            enterprises: parseRoster(text(fd, 'enterprises')),
          },
          date: optional(fd, 'date'),
          reason: text(fd, 'reason'),
        });
      }}
      onDone={onDone}
    >
      <Field label="县区代码">
        <input type="text" name="code" required placeholder="小写字母、数字、连字符，如 beishan" />
      </Field>
      <Field label="县区名称">
        <input type="text" name="name" required />
      </Field>
      <Field label="应急管理局全称">
        <input type="text" name="bureauName" required />
      </Field>
      <Field label="收件邮箱（逗号分隔）">
        <input type="text" name="emails" required />
      </Field>
      <Field label="联系人">
        <input type="text" name="contactName" required />
      </Field>
      <Field label="联系电话">
        <input type="text" name="phone" required />
      </Field>
      <Field label="企业名单（每行：编号,名称,行业,重点或一般）">
        <textarea name="enterprises" />
      </Field>
      <Field label="指导日期（不填则自动安排）">
        <input type="date" name="date" />
      </Field>
      <Field label="理由">
        <input type="text" name="reason" required />
      </Field>
    </ActionForm>
  );
}

export function StatisticsForm({ year, onDone }: Props) {
  return (
    <ActionForm
      id="form-statistics"
      title="导入执法统计表"
      submit="导入"
      onSubmit={async (fd) => {
        const body = new FormData();
        body.append('period', text(fd, 'period'));
        const file = fd.get('file');
        if (file instanceof File) body.append('file', file, file.name);
        await yearApi(year).statistics(body);
      }}
      onDone={onDone}
    >
      <Field label="统计表（CSV 或 XLSX）">
        <input type="file" name="file" required accept=".csv,.xlsx" />
      </Field>
      <Field label="统计期">
        <input type="text" name="period" required placeholder="如 2027年1—6月" />
      </Field>
    </ActionForm>
  );
}
