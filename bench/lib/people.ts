/**
 * Simulated people for the benchmarks: the same decisions and the same Updates as `runDemo`'s
 * `act` (client/demo.ts, copied here so the demo stays untouched) — supervisors fill in findings and
 * review reports, leaders approve, each county reports on time or at the rung of its profile
 * (PROFILES[i % 7], as in the demo).
 */
import type { Client } from '@temporalio/client';
import { EvidenceStore } from '../../activities/evidence/store';
import { PROFILES, type Profile } from '../../client/demo';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import type { Actor, VisitProgress } from '../../workflows/shared/definitions';
import type { Plan } from '../../workflows/shared/plan';
import {
  addEvidenceUpdate,
  approveUpdate,
  reviewReportUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitReportUpdate,
  submitUpdate,
  type VisitCase,
} from '../../workflows/shared/visit';

const RUNG_OF: Partial<Record<Profile, number>> = { urge: 0, supervise: 1, warning: 2, summons: 3, bulletin: 4 };
/** The refusals runDemo tolerates: the case moved on meanwhile; the next round sees the new state. */
export const BENIGN = /当前阶段|尚在审核|没有待审核|审批稿尚未生成|不能|已经结束/;

export function isBenign(err: unknown): boolean {
  return BENIGN.test((err as Error)?.message + String((err as { cause?: Error }).cause?.message));
}

export class People {
  readonly profileOf: Map<string, Profile>;
  private readonly store: EvidenceStore;
  private readonly supervisor: Actor;
  private readonly returned = new Set<string>();
  /** Updates sent, by name. */
  readonly updates: Record<string, number> = {};

  constructor(
    private readonly client: Client,
    plan: Plan,
    evidenceDir: string,
  ) {
    this.store = new EvidenceStore({ dir: evidenceDir });
    this.supervisor = { id: plan.supervisors[0]!.id, role: 'supervisor' };
    this.profileOf = new Map(plan.counties.map((c, i) => [c.code, PROFILES[i % PROFILES.length]!]));
  }

  private count(name: string) {
    this.updates[name] = (this.updates[name] ?? 0) + 1;
  }

  /** A small real PDF, different per case, stored content-addressed like any upload. */
  private async file(label: string) {
    const body = `%PDF-1.4\n% ${label}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
    const stored = await this.store.put({ bytes: Buffer.from(body) }, `${label}.pdf`);
    return { sha256: stored.sha256, size: stored.size, mediaType: 'application/pdf' as const, filename: `${label}.pdf` };
  }

  /**
   * Whether the programme's progress note says someone may have something to do on this visit, so
   * the driver can skip querying visits that only wait for a timer.
   */
  mayAct(code: string, p: VisitProgress | undefined): boolean {
    if (!p) return true;
    if (p.stage === 'onsite' || p.stage === 'approval') return true;
    if (p.stage !== 'rectification') return false;
    if (p.reportPending) return true;
    const want = RUNG_OF[this.profileOf.get(code) ?? 'onTime'];
    if (want === undefined) return true;
    const rungs = ['urge', 'supervise', 'warning', 'summons', 'bulletin'];
    return rungs.indexOf(p.rung ?? 'none') >= want;
  }

  /** runDemo's act: does what the case needs next; returns true when it sent an Update. */
  async act(code: string, c: VisitCase): Promise<boolean> {
    const { client, supervisor } = this;
    const h = client.workflow.getHandle(c.caseId);
    if (c.stage === 'onsite') {
      let evidenceId = c.evidence[0]?.id;
      if (!evidenceId) {
        evidenceId = (await h.executeUpdate(addEvidenceUpdate, { args: [{ actor: supervisor, ...(await this.file(`${c.caseId}-案卷`)), item: 'standard.archive' }] })).id;
        this.count('addEvidence');
      }
      for (const item of CHECKLIST_KEYS) {
        if (c.findings.find((f) => f.item === item)?.result) continue;
        const bad = item === 'plan.compile' || item === 'standard.archive';
        await h.executeUpdate(setFindingUpdate, {
          args: [bad ? { actor: supervisor, item, result: '不符合', problem: item === 'plan.compile' ? '列入计划的一般生产经营单位不足三分之一。' : '部分行政处罚案卷自由裁量依据未载明。', opinion: '对照要求限期整改，并将整改情况报告我局。', evidence: item === 'standard.archive' ? [evidenceId] : [] } : { actor: supervisor, item, result: '符合' }],
        });
        this.count('setFinding');
      }
      for (const e of c.sample?.enterprises ?? []) {
        if (c.enterprises.some((x) => x.enterprise === e.id)) continue;
        await h.executeUpdate(setEnterpriseResultUpdate, { args: [{ actor: supervisor, enterprise: e.id, findings: ['现场检查记录未载明隐患整改期限。'] }] });
        this.count('setEnterpriseResult');
      }
      await h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
      this.count('submit');
      return true;
    }
    const round = c.approval.rounds[c.approval.rounds.length - 1];
    if (c.stage === 'approval' && round && !round.decision) {
      await h.executeUpdate(approveUpdate, { args: [{ actor: { id: c.approval.passedTo ?? c.approval.approver, role: 'leader' } }] });
      this.count('approve');
      return true;
    }
    const r = c.rectification;
    if (c.stage !== 'rectification' || !r) return false;
    const pending = r.reports.find((x) => !x.review);
    const profile = this.profileOf.get(code) ?? 'onTime';
    if (pending) {
      const giveBack = profile === 'returnOnce' && !this.returned.has(c.caseId);
      if (giveBack) this.returned.add(c.caseId);
      await h.executeUpdate(reviewReportUpdate, { args: [giveBack ? { actor: supervisor, decision: 'return', reasons: ['案卷整改未附整改后的案卷材料。'] } : { actor: supervisor, decision: 'accept' }] });
      this.count('reviewReport');
      return true;
    }
    const wantRung = RUNG_OF[profile];
    const ready = wantRung === undefined ? true : r.rungIndex >= wantRung;
    if (!ready) return false;
    await h.executeUpdate(submitReportUpdate, {
      args: [{ actor: { id: `${code}-county`, role: 'county', county: code }, files: [await this.file(`${c.caseId}-整改报告-${r.reports.length + 1}`)], items: r.problems.map((_, index) => ({ index, status: '整改完成' as const })) }],
    });
    this.count('submitReport');
    return true;
  }
}
