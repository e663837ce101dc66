/**
 * The full-year demo: one programme run to its end on compressed dates by the simulated people of
 * client/simulation/people.ts (supervisors, leaders, counties on time or late at every rung), who
 * act only through the same Updates as the CLI and the HTTP API.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { scheduleQuery, type ProgrammeState } from '../workflows/contracts/programme';
import type { Plan } from '../workflows/shared/plan';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import type { EvidenceStore } from '../activities/evidence/store';
import { startProgramme } from './programme';
import { isTransient, People, type EvidenceDoor, type Profile } from './simulation/people';

export interface DemoProgress {
  today: string;
  closed: number;
  total: number;
  stages: Record<string, number>;
}

export interface DemoOutcome {
  county: string;
  name: string;
  profile: Profile;
  visitDate: string;
  docNumber?: string;
  dueDate?: string;
  rung: string;
  escalations: number;
  reports: number;
  late: boolean;
  deductPoints: number;
  stage: string;
}

export interface DemoOptions {
  client: Client;
  plan: Plan;
  taskQueue: string;
  /** Real milliseconds per simulated day. */
  msPerDay: number;
  /** Simulated date the programme starts on. */
  startDate: string;
  /** The evidence store the people put files in, or its folder on this host. */
  evidenceDir: EvidenceStore | string;
  /** How the supervisor's evidence gets in (the cluster proof: through a dashboard); the store by default. */
  evidence?: EvidenceDoor;
  visibility?: boolean;
  mailRetry?: {
    initialIntervalMs?: number;
    maximumIntervalMs?: number;
    giveUpAfterMs?: number;
    attemptTimeoutMs?: number;
  };
  onProgress?: (p: DemoProgress) => void;
  /** Stop waiting after this long (real ms). */
  timeoutMs?: number;
  /** Stop waiting when aborted (the demo stopped early): the result rejects. */
  signal?: AbortSignal;
}

/** Runs one programme to its end with simulated people; returns each county's outcome. */
export async function runDemo(opts: DemoOptions): Promise<{ programme: ProgrammeState; outcomes: DemoOutcome[] }> {
  const { client, plan } = opts;
  const people = new People(client, plan, opts.evidenceDir, { evidence: opts.evidence });
  const handle = await startProgramme(client, plan, {
    taskQueue: opts.taskQueue,
    timeScale: { msPerDay: opts.msPerDay, startDate: opts.startDate },
    visibility: opts.visibility ?? true,
    mailRetry: opts.mailRetry,
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 60 * 60_000);

  let state = await handle.query(scheduleQuery);
  const cases = new Map<string, VisitCase>();
  /** Completed visits whose case was read after they completed: their outcome is final. */
  const readCompleted = new Set<string>();
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    try {
      // As of now: the progress bar's 模拟日期 moves on between the programme's events.
      const q = handle.query(scheduleQuery, { nowMs: Date.now() });
      q.catch(() => undefined);
      const got = await Promise.race([q, new Promise<undefined>((res) => setTimeout(() => res(undefined), 15_000))]);
      if (!got) continue; // no worker answering: ask again
      state = got;
    } catch (err) {
      // The service or the worker is down (a restart, a fault test): wait and ask again.
      if (Date.now() + 1000 > deadline) throw err;
      await new Promise((res) => setTimeout(res, 500));
      continue;
    }
    for (const e of state.entries) {
      // A completed visit is read once more for the outcome table, then left alone once closed.
      const lastLook = e.status === 'completed' && cases.get(e.county)?.stage !== 'closed';
      if (!people.wantsToRead(e, state.progress[e.county]) && !lastLook) continue;
      let c: VisitCase;
      try {
        // A query waits for a worker; while none runs, skip this visit this round.
        const q = client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery);
        q.catch(() => undefined);
        const got = await Promise.race([q, new Promise<undefined>((res) => setTimeout(() => res(undefined), 15_000))]);
        if (!got) continue;
        c = got;
      } catch {
        continue; // just started: not yet answering
      }
      cases.set(e.county, c);
      if (e.status === 'completed') readCompleted.add(e.county);
      try {
        // An Update sent just as the server died can be lost without an answer; give up waiting
        // after a while: the next round reads the state again and repeats what is still needed.
        const attempt = people.act(e.county, c);
        attempt.catch(() => undefined);
        await Promise.race([attempt, new Promise((res) => setTimeout(res, Math.max(15_000, opts.msPerDay * 20)))]);
      } catch (err) {
        // A refusal because the case moved on meanwhile, or a worker or server that is down: the
        // next round sees the new state and tries again. Anything else is a real fault.
        if (!isTransient(err)) throw err;
      }
    }
    const stages: Record<string, number> = {};
    for (const c of cases.values()) stages[c.stage] = (stages[c.stage] ?? 0) + 1;
    const closed = state.entries.filter((e) => e.status === 'completed' || e.status === 'cancelled').length;
    opts.onProgress?.({ today: state.today, closed, total: state.entries.length, stages });
    // Done once every visit has ended and each completed one's case was read since: a last look
    // that missed its 15 s (a loaded machine) would otherwise leave its outcome at an earlier stage.
    const final = state.entries.every((e) => e.status === 'cancelled' || readCompleted.has(e.county));
    if (state.finished || (state.entries.length > 0 && closed === state.entries.length && final)) break;
    await new Promise((res) => setTimeout(res, Math.max(50, opts.msPerDay / 4)));
  }
  const outcomes: DemoOutcome[] = state.entries.map((e) => {
    const c = cases.get(e.county);
    const r = c?.rectification;
    return {
      county: e.county,
      name: e.countyName,
      profile: people.profileOf.get(e.county) ?? 'onTime',
      visitDate: e.date,
      docNumber: c?.letter?.docNumber,
      dueDate: r?.dueDate,
      rung: r?.rung ?? 'none',
      escalations: r?.escalations.length ?? 0,
      reports: r?.reports.length ?? 0,
      late: r?.reports.some((x) => x.late) ?? false,
      deductPoints: r?.deductions.reduce((a, b) => a + b.points, 0) ?? 0,
      stage: c?.stage ?? e.status,
    };
  });
  return { programme: state, outcomes };
}

/** A one-line text progress bar for a terminal (stderr). */
export function progressBar(p: DemoProgress, width = 28): string {
  const done = p.total ? Math.round((p.closed / p.total) * width) : 0;
  const stages = Object.entries(p.stages)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  return `[${'█'.repeat(done)}${'░'.repeat(width - done)}] ${p.closed}/${p.total} 已办结  模拟日期 ${p.today}  ${stages}`;
}

/** Deterministic hash used in ids of demo files (keeps reruns apart without randomness). */
export function demoId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 6);
}
