/**
 * The programme's side of each visit: start the child on its notice day and follow it to its end
 * (or, for a visit an earlier run started, follow its progress notes), keeping the entry current.
 */
import { ParentClosePolicy, condition, isCancellation, startChild, workflowInfo } from '@temporalio/workflow';
import type { ScheduleEntry } from '../contracts/programme';
import { visitFailureNote } from '../shared/failure-words';
import { countyVisitWorkflow } from '../visit';
import type { ProgrammeContext } from './context';

/**
 * The visit closed (or vanished) between the accepted `cancelVisit` and its delivery: recorded on
 * the entry, not thrown, so a race never fails the year.
 */
export function cancelNotDelivered(ctx: ProgrammeContext, workflowId: string): void {
  const entry = ctx.state.entries.find((e) => e.visitWorkflowId === workflowId);
  ctx.audit(
    'system',
    'cancelNotDelivered',
    `${entry?.countyName ?? '该县区'} 的执法指导在取消送达前已经结束，取消未执行`,
  );
  if (entry) {
    // A visit that closed on its own is completed; one that vanished stays as the person decided.
    if (ctx.state.progress[entry.county]?.stage === 'closed') entry.status = 'completed';
    entry.note = `${entry.note ?? ''}（取消送达前已结束）`;
  }
  ctx.version++;
}

/** Starts the visit child and follows it to its end, keeping the entry's status current. */
export async function followVisit(ctx: ProgrammeContext, entry: ScheduleEntry): Promise<void> {
  const county = ctx.counties.get(entry.county)!;
  entry.status = 'started';
  entry.startedAt = new Date().toISOString();
  ctx.audit('system', 'startVisit', `启动 ${entry.countyName} 执法指导（${entry.date}）`);
  ctx.version++;
  try {
    const child = await ctx.counted(
      startChild(countyVisitWorkflow, {
        workflowId: entry.visitWorkflowId,
        args: [
          {
            programmeWorkflowId: workflowInfo().workflowId,
            plan: { ...ctx.plan, counties: [county] },
            county,
            date: entry.date,
            timeScale: ctx.input.timeScale,
            timeScaleEpochMs: ctx.epoch,
            mailRetry: ctx.input.mailRetry,
            visibility: ctx.input.visibility,
            reportTo: workflowInfo().workflowId,
            statsDrafts: ctx.statsDrafts.get(county.code),
          },
        ],
        // A visit's rectification outlives the programme's year; it must not die with it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      }),
    );
    await child.result();
    if (entry.status === 'started') {
      entry.status = 'completed';
      ctx.audit('system', 'visitCompleted', `${entry.countyName} 执法指导完成`);
    }
  } catch (err) {
    // Read through a widened type: TypeScript cannot see that an Update changed the status meanwhile.
    const now = entry.status as ScheduleEntry['status'];
    if (now === 'cancelled' || isCancellation(err)) {
      entry.status = 'cancelled';
    } else if (now === 'started') {
      entry.status = 'failed';
      entry.note = visitFailureNote(err);
      ctx.audit('system', 'visitFailed', `${entry.countyName} 执法指导失败：${entry.note}`);
    }
  }
  entry.endedAt = new Date().toISOString();
  ctx.version++;
}

/** A visit started by an earlier run of the programme: its end is known from its last progress note. */
export async function watchVisit(ctx: ProgrammeContext, entry: ScheduleEntry): Promise<void> {
  const ended = () => ['closed', 'cancelled'].includes(ctx.state.progress[entry.county]?.stage ?? '');
  await condition(() => entry.status !== 'started' || ended());
  if (entry.status !== 'started') return;
  const cancelled = ctx.state.progress[entry.county]!.stage === 'cancelled';
  entry.status = cancelled ? 'cancelled' : 'completed';
  if (!cancelled) ctx.audit('system', 'visitCompleted', `${entry.countyName} 执法指导完成`);
  entry.endedAt = new Date().toISOString();
  ctx.version++;
}
