/**
 * Draft findings (问题及意见草稿): rules that turn indicators into the problems and opinions of the
 * opinion letter. The thresholds come from the plan (StatsRulesSchema); the wording follows the
 * source documents (“重检查、轻处罚”, “监督检查没有形成闭环”). A supervisor edits drafts before
 * they go out, so a rule errs on the side of raising a point.
 *
 * Values are compared as published (rounded): the letter quotes 2.4 %, so 2.4 % is what is
 * compared with the benchmark.
 */
import { CHECKLIST_ITEM_LABEL, type ChecklistItemKey } from '../../workflows/shared/checklist';
import type { FindingRule, StatsRules } from '../../workflows/shared/stats';
import type { DraftFinding, StatsProblem } from '../../workflows/shared/stats-result';
import type { Ratio } from './decimal';
import type { IndicatorRatios } from './indicators';

export interface FindingSubject {
  name: string;
  scope: 'unit' | 'total';
  indicators: IndicatorRatios;
  /** Recorded figures the wording quotes. */
  figures: {
    inspections?: Ratio | null;
    inspectorVisits?: Ratio | null;
    cases?: Ratio | null;
    docOnsite?: Ratio | null;
    rectifyDocs?: Ratio | null;
    hazards?: Ratio | null;
    hazardsRectified?: Ratio | null;
    supervisionFine?: Ratio | null;
    fineTotal?: Ratio | null;
  };
  problems: StatsProblem[];
}

/** Which checklist item each rule speaks to. */
export const FINDING_ITEM: Record<FindingRule, ChecklistItemKey> = {
  // 现场监管执法检查: procedure, documents and the closure of the inspection loop.
  lowPunishRate: 'plan.onsite',
  openLoop: 'plan.onsite',
  lowRectificationRate: 'plan.onsite',
  lowNonAccidentFineShare: 'plan.onsite',
  // 执法程序: two inspectors, ID shown.
  fewInspectors: 'standard.procedure',
  // 计划公示和执行: the plan carried out, inspections and penalties entered in the system.
  fewInspections: 'plan.publish',
  inconsistentStatistics: 'plan.publish',
};

const n0 = (r: Ratio | null | undefined) => (r ? r.toFixed(0) : '—');
const n2 = (r: Ratio | null | undefined) => (r ? r.toFixed(2) : '—');

