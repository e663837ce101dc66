/**
 * The programme's reporting beside the schedule: the monthly bulletin (执法指导情况通报) to the
 * counties and leaders, and the weekly digest: each person's inbox (待办提醒) where visibility is on,
 * else the open problems to the supervisors (周交办).
 * Both run until the programme stops them; their prose is the plan's wording and templates.
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping, render } from '../lib/proxies';
import { addDays, addMonths, dayNumber, dayOfWeek } from '../shared/clock';
import type { VisitProgress } from '../contracts/programme';
import type { StatisticsRow } from '../contracts/statistics';
import { RUNG_LETTER } from '../shared/labels';
import { onOrNextWorkingDay } from '../shared/schedule';
import { daysText, type InboxPerson } from '../shared/todo';
import { TODO_DIGEST_FALLBACK, type MailText, type MailTextKind } from '../shared/wording';
import type { ProgrammeContext } from './context';

/** Runs the bulletin and digest loops until `stopped()`. */
export async function reporting(ctx: ProgrammeContext, stopped: () => boolean): Promise<void> {
  /**
   * Sleeps until `date` falls due; false when the programme stopped first. Always a timer (patch
   * `decide-by-events`): a date already due by a stale clock must not skip the wait that replay makes.
   */
  const until = async (date: string) => {
    const ms = ctx.clock.msUntil(date, Date.now());
    return !(await condition(stopped, ctx.eventDriven ? Math.max(ms, 1) : ms));
  };
  await Promise.all([bulletinLoop(ctx, stopped, until), digestLoop(ctx, stopped, until)]);
}

const supervisorsMail = (ctx: ProgrammeContext) =>
  ctx.plan.supervisors.filter((p) => p.email).map((p) => ({ name: p.name, address: p.email! }));
const rungName = (rung: VisitProgress['rung']) => (rung && rung !== 'none' ? RUNG_LETTER[rung] : '');

async function bulletinLoop(
  ctx: ProgrammeContext,
  stopped: () => boolean,
  until: (date: string) => Promise<boolean>,
): Promise<void> {
  const { plan, state } = ctx;
  const day = plan.reporting.bulletinDay;
  if (!day) return;
  const firstVisit = state.entries.map((e) => e.date).sort()[0] ?? `${plan.year}-01-01`;
  // The first bulletin goes out the month after the first visit; the last covers the year.
  let month = ctx.nextBulletinMonth ?? addMonths(firstVisit.slice(0, 7), 1);
  while (!stopped() && month <= `${plan.year + 1}-01`) {
    ctx.nextBulletinMonth = month;
    const date = onOrNextWorkingDay(`${month}-${String(day).padStart(2, '0')}`, ctx.cal!);
    if (!(await until(date))) return;
    // Counted by hand: the next month is recorded in the same turn as `busy` falls, so a
    // continue-as-new never carries a month already sent.
    ctx.busy++;
    try {
      // Never twice for one month, whatever a run was handed.
      if (!ctx.state.bulletins.some((b) => b.month === month)) await sendBulletin(ctx, month, date);
      month = addMonths(month, 1);
      ctx.nextBulletinMonth = month;
    } finally {
      ctx.busy--;
    }
  }
}

/**
 * The period the bulletin sent in `month` (YYYY-MM) covers, the months before it: 2027年1月 (not
 * 1—1月), 2027年1—5月, and `asOf`, where it ends, for its opening paragraph (截至5月底已对…). The
 * one sent after December covers the year (年度, 截至年底). Only the render's data changes with it,
 * not a command.
 */
export function bulletinPeriod(year: number, month: string): { periodLabel: string; asOf: string } {
  const [py, pm] = addMonths(month, -1).split('-').map(Number);
  const periodLabel = py! > year || pm === 12 ? `${year}年度` : pm === 1 ? `${year}年1月` : `${year}年1—${pm}月`;
  return { periodLabel, asOf: periodLabel.endsWith('年度') ? '年底' : `${pm}月底` };
}

