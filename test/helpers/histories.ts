/**
 * The replay corpus (test/histories/*.history.bin): binary protobuf `temporal.api.history.v1.History`
 * exactly as the server returned it. Read by test/replay.test.ts and written by
 * scripts/record-histories.ts, which both ask the same questions of a history: which workflow it
 * is, and which Updates it accepted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

type History = temporal.api.history.v1.IHistory;

/**
 * The Update kinds the corpus must hold, each accepted at least once: every human step of a visit,
 * both review decisions, the administrator's retry after an incident, the programme's schedule and
 * statistics Updates, and the numbering workflow's allocation. `reviewReport:accept` /
 * `reviewReport:return` are told apart by the decision in the arguments.
 */
export const REQUIRED_UPDATES = [
  'addEvidence',
  'setFinding',
  'setEnterpriseResult',
  'submit',
  'approve',
  'return',
  'submitReport',
  'reviewReport:accept',
  'reviewReport:return',
  'extendDue',
  'recordReinspection',
  'retry',
  'recordStatistics',
  'reschedule',
  'addCounty',
  'cancelVisit',
  'allocateNumber',
  'acknowledge',
  'applyCalendar',
  'correctRoster',
  'correctCountyEmails',
] as const;

export interface RecordedHistory {
  file: string;
  /** The file name without `.history.bin`, used as the replay's workflow id. */
  workflowId: string;
  history: temporal.api.history.v1.History;
}

/** Every `*.history.bin` in `dir`, decoded, in file-name order. */
export function readHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.history.bin'))
    .sort()
    .map((file) => ({
      file,
      workflowId: file.replace(/\.history\.bin$/, ''),
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(dir, file))),
    }));
}

/** The workflow type named by the history's first event (WorkflowExecutionStarted). */
export function workflowTypeOf(history: History): string {
  const name = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (!name) throw new Error('history does not begin with WorkflowExecutionStarted');
  return name;
}

/** How the history ends: the last event's type, e.g. `EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED`. */
export function lastEventType(history: History): string {
  const last = history.events?.[history.events.length - 1];
  return last?.eventType != null ? temporal.api.enums.v1.EventType[last.eventType] : 'none';
}

/**
 * The Updates the history accepted (WorkflowExecutionUpdateAccepted events), by name;
 * `reviewReport` counted under `reviewReport:<decision>`.
 */
export function acceptedUpdates(history: History): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const input = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (!input?.name) continue;
    let name = input.name;
    if (name === 'reviewReport') {
      const data = input.args?.payloads?.[0]?.data;
      const decision = data
        ? (JSON.parse(Buffer.from(data).toString('utf8')) as { decision?: string }).decision
        : undefined;
      name = `reviewReport:${decision ?? '?'}`;
    }
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The sum of `acceptedUpdates` over several histories. */
export function corpusUpdates(histories: History[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const h of histories) for (const [k, v] of Object.entries(acceptedUpdates(h))) total[k] = (total[k] ?? 0) + v;
  return total;
}