/** Draft findings for one unit (or the total). */
export function draftFindings(subject: FindingSubject, rules: StatsRules): DraftFinding[] {
  const out: DraftFinding[] = [];
  const { indicators: ind, figures: fig } = subject;
  const add = (
    rule: FindingRule,
    value: Ratio | null | undefined,
    threshold: number | null,
    problem: string,
    opinion: string,
  ) => {
    const item = FINDING_ITEM[rule];
    out.push({
      rule,
      item,
      itemLabel: CHECKLIST_ITEM_LABEL[item],
      unit: subject.name,
      scope: subject.scope,
      value: value ? value.toNumber() : null,
      threshold,
      problem,
      opinion,
    });
  };
  const below = (value: Ratio | null | undefined, threshold: number | null): value is Ratio =>
    !!value && threshold !== null && value.toNumber() < threshold;

  // Too few inspections to judge rates by; that is itself the finding.
  const inspections = fig.inspections?.toNumber();
  const tooFew = rules.minInspections !== null && inspections !== undefined && inspections < rules.minInspections;
  if (tooFew) {
    add(
      'fewInspections',
      fig.inspections,
      rules.minInspections,
      `统计期内仅检查生产经营单位 ${inspections} 家次（少于 ${rules.minInspections} 家次），执法检查力度不足，年度监督检查计划执行缓慢。`,
      '严格按照年度监督检查计划的时间节点开展执法检查，避免前松后紧，按期完成检查任务。',
    );
  }

  if (!tooFew && below(ind.punishRate, rules.punishRateBenchmark)) {
    add(
      'lowPunishRate',
      ind.punishRate,
      rules.punishRateBenchmark,
      `检查处罚率为 ${ind.punishRate.toFixed(1)}%（立案 ${n0(fig.cases)} 起、检查 ${n0(fig.inspections)} 家次），低于 ${rules.punishRateBenchmark}%，存在“重检查、轻处罚”现象。`,
      '加大安全生产违法违规行为查处力度，对检查发现的违法行为依法立案查处，该处罚的坚决处罚，切实改变“重检查、轻处罚”现象。',
    );
  }

  if (!tooFew && below(ind.rectifyDocsPerOnsite, rules.rectifyDocsPerOnsiteMin)) {
    add(
      'openLoop',
      ind.rectifyDocsPerOnsite,
      rules.rectifyDocsPerOnsiteMin,
      `出具现场检查记录 ${n0(fig.docOnsite)} 份，整改复查类文书（责令限期整改指令书、整改复查意见书）仅 ${n0(fig.rectifyDocs)} 份（每份现场检查记录 ${ind.rectifyDocsPerOnsite.toFixed(2)} 份），检查出的隐患没有跟进整改复查，监督检查没有形成闭环。`,
      '对检查发现的隐患依法下达责令限期整改指令书，按期复查并出具整改复查意见书，实现执法检查闭环管理。',
    );
  }

  if (!tooFew && below(ind.rectificationRate, rules.rectificationRateMin)) {
    add(
      'lowRectificationRate',
      ind.rectificationRate,
      rules.rectificationRateMin,
      `排查隐患 ${n0(fig.hazards)} 项、整改 ${n0(fig.hazardsRectified)} 项，整改率 ${ind.rectificationRate.toFixed(1)}%（低于 ${rules.rectificationRateMin}%），隐患整改不到位。`,
      '跟踪督促企业落实隐患整改，逐项复查，确保隐患全部整改销号。',
    );
  }

  if (!tooFew && below(ind.inspectorsPerInspection, rules.inspectorsPerInspectionMin)) {
    add(
      'fewInspectors',
      ind.inspectorsPerInspection,
      rules.inspectorsPerInspectionMin,
      `出动执法人员 ${n0(fig.inspectorVisits)} 人次、检查 ${n0(fig.inspections)} 家次，平均每家次 ${ind.inspectorsPerInspection.toFixed(2)} 人次，不足 ${rules.inspectorsPerInspectionMin} 人，执法检查可能未由两名以上执法人员进行。`,
      '执法检查应当由两名以上执法人员进行并出示执法证件，严格执行执法程序。',
    );
  }

  if (!tooFew && below(ind.nonAccidentFineShare, rules.nonAccidentFineShareMin)) {
    add(
      'lowNonAccidentFineShare',
      ind.nonAccidentFineShare,
      rules.nonAccidentFineShareMin,
      `罚款合计 ${n2(fig.fineTotal)} 万元中监督检查罚款 ${n2(fig.supervisionFine)} 万元，仅占 ${ind.nonAccidentFineShare.toFixed(1)}%（低于 ${rules.nonAccidentFineShareMin}%），处罚多在事故发生之后，日常监督检查处罚力度不足。`,
      '强化日常监督检查中的行政处罚，对检查发现的违法行为依法处罚，做到事前严管、源头治理。',
    );
  }

  if (rules.reportInconsistencies && subject.problems.length > 0) {
    const columns = [
      ...new Set(subject.problems.map((p) => p.columnLabel.slice(p.columnLabel.lastIndexOf('/') + 1))),
    ].join('、');
    add(
      'inconsistentStatistics',
      null,
      null,
      `报送的执法统计数据有 ${subject.problems.length} 处缺项或逻辑错误（${columns}），数据不准确。`,
      '加强执法信息录入和审核，做到及时、准确、完整录入，杜绝迟报、漏报、错报。',
    );
  }
  return out;
}
