/**
 * The full-year demo's simulated people: supervisors who fill in findings and review reports,
 * leaders who approve, counties who report — on time, or late to exercise every rung of the
 * ladder. They act only through the same Updates as the CLI and the HTTP API.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { EvidenceStore } from '../activities/evidence/store';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { scheduleQuery, type Actor, type ProgrammeState } from '../workflows/shared/definitions';
import type { Plan } from '../workflows/shared/plan';
import {
  addEvidenceUpdate,
  approveUpdate,
  reviewReportUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitReportUpdate,
  submitUpdate,
  visitCaseQuery,
  type VisitCase,
} from '../workflows/shared/visit';
import { startProgramme } from './programme';

/** How a simulated county behaves after its letter. */
export type Profile = 'onTime' | 'returnOnce' | 'urge' | 'supervise' | 'warning' | 'summons' | 'bulletin';
export const PROFILES: Profile[] = ['onTime', 'urge', 'supervise', 'warning', 'summons', 'bulletin', 'returnOnce'];
const RUNG_OF: Partial<Record<Profile, number>> = { urge: 0, supervise: 1, warning: 2, summons: 3, bulletin: 4 };

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
  evidenceDir: string;
  visibility?: boolean;
  mailRetry?: { initialIntervalMs?: number; maximumIntervalMs?: number; giveUpAfterMs?: number; attemptTimeoutMs?: number };
  onProgress?: (p: DemoProgress) => void;
  /** Stop waiting after this long (real ms). */
  timeoutMs?: number;
}

