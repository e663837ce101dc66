/**
 * The case's visible status, kept current on every audited step: search attributes for the board,
 * the inbox and `guidance list` (Temporal visibility), and numbered progress notes to the programme
 * (its bulletin and digest). Each is sent only when it changed.
 */
import { getExternalWorkflowHandle, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { daysBetween } from '../shared/clock';
import { visitProgressSignal, type VisitProgress } from '../contracts/programme';
import { openIncident } from '../contracts/incidents';
import {
  GuidanceBureau,
  GuidanceCounty,
  GuidanceDueDate,
  GuidanceIncident,
  GuidanceOverdue,
  GuidanceRung,
  GuidanceStage,
  GuidanceWaitingOn,
  GuidanceYear,
  dueDateValue,
} from '../shared/search-attributes';
import { waitingOn } from '../shared/todo';
import type { VisitCase, VisitInput } from '../contracts/visit';

/**
 * What makes a progress note worth a signal in runs from patch `lean-progress-notes` (decided at
 * the start; each note costs the visit and the programme a workflow task): not the days overdue
 * alone, which the programme counts itself from the due date (its bulletin always did, the digest
 * from then on), and not the opinion letter's number or the short step from 出具意见书 to its next label,
 * which the next note (rectification or closed) carries. Runs recorded before send on every change.
 */
export function noteworthy(p: VisitProgress): unknown {
  const { daysOverdue: _days, ...rest } = p;
  return p.stage === 'issuing' || p.stage === 'issued' ? { ...rest, stage: 'issuing', docNumber: undefined } : rest;
}

/**
 * Publishes the case's stage, due date, rung and overdue flag: as search attributes (the board and
 * `guidance list` find it through Temporal visibility; skipped where the service has none, the
 * time-skipping test server) and as a progress signal to the programme (bulletin, digest).
 * Each is sent only when it changed.
 */
export function createPublisher(
  input: VisitInput,
  inbox: boolean,
  approverOnSubmit: boolean,
  lean = false,
): { publish(state: VisitCase, today: string): void; lastSignal: Promise<void> } {
  let published = '';
  let reported = '';
  let notes = 0;
  const self = {
    /** The last progress note in flight: a workflow that completes in the same task could drop it. */
    lastSignal: Promise.resolve(),
    publish,
  };
  return self;
  function publish(state: VisitCase, today: string): void {
    const r = state.rectification;
    if (input.reportTo) {
      const progress: VisitProgress = {
        county: input.county.code,
        stage: state.stage,
        docNumber: state.letter?.docNumber,
        dueDate: r?.dueDate,
        rung: r?.rung,
        overdue: r?.overdue,
        daysOverdue: r ? Math.max(0, daysBetween(r.dueDate, today)) : undefined,
        listedInBulletin: r?.listedInBulletin,
        reportPending: r?.reports.some((x) => !x.review) ?? false,
        deductPoints: r?.deductions.reduce((a, b) => a + b.points, 0),
        openProblems: state.stage === 'rectification' ? r?.problems : [],
      };
      const key = JSON.stringify(lean ? noteworthy(progress) : progress);
      if (key !== reported) {
        reported = key;
        // Numbered: two notes sent in one task may arrive in either order (latestProgress).
        const note: VisitProgress = { ...progress, seq: ++notes, run: workflowInfo().runId };
        // The programme may have ended (its visits outlive it): a lost progress note harms nothing.
        self.lastSignal = getExternalWorkflowHandle(input.reportTo)
          .signal(visitProgressSignal, note)
          .catch(() => undefined);
      }
    }
    if (!input.visibility) return;
    const incident = openIncident(state.incidents) !== undefined;
    const waiting = inbox ? waitingOn(state, { approverFromStage: approverOnSubmit }) : undefined;
    const key = JSON.stringify([state.stage, r?.dueDate, r?.rung, r?.overdue, incident, ...(waiting ? [waiting] : [])]);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: GuidanceYear, value: input.plan.year },
      { key: GuidanceBureau, value: input.plan.bureau.code },
      { key: GuidanceCounty, value: input.county.code },
      { key: GuidanceStage, value: state.stage },
      { key: GuidanceRung, value: r?.rung ?? 'none' },
      { key: GuidanceOverdue, value: r?.overdue ?? false },
      { key: GuidanceIncident, value: incident },
      ...(r ? [{ key: GuidanceDueDate, value: dueDateValue(r.dueDate) }] : []),
      ...(waiting ? [{ key: GuidanceWaitingOn, value: waiting }] : []),
    ]);
  }
}
