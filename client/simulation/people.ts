/**
 * Simulated people, for `guidance demo` (client/demo.ts) and the benchmarks (bench/scale.ts,
 * bench/year.ts): supervisors who fill in findings and review reports, leaders who approve,
 * counties who report — on time, or late at the rung of their profile (PROFILES[i % 7]) to exercise
 * every rung of the ladder. They act only through the same Updates as the CLI and the HTTP API.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { EvidenceStore } from '../../activities/evidence/store';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import type { ScheduleEntry, VisitProgress } from '../../workflows/contracts/programme';
import type { Actor } from '../../workflows/contracts/common';
import { EscalationRung, type Plan } from '../../workflows/shared/plan';
import { type VisitCase } from '../../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../../workflows/contracts/visit-onsite';
import { reviewReportUpdate, submitReportUpdate } from '../../workflows/contracts/visit-rectification';

/** How a simulated county behaves after its letter. */
export type Profile = 'onTime' | 'returnOnce' | 'urge' | 'supervise' | 'warning' | 'summons' | 'bulletin';
export const PROFILES: Profile[] = ['onTime', 'urge', 'supervise', 'warning', 'summons', 'bulletin', 'returnOnce'];
/** The rung (index into the ladder) a late county waits for before it reports. */
const RUNG_OF: Partial<Record<Profile, number>> = { urge: 0, supervise: 1, warning: 2, summons: 3, bulletin: 4 };

/** Refusals because the case moved on meanwhile (the draft passed to the deputy just as the approver approved, …): the next round sees the new state. */
const REFUSED = /当前阶段|尚在审核|没有待审核|审批稿尚未生成|不能|已经结束|只有审批人/;
/** A worker or service that is down, or a query or Update that was lost or timed out with it. */
const UNREACHABLE = /Timeout|timed out|UNAVAILABLE|Unavailable|ECONNREFUSED|deadline|ServiceError|not found/i;

const messageOf = (err: unknown) =>
  `${(err as Error)?.name} ${(err as Error)?.message} ${String((err as { cause?: Error })?.cause?.message)}`;

/** A refusal a simulated person shrugs off: the case moved on meanwhile. */
export function isBenign(err: unknown): boolean {
  return REFUSED.test(messageOf(err));
}

/** A refusal, or a worker or server that is down (a restart, a fault test): the next round tries again. */
export function isTransient(err: unknown): boolean {
  return isBenign(err) || UNREACHABLE.test(messageOf(err));
}

export interface PeopleOptions {
  /**
   * Which visits a round reads. `every` (the demo): every started visit, every round. `progress`
   * (the benchmarks, hundreds of visits): only those whose progress note in the programme's
   * schedule says someone may have something to do (`mayAct`), so a visit that only waits for a
   * timer costs no query.
   */
  poll?: 'every' | 'progress';
  /** How the supervisor's evidence gets in; by default straight into the evidence store and the Update. */
  evidence?: EvidenceDoor;
}

/**
 * Another way in for the supervisor's evidence: e.g. the dashboard's upload form over HTTP (the
 * cluster proof), which stores the file and sends the Update itself. Returns the evidence's id.
 */
export type EvidenceDoor = (
  c: VisitCase,
  file: { bytes: Buffer; filename: string; item: 'standard.archive' },
) => Promise<{ id: string }>;

