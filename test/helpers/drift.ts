/**
 * A recorded history with its clock drifted: each workflow task's start read later than recorded,
 * as a replay reads it when the live task ran with a stale clock (test/replay-drift.test.ts,
 * test/visit-replay-drift.timeskip.test.ts).
 */
import { google, temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.History;

const millis = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) =>
  Number(t!.seconds) * 1000 + Math.floor((t!.nanos ?? 0) / 1e6);

/**
 * A copy of `history` whose k-th workflow task starts `fractions[k]` of the way to the next task's
 * start (`later`: a replay reading a clock fresher than the live task's), or back towards the
 * previous task's start (`earlier`: the recorded task read as a stale clock would have read it).
 */
export function drifted(history: History, fractions: number[], direction: 'later' | 'earlier' = 'later'): History {
  const copy = temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(history).finish());
  const starts = copy.events.filter((e) => e.workflowTaskStartedEventAttributes);
  const recorded = starts.map((e) => millis(e.eventTime));
  for (let k = 0; k < starts.length; k++) {
    const other = direction === 'later' ? recorded[k + 1] : recorded[k - 1];
    if (other === undefined) continue;
    const from = recorded[k]!;
    const at = from + Math.trunc((other - from) * (fractions[k % fractions.length] ?? 0));
    starts[k]!.eventTime = google.protobuf.Timestamp.fromObject({
      seconds: Math.floor(at / 1000),
      nanos: (at % 1000) * 1_000_000,
    });
  }
  return copy;
}