async function sendBulletin(ctx: ProgrammeContext, month: string, date: string): Promise<void> {
  const { plan, state } = ctx;
  const caseId = workflowInfo().workflowId;
  // Overdue as of the bulletin's date: in rectification with the due date behind us.
  const overdue = Object.values(state.progress)
    .filter((p) => p.stage === 'rectification' && !p.reportPending && p.docNumber && p.dueDate && p.dueDate < date)
    .map((p) => ({ ...p, daysOverdue: dayNumber(date) - dayNumber(p.dueDate!) }));
  const visited = state.entries.filter((e) => e.status !== 'scheduled' && e.status !== 'cancelled').length;
  const zero = { inspections: 0, inspectors: 0, documents: 0, cases: 0, fines: 0, hazardsFound: 0, hazardsFixed: 0 };
  const rows: StatisticsRow[] = state.statistics?.rows ?? state.entries.map((e) => ({ county: e.countyName, ...zero }));
  const step =
    (name: string, what: string) =>
    <T>(fn: () => Promise<T>) =>
      ctx.steps.run(`bulletin-${month}:${name}`, `${month} 通报${what}`, fn);
  const seq = await step(
    'number',
    '取文号',
  )(() =>
    bookkeeping.allocateDocNumber({
      year: plan.year,
      bureau: plan.bureau.code,
      series: 'bulletin',
      requestId: `${caseId}:bulletin:${month}`,
    }),
  );
  const docNumber = `${plan.bureau.shortName}〔${plan.year}〕${seq}号`;
  const { periodLabel, asOf } = bulletinPeriod(plan.year, month);
  const countyName = (code: string) => state.entries.find((e) => e.county === code)?.countyName ?? code;
  const doc = await step(
    'render',
    '生成',
  )(() =>
    render.renderDocument({
      kind: 'bulletin',
      caseId,
      key: `bulletin-${month}`,
      templatesDir: plan.templatesDir,
      data: {
        bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
        issueDate: date,
        recipient: plan.wording.bulletin.recipient,
        docNumber,
        periodLabel,
        progress: {
          programme: `${plan.bureau.name}${plan.year}年度安全生产执法指导工作方案`,
          asOf,
          visited,
          statisticsPeriod: state.statistics?.period,
        },
        rows,
        overdue: overdue.map((p) => ({
          county: countyName(p.county),
          docNumber: p.docNumber!,
          dueDate: p.dueDate!,
          daysOverdue: p.daysOverdue,
          measure: `已发出${rungName(p.rung) || '催办'}${p.deductPoints ? `，年度考核扣 ${p.deductPoints} 分` : ''}`,
        })),
        requirements: plan.wording.bulletin.requirements,
      },
    }),
  );
  state.bulletins.push({
    month,
    docNumber,
    documentPath: doc.path,
    sha256: doc.sha256,
    overdue: overdue.map((p) => p.county),
    at: new Date().toISOString(),
  });
  ctx.audit(
    'system',
    'bulletin',
    `发出执法指导情况通报 ${docNumber}（${periodLabel}），通报逾期县区 ${overdue.length} 个`,
  );
  const leaders = [plan.approval.approver, ...(plan.approval.deputy ? [plan.approval.deputy] : []), ...plan.admins]
    .filter((p) => p.email)
    .map((p) => ({ name: p.name, address: p.email! }));
  const filled = await step(
    'text',
    '邮件正文',
  )(() => ctx.text.fillText({ template: plan.wording.mail.bulletin, data: { docNumber, periodLabel } }));
  await deliverLetter({
    step: `bulletin-${month}`,
    to: state.entries
      .filter((e) => e.status !== 'cancelled')
      .flatMap((e) =>
        ctx.counties
          .get(e.county)!
          .emails.map((address) => ({ name: ctx.counties.get(e.county)!.bureauName, address })),
      ),
    cc: leaders,
    content: { ...filled, signature: [plan.bureau.name, date] },
    attachments: [
      {
        path: doc.path,
        sha256: doc.sha256,
        filename: `${docNumber}-执法指导情况通报.pdf`,
        contentType: 'application/pdf',
      },
    ],
    supervisors: supervisorsMail(ctx),
    retry: ctx.input.mailRetry,
    mail: mailSettings(plan),
  });
}