/** Runs one programme to its end with simulated people; returns each county's outcome. */
export async function runDemo(opts: DemoOptions): Promise<{ programme: ProgrammeState; outcomes: DemoOutcome[] }> {
  const { client, plan } = opts;
  const store = new EvidenceStore({ dir: opts.evidenceDir });
  const supervisor: Actor = { id: plan.supervisors[0]!.id, role: 'supervisor' };
  const profileOf = new Map(plan.counties.map((c, i) => [c.code, PROFILES[i % PROFILES.length]!]));
  const handle = await startProgramme(client, plan, {
    taskQueue: opts.taskQueue,
    timeScale: { msPerDay: opts.msPerDay, startDate: opts.startDate },
    visibility: opts.visibility ?? true,
    mailRetry: opts.mailRetry,
  });
  const returned = new Set<string>();
  const deadline = Date.now() + (opts.timeoutMs ?? 60 * 60_000);

  /** A small real PDF, different per case, stored content-addressed like any upload. */
  async function file(label: string) {
    const body = `%PDF-1.4\n% ${label}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
    const stored = await store.put({ bytes: Buffer.from(body) }, `${label}.pdf`);
    return { sha256: stored.sha256, size: stored.size, mediaType: 'application/pdf' as const, filename: `${label}.pdf` };
  }

  async function act(code: string, c: VisitCase): Promise<void> {
    const h = client.workflow.getHandle(c.caseId);
    if (c.stage === 'onsite') {
      // Idempotent: each round does only what the case still lacks, so a refused step is retried.
      let evidenceId = c.evidence[0]?.id;
      if (!evidenceId) evidenceId = (await h.executeUpdate(addEvidenceUpdate, { args: [{ actor: supervisor, ...(await file(`${c.caseId}-案卷`)), item: 'standard.archive' }] })).id;
      for (const item of CHECKLIST_KEYS) {
        if (c.findings.find((f) => f.item === item)?.result) continue;
        const bad = item === 'plan.compile' || item === 'standard.archive';
        await h.executeUpdate(setFindingUpdate, {
          args: [bad ? { actor: supervisor, item, result: '不符合', problem: item === 'plan.compile' ? '列入计划的一般生产经营单位不足三分之一。' : '部分行政处罚案卷自由裁量依据未载明。', opinion: '对照要求限期整改，并将整改情况报告我局。', evidence: item === 'standard.archive' ? [evidenceId] : [] } : { actor: supervisor, item, result: '符合' }],
        });
      }
      for (const e of c.sample?.enterprises ?? []) {
        if (c.enterprises.some((x) => x.enterprise === e.id)) continue;
        await h.executeUpdate(setEnterpriseResultUpdate, { args: [{ actor: supervisor, enterprise: e.id, findings: ['现场检查记录未载明隐患整改期限。'] }] });
      }
      await h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
      return;
    }
    const round = c.approval.rounds[c.approval.rounds.length - 1];
    if (c.stage === 'approval' && round && !round.decision) {
      await h.executeUpdate(approveUpdate, { args: [{ actor: { id: c.approval.passedTo ?? c.approval.approver, role: 'leader' } }] });
      return;
    }
    const r = c.rectification;
    if (c.stage !== 'rectification' || !r) return;
    const pending = r.reports.find((x) => !x.review);
    const profile = profileOf.get(code) ?? 'onTime';
    if (pending) {
      const giveBack = profile === 'returnOnce' && !returned.has(c.caseId);
      if (giveBack) returned.add(c.caseId);
      await h.executeUpdate(reviewReportUpdate, { args: [giveBack ? { actor: supervisor, decision: 'return', reasons: ['案卷整改未附整改后的案卷材料。'] } : { actor: supervisor, decision: 'accept' }] });
      return;
    }
    const wantRung = RUNG_OF[profile];
    const ready = wantRung === undefined ? true : r.rungIndex >= wantRung;
    if (!ready) return;
    await h.executeUpdate(submitReportUpdate, {
      args: [{ actor: { id: `${code}-county`, role: 'county', county: code }, files: [await file(`${c.caseId}-整改报告-${r.reports.length + 1}`)], items: r.problems.map((_, index) => ({ index, status: '整改完成' as const })) }],
    });
  }

  let state = await handle.query(scheduleQuery);
  const cases = new Map<string, VisitCase>();
  while (Date.now() < deadline) {
    try {
      const q = handle.query(scheduleQuery);
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
      if (e.status !== 'started' && e.status !== 'completed') continue;
      // A closed visit is read once more for the outcome table, then left alone.
      if (e.status === 'completed' && cases.get(e.county)?.stage === 'closed') continue;
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
      try {
        // An Update sent just as the server died can be lost without an answer; give up waiting
        // after a while: the next round reads the state again and repeats what is still needed.
        const attempt = act(e.county, c);
        attempt.catch(() => undefined);
        await Promise.race([attempt, new Promise((res) => setTimeout(res, Math.max(15_000, opts.msPerDay * 20)))]);
      } catch (err) {
        // A refusal because the case moved on meanwhile, or a worker or server that is down: the
        // next round sees the new state and tries again. Anything else is a real fault.
        const text = `${(err as Error)?.name} ${(err as Error)?.message} ${String((err as { cause?: Error }).cause?.message)}`;
        if (!/当前阶段|尚在审核|没有待审核|审批稿尚未生成|不能|已经结束|Timeout|timed out|UNAVAILABLE|Unavailable|ECONNREFUSED|deadline|ServiceError|not found/i.test(text)) throw err;
      }
    }
    const stages: Record<string, number> = {};
    for (const c of cases.values()) stages[c.stage] = (stages[c.stage] ?? 0) + 1;
    const closed = state.entries.filter((e) => e.status === 'completed' || e.status === 'cancelled').length;
    opts.onProgress?.({ today: state.today, closed, total: state.entries.length, stages });
    if (state.finished || (state.entries.length > 0 && closed === state.entries.length)) break;
    await new Promise((res) => setTimeout(res, Math.max(50, opts.msPerDay / 4)));
  }
  const outcomes: DemoOutcome[] = state.entries.map((e) => {
    const c = cases.get(e.county);
    const r = c?.rectification;
    return {
      county: e.county,
      name: e.countyName,
      profile: profileOf.get(e.county) ?? 'onTime',
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
