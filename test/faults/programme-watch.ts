/**
 * Watches a running programme from outside for the continue-as-new fault test: each run it sees
 * (by runId), the last state each run answered, every status the latest run showed, and the
 * moment the month-end archive activity is pending — so the test can kill the worker right then.
 */
import type { Client } from '@temporalio/client';
import { scheduleQuery, type ProgrammeCarry, type ProgrammeState } from '../../workflows/contracts/programme';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunSeen {
  runId: string;
  /** Real time the watcher first saw it. */
  seenAt: number;
  /** The last state this run answered while it was the latest. */
  last?: ProgrammeState;
}

export class ProgrammeWatch {
  readonly runs: RunSeen[] = [];
  /** Every status the latest run showed (RUNNING until the year's end, then COMPLETED). */
  readonly statuses = new Set<string>();
  /** Called once per sighting of a pending `archiveProgramme` activity, with its state; cleared after. */
  onArchive?: (state: string) => void;
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    readonly workflowId: string,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    // One last sighting: the loop may have last looked just before the final run completed.
    const d = await this.client.workflow
      .getHandle(this.workflowId)
      .describe()
      .catch(() => undefined);
    if (d) this.statuses.add(d.status.name);
  }

  private async loop(): Promise<void> {
    let lastQuery = 0;
    while (!this.stopped) {
      const d = await this.client.workflow
        .getHandle(this.workflowId)
        .describe()
        .catch(() => undefined);
      if (d) {
        this.statuses.add(d.status.name);
        if (this.runs.at(-1)?.runId !== d.runId) this.runs.push({ runId: d.runId, seenAt: Date.now() });
        const archive = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'archiveProgramme');
        if (archive && this.onArchive) {
          const cb = this.onArchive;
          this.onArchive = undefined;
          cb(String(archive.state));
        }
        if (d.status.name === 'RUNNING' && Date.now() - lastQuery > 250) {
          lastQuery = Date.now();
          const s = await this.client.workflow
            .getHandle(this.workflowId, d.runId)
            .query(scheduleQuery)
            .catch(() => undefined);
          const run = this.runs.find((r) => r.runId === d.runId);
          if (s && run) run.last = s;
        }
      }
      // Fast while the test waits for the archive activity: it may last only a few hundred ms.
      await sleep(this.onArchive ? 10 : 60);
    }
  }

  /** The carry a run handed its successor, from its WorkflowExecutionContinuedAsNew event. */
  async carried(runId: string): Promise<ProgrammeCarry | undefined> {
    const history = await this.client.workflow.getHandle(this.workflowId, runId).fetchHistory();
    const ev = history.events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes);
    const payload = ev?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0];
    if (!payload?.data) return undefined;
    return (JSON.parse(Buffer.from(payload.data).toString('utf8')) as { carried?: ProgrammeCarry }).carried;
  }
}

/**
 * What makes a run unfit to continue: a programme incident open (its step keeps the run busy, so it
 * never continues as new), or a bulletin month recorded twice. Empty when healthy.
 */
export function problems(s: ProgrammeState | undefined): string[] {
  if (!s) return [];
  const months = s.bulletins.map((b) => b.month);
  const twice = months.filter((m, i) => months.indexOf(m) !== i);
  const weeks = s.digests.map((x) => x.week);
  const weeksTwice = weeks.filter((w, i) => weeks.indexOf(w) !== i);
  return [
    ...s.incidents.filter((i) => !i.retriedAt).map((i) => `incident ${i.step}: ${i.error.message}`),
    ...twice.map((m) => `bulletin ${m} recorded twice`),
    ...weeksTwice.map((w) => `digest ${w} recorded twice`),
  ];
}

/** Polls `ok` every 100 ms until true; throws after `ms`. */
export async function waitUntil(ok: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** `earlier` is a prefix of `later`: nothing recorded was lost or rewritten. */
export function isPrefix<T>(earlier: T[], later: T[]): boolean {
  return earlier.length <= later.length && earlier.every((x, i) => JSON.stringify(x) === JSON.stringify(later[i]));
}
