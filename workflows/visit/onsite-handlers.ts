/**
 * On site (现场指导): evidence, the 12 checklist findings, the sampled enterprises' results, and the
 * submission for approval. State-only Updates (lib/updates.ts); the phase script notices the
 * submission and renders the draft.
 */
import { onUpdate, refuse } from '../lib/updates';
import { CHECKLIST_ITEM_LABEL } from '../shared/checklist';
import { CASE_LIMITS, EDIT_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import { FailureType } from '../shared/errors';
import { enterpriseChecks, type EnterpriseResult, type VisitCase } from '../contracts/visit';
import {
  ActorOnlyArgs,
  AddEvidenceArgs,
  SetEnterpriseResultArgs,
  SetFindingArgs,
  addEvidenceUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../contracts/visit-onsite';
import type { VisitContext } from './context';
import { ack, now, requireRoom, requireStage, requireSupervisor } from './guards';

export function registerOnsiteHandlers(ctx: Pick<VisitContext, 'plan' | 'state' | 'audit'>): void {
  const { plan, state } = ctx;
  const sampled = (id: string) => state.sample?.enterprises.some((e) => e.id === id) ?? false;

  onUpdate(
    addEvidenceUpdate,
    AddEvidenceArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireStage(state, 'onsite', '添加证据材料');
      const same = state.evidence.find((e) => e.sha256 === args.sha256);
      if (same)
        throw refuse(FailureType.InvalidInput, `同一文件已作为证据 ${same.id}（${same.filename}）登记，不重复登记`);
      if (args.enterprise && !sampled(args.enterprise))
        throw refuse(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
      requireRoom(overCount(state.evidence.length, CASE_LIMITS.evidence, '证据材料', '件'));
      requireRoom(
        overBudget(
          state,
          { evidence: [...state.evidence, { ...args, id: 'E000000', by: args.actor.id, at: now() }] },
          args.filename,
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    ({ actor, ...args }) => {
      const record = {
        id: `E${state.evidence.length + 1}`,
        sha256: args.sha256,
        size: args.size,
        mediaType: args.mediaType,
        filename: args.filename,
        item: args.item,
        enterprise: args.enterprise,
        note: args.note,
        by: actor.id,
        at: now(),
      };
      state.evidence.push(record);
      ctx.audit(
        actor,
        'addEvidence',
        `${record.id} ${args.filename}（${CHECKLIST_ITEM_LABEL[args.item]}）sha256 ${args.sha256.slice(0, 12)}…`,
      );
      return { ...ack(state, record.at), id: record.id };
    },
  );

  onUpdate(
    setFindingUpdate,
    SetFindingArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireStage(state, 'onsite', '修改检查结论');
      const unknown = args.evidence.filter((id) => !state.evidence.some((e) => e.id === id));
      if (unknown.length) throw refuse(FailureType.InvalidInput, `证据编号不存在：${unknown.join('、')}`);
      const changed = {
        result: args.result,
        problem: args.problem,
        opinion: args.opinion,
        evidence: args.evidence,
        by: args.actor.id,
        at: now(),
      };
      requireRoom(
        overBudget(
          state,
          { findings: state.findings.map((f) => (f.item === args.item ? { ...f, ...changed } : f)) },
          '',
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    (args) => {
      const f = state.findings.find((x) => x.item === args.item)!;
      Object.assign(f, {
        result: args.result,
        problem: args.problem || undefined,
        opinion: args.opinion || undefined,
        evidence: args.evidence,
        prefilled: false,
        by: args.actor.id,
        at: now(),
      });
      ctx.audit(args.actor, 'setFinding', `${CHECKLIST_ITEM_LABEL[args.item]}：${args.result}`);
      return ack(state, f.at!);
    },
  );

  onUpdate(
    setEnterpriseResultUpdate,
    SetEnterpriseResultArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireStage(state, 'onsite', '填写抽查企业核查结果');
      if (!sampled(args.enterprise))
        throw refuse(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
      const result = enterpriseResult(args, now());
      requireRoom(
        overBudget(
          state,
          { enterprises: [...state.enterprises.filter((e) => e.enterprise !== args.enterprise), result] },
          '',
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    (args) => {
      const result = enterpriseResult(args, now());
      state.enterprises = [...state.enterprises.filter((e) => e.enterprise !== args.enterprise), result];
      const checks = enterpriseChecks(result);
      const problems = checks.filter((c) => c.result === '发现问题').length;
      const name = state.sample?.enterprises.find((e) => e.id === args.enterprise)?.name ?? args.enterprise;
      ctx.audit(
        args.actor,
        'setEnterpriseResult',
        `抽查企业 ${name}：发现问题 ${problems} 条，未发现问题 ${checks.length - problems} 条`,
      );
      return ack(state, result.at);
    },
  );

  onUpdate(
    submitUpdate,
    ActorOnlyArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireStage(state, 'onsite', '提交');
      const missing = incomplete(state);
      if (missing.length) throw refuse(FailureType.InvalidInput, `检查结果不完整，不能提交：\n${missing.join('\n')}`);
    },
    (args) => {
      state.stage = 'approval';
      ctx.audit(args.actor, 'submit', '现场指导结束，提交审批');
      return ack(state, now());
    },
  );
}

/** Everything that keeps the findings from being submitted, one line each. */
export function incomplete(state: VisitCase): string[] {
  const lines: string[] = [];
  for (const f of state.findings) {
    const label = CHECKLIST_ITEM_LABEL[f.item];
    if (!f.result) lines.push(`- ${label}：未填写检查结论`);
    else if (f.result === '不符合' && (!f.problem || !f.opinion))
      lines.push(`- ${label}：结论为不符合，须填写存在问题和处理意见`);
  }
  for (const e of state.sample?.enterprises ?? []) {
    if (!state.enterprises.some((r) => r.enterprise === e.id)) lines.push(`- 抽查企业 ${e.name}：未填写核查结果`);
  }
  return lines;
}

/** The case's record of an enterprise check; `findings` keeps the problems for readers from before `checks`. */
function enterpriseResult(args: SetEnterpriseResultArgs, at: string): EnterpriseResult {
  if (!args.checks) return { enterprise: args.enterprise, findings: args.findings ?? [], by: args.actor.id, at };
  const findings = args.checks.filter((c) => c.result === '发现问题').map((c) => c.text);
  return { enterprise: args.enterprise, findings, checks: args.checks, by: args.actor.id, at };
}