async function digestLoop(
  ctx: ProgrammeContext,
  stopped: () => boolean,
  until: (date: string) => Promise<boolean>,
): Promise<void> {
  const { plan, state } = ctx;
  const weekday = plan.reporting.digestWeekday;
  if (!weekday) return;
  let date = ctx.lastDigestDate ?? ctx.today();
  while (!stopped()) {
    do date = addDays(date, 1);
    while (dayOfWeek(date) !== weekday % 7);
    if (!(await until(date))) return;
    // Counted by hand, not wrapped: an extra turn here would reorder the commands recorded histories hold.
    ctx.busy++;
    try {
      // Where visibility is on, each person gets their own inbox (待办) instead (ctx.inboxDigest).
      if (ctx.inboxDigest) {
        await inboxDigest(ctx, date);
        continue;
      }
      const open = Object.values(state.progress).filter((p) => p.stage === 'rectification');
      if (open.length === 0) continue;
      const to = supervisorsMail(ctx);
      if (to.length === 0) {
        // Nobody to send it to: recorded, and the year goes on.
        state.digests.push({
          week: date,
          open: open.length,
          at: new Date().toISOString(),
          skipped: '指导组成员均无邮箱地址',
        });
        ctx.audit('system', 'digestSkipped', `${date} 周交办未发送：指导组成员均无邮箱地址`);
        continue;
      }
      state.digests.push({ week: date, open: open.length, at: new Date().toISOString() });
      const filled = await ctx.steps.run(`digest-${date}:text`, `${date} 周交办邮件正文`, () =>
        ctx.text.fillText({
          template: plan.wording.mail.digest,
          data: {
            week: date,
            openProblems: open.reduce((n, p) => n + (p.openProblems?.length ?? 0), 0),
            open: open.map((p) => ({
              countyName: state.entries.find((e) => e.county === p.county)?.countyName ?? p.county,
              docNumber: p.docNumber ?? '',
              dueDate: p.dueDate ?? '—',
              overdue: p.overdue,
              daysOverdue: p.daysOverdue,
              rungName: rungName(p.rung),
              problems: (p.openProblems ?? []).join('；'),
            })),
          },
        }),
      );
      await deliverLetter({
        step: `digest-${date}`,
        to,
        content: { ...filled, signature: [plan.bureau.name] },
        supervisors: [],
        retry: ctx.input.mailRetry,
        mail: mailSettings(plan),
      });
    } finally {
      ctx.busy--;
      ctx.lastDigestDate = date;
    }
  }
}

/** The people whose inbox is mailed weekly: the plan's staff and the counties, each with an address. */
function inboxPeople(plan: ProgrammeContext['plan']): InboxPerson[] {
  const staff = [
    ...plan.supervisors.map((p) => ({ ...p, role: 'supervisor' as const })),
    { ...plan.approval.approver, role: 'leader' as const },
    ...(plan.approval.deputy ? [{ ...plan.approval.deputy, role: 'leader' as const }] : []),
    ...plan.admins.map((p) => ({ ...p, role: 'admin' as const })),
  ].flatMap((p) => (p.email ? [{ id: p.id, name: p.name, role: p.role, email: p.email }] : []));
  const counties = plan.counties.flatMap((c) =>
    c.emails[0]
      ? [{ id: c.code, name: c.bureauName, role: 'county' as const, county: c.code, email: c.emails[0] }]
      : [],
  );
  return [...staff, ...counties];
}

/** 待办提醒: each person's inbox as of `date`, one mail per person with anything waiting on them. */
async function inboxDigest(ctx: ProgrammeContext, date: string): Promise<void> {
  const { plan, state } = ctx;
  const inboxes = await ctx.steps.run(`todo-digest-${date}:collect`, `${date} 汇总各人待办`, () =>
    bookkeeping.collectTodos({ bureau: plan.bureau.code, year: plan.year, people: inboxPeople(plan) }),
  );
  const due = inboxes.filter((x) => x.items.length > 0);
  state.digests.push({
    week: date,
    open: due.reduce((n, x) => n + x.items.length, 0),
    at: new Date().toISOString(),
    ...(due.length ? {} : { skipped: '无人有待办事项' }),
  });
  const template = (plan.wording.mail as Partial<Record<MailTextKind, MailText>>).todoDigest ?? TODO_DIGEST_FALLBACK;
  for (const { person, items } of due) {
    const filled = await ctx.steps.run(
      `todo-digest-${date}-${person.id}:text`,
      `${date} ${person.name}的待办提醒正文`,
      () =>
        ctx.text.fillText({
          template,
          data: {
            asOf: date,
            name: person.name,
            count: items.length,
            items: items.map((i) => ({ title: i.title, due: i.due, days: daysText(i.daysLeft) })),
          },
        }),
    );
    await deliverLetter({
      step: `todo-digest-${date}-${person.id}`,
      to: [{ name: person.name, address: person.email }],
      content: { ...filled, signature: [plan.bureau.name] },
      supervisors: [],
      retry: ctx.input.mailRetry,
      mail: mailSettings(plan),
    });
  }
  ctx.audit(
    'system',
    'todoDigest',
    `${date} 待办提醒：${due.length} 人，共 ${due.reduce((n, x) => n + x.items.length, 0)} 项`,
  );
}
