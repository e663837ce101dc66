/**
 * The programme's reporting beside the schedule: the monthly bulletin (执法指导情况通报) to the
 * counties and leaders, and the weekly digest (digest.ts).
 * Both run until the programme stops them; their prose is the plan's wording and templates.
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping, render } from '../lib/proxies';
import { addMonths, dayNumber } from '../shared/clock';
import { letterAttachments } from '../shared/documents';
import { planFormats, renderFormats } from '../shared/plan';
import type { StatisticsRow } from '../contracts/statistics';
import { onOrNextWorkingDay } from '../shared/schedule';
import type { ProgrammeContext } from './context';
import { digestLoop, rungName, supervisorsMail } from './digest';

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
      ...renderFormats(plan),
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
    ...(doc.ofd ? { ofd: doc.ofd } : {}),
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
  const text = { template: plan.wording.mail.bulletin, data: { docNumber, periodLabel } };
  // The mail activity fills the text from patch `text-in-mail` on (context.ts); awaited inline,
  // as before, so recorded runs keep their order of commands.
  const filled = ctx.textInMail ? undefined : await step('text', '邮件正文')(() => ctx.text.fillText(text));
  const send = () =>
    deliverLetter({
      step: `bulletin-${month}`,
      to: state.entries
        .filter((e) => e.status !== 'cancelled')
        .flatMap((e) =>
          ctx.counties
            .get(e.county)!
            .emails.map((address) => ({ name: ctx.counties.get(e.county)!.bureauName, address })),
        ),
      cc: leaders,
      content: { ...(filled ?? { text }), signature: [plan.bureau.name, date] },
      attachments: letterAttachments(doc, `${docNumber}-执法指导情况通报.pdf`, planFormats(plan)),
      supervisors: supervisorsMail(ctx),
      retry: ctx.input.mailRetry,
      mail: mailSettings(plan),
    });
  await (filled ? send() : step('text', '邮件正文')(send));
}