/** A small real PDF, different per label. */
function pdfBody(label: string): string {
  return `%PDF-1.4\n% ${label}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
}

export class People {
  /** Each county's profile, by county code. */
  readonly profileOf: Map<string, Profile>;
  /** Updates sent, by name. */
  readonly updates: Record<string, number> = {};
  private readonly store: EvidenceStore;
  private readonly supervisor: Actor;
  private readonly returned = new Set<string>();
  private readonly poll: 'every' | 'progress';
  private readonly door?: EvidenceDoor;

  constructor(
    private readonly client: Client,
    plan: Plan,
    /** The evidence store, or its folder on this host (a cluster's people share the process's object store). */
    evidence: EvidenceStore | string,
    options: PeopleOptions = {},
  ) {
    this.store = typeof evidence === 'string' ? new EvidenceStore({ dir: evidence }) : evidence;
    this.supervisor = { id: plan.supervisors[0]!.id, role: 'supervisor' };
    this.profileOf = new Map(plan.counties.map((c, i) => [c.code, PROFILES[i % PROFILES.length]!]));
    this.poll = options.poll ?? 'every';
    this.door = options.evidence;
  }

  /** Reply time of each Update sent, in ms, by name (the benchmarks' p99). */
  readonly latencies: Record<string, number[]> = {};

  /** Sends one Update, counting it and timing its reply. */
  private async send<Ret, Args extends [unknown, ...unknown[]]>(
    h: WorkflowHandle,
    def: UpdateDefinition<Ret, Args>,
    ...args: Args
  ): Promise<Ret> {
    const t = performance.now();
    const out = await h.executeUpdate(def, { args });
    (this.latencies[def.name] ??= []).push(performance.now() - t);
    this.updates[def.name] = (this.updates[def.name] ?? 0) + 1;
    return out;
  }

  /** A small real PDF, different per case, stored content-addressed like any upload. */
  private async file(label: string) {
    const stored = await this.store.put({ bytes: Buffer.from(pdfBody(label)) }, `${label}.pdf`);
    return {
      sha256: stored.sha256,
      size: stored.size,
      mediaType: 'application/pdf' as const,
      filename: `${label}.pdf`,
    };
  }

  /**
   * Whether the programme's progress note says someone may have something to do on this visit, so
   * a driver can skip querying visits that only wait for a timer.
   */
  mayAct(code: string, p: VisitProgress | undefined): boolean {
    if (!p) return true;
    if (p.stage === 'onsite' || p.stage === 'approval') return true;
    if (p.stage !== 'rectification') return false;
    if (p.reportPending) return true;
    const want = RUNG_OF[this.profileOf.get(code) ?? 'onTime'];
    if (want === undefined) return true;
    return EscalationRung.options.indexOf(p.rung as EscalationRung) >= want;
  }

  /** Whether this round should read the visit's case and act on it (see PeopleOptions.poll). */
  wantsToRead(e: ScheduleEntry, p: VisitProgress | undefined): boolean {
    return e.status === 'started' && (this.poll === 'every' || this.mayAct(e.county, p));
  }

  /**
   * Does what the case needs next; returns true when it sent an Update. Idempotent: each round
   * does only what the case still lacks, so a refused step is simply retried.
   */
  async act(code: string, c: VisitCase): Promise<boolean> {
    const { client, supervisor } = this;
    const h = client.workflow.getHandle(c.caseId);
    if (c.stage === 'onsite') {
      let evidenceId = c.evidence[0]?.id;
      if (!evidenceId && this.door) {
        const label = `${c.caseId}-案卷`;
        const bytes = Buffer.from(pdfBody(label));
        evidenceId = (await this.door(c, { bytes, filename: `${label}.pdf`, item: 'standard.archive' })).id;
      }
      if (!evidenceId) {
        evidenceId = (
          await this.send(h, addEvidenceUpdate, {
            actor: supervisor,
            ...(await this.file(`${c.caseId}-案卷`)),
            item: 'standard.archive',
          })
        ).id;
      }
      for (const item of CHECKLIST_KEYS) {
        if (c.findings.find((f) => f.item === item)?.result) continue;
        const bad = item === 'plan.compile' || item === 'standard.archive';
        await this.send(
          h,
          setFindingUpdate,
          bad
            ? {
                actor: supervisor,
                item,
                result: '不符合',
                problem:
                  item === 'plan.compile'
                    ? '列入计划的一般生产经营单位不足三分之一。'
                    : '部分行政处罚案卷自由裁量依据未载明。',
                opinion: '对照要求限期整改，并将整改情况报告我局。',
                evidence: item === 'standard.archive' ? [evidenceId] : [],
              }
            : { actor: supervisor, item, result: '符合' },
        );
      }
      // The first enterprise has a problem to rectify; any other was found in order (a clean result).
      for (const [i, e] of (c.sample?.enterprises ?? []).entries()) {
        if (c.enterprises.some((x) => x.enterprise === e.id)) continue;
        const checks =
          i === 0
            ? [
                {
                  result: '发现问题' as const,
                  text: '现场检查记录未载明隐患整改期限',
                  opinion: '责令企业补正检查记录，明确整改期限。',
                },
              ]
            : [{ result: '未发现问题' as const, text: '未发现重大事故隐患' }];
        await this.send(h, setEnterpriseResultUpdate, { actor: supervisor, enterprise: e.id, checks });
      }
      await this.send(h, submitUpdate, { actor: supervisor });
      return true;
    }
    const round = c.approval.rounds[c.approval.rounds.length - 1];
    if (c.stage === 'approval' && round && !round.decision) {
      await this.send(h, approveUpdate, { actor: { id: c.approval.passedTo ?? c.approval.approver, role: 'leader' } });
      return true;
    }
    const r = c.rectification;
    if (c.stage !== 'rectification' || !r) return false;
    const pending = r.reports.find((x) => !x.review);
    const profile = this.profileOf.get(code) ?? 'onTime';
    if (pending) {
      const giveBack = profile === 'returnOnce' && !this.returned.has(c.caseId);
      if (giveBack) this.returned.add(c.caseId);
      await this.send(
        h,
        reviewReportUpdate,
        giveBack
          ? { actor: supervisor, decision: 'return', reasons: ['案卷整改未附整改后的案卷材料。'] }
          : { actor: supervisor, decision: 'accept' },
      );
      return true;
    }
    const wantRung = RUNG_OF[profile];
    const ready = wantRung === undefined ? true : r.rungIndex >= wantRung;
    if (!ready) return false;
    await this.send(h, submitReportUpdate, {
      actor: { id: `${code}-county`, role: 'county', county: code },
      files: [await this.file(`${c.caseId}-整改报告-${r.reports.length + 1}`)],
      items: r.problems.map((_, index) => ({ index, status: '整改完成' as const })),
    });
    return true;
  }
}
