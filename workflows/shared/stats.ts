/**
 * Enforcement statistics (执法统计): the plan's thresholds for draft findings, the field and
 * indicator catalogue, and the JSON shape of an imported table. Pure (zod only, no Node built-ins):
 * workflows, the CLI, the worker and the activities all import it.
 */
import { z } from 'zod';
import { zhCN } from 'zod/v4/locales';

// Chinese messages for a bad `statistics` section, as plan.ts sets for the rest of the plan (the
// setting is global; this module may be loaded without plan.ts, e.g. by the CLI).
z.config(zhCN());

// ---------------------------------------------------------------------------------------------
// Columns a statistics table may carry.

/** Additive figures (统计数): counts and 万元 amounts that sum down the 合计 row. */
export const FIGURE_FIELDS = [
  'inspections',
  'inspectorVisits',
  'docOnsite',
  'docOnsiteMeasures',
  'docRectify',
  'docRectifyOrder',
  'docReinspection',
  'docCoercive',
  'docSupervisionPenalty',
  'docAccidentPenalty',
  'docSubtotal',
  'cases',
  'warnings',
  'fineAmount',
  'suspensions',
  'licenceRevocations',
  'closures',
  'supervisionFine',
  'accidentFine',
  'fineSubtotal',
  'hazards',
  'hazardsRectified',
] as const;
export type FigureField = (typeof FIGURE_FIELDS)[number];

/** Values a table states about itself (shares, its own rates and ranks): checked, never summed. */
export const STATED_FIELDS = [
  'supervisionFineShare',
  'accidentFineShare',
  'rectificationRate',
  'punishRate',
  'rank',
] as const;
export type StatedField = (typeof STATED_FIELDS)[number];

export type StatsField = FigureField | StatedField;

/** count: integer; money: 万元 with decimals; percent: 0–100; rank: 1 = first. */
export type FieldKind = 'count' | 'money' | 'percent' | 'rank';

export const FIELD_KIND: Record<StatsField, FieldKind> = {
  inspections: 'count',
  inspectorVisits: 'count',
  docOnsite: 'count',
  docOnsiteMeasures: 'count',
  docRectify: 'count',
  docRectifyOrder: 'count',
  docReinspection: 'count',
  docCoercive: 'count',
  docSupervisionPenalty: 'count',
  docAccidentPenalty: 'count',
  docSubtotal: 'count',
  cases: 'count',
  warnings: 'count',
  fineAmount: 'money',
  suspensions: 'count',
  licenceRevocations: 'count',
  closures: 'count',
  supervisionFine: 'money',
  accidentFine: 'money',
  fineSubtotal: 'money',
  hazards: 'count',
  hazardsRectified: 'count',
  supervisionFineShare: 'percent',
  accidentFineShare: 'percent',
  rectificationRate: 'percent',
  punishRate: 'percent',
  rank: 'rank',
};

/** The ministry statistics system's wording, used when a table's own header is not at hand. */
export const FIELD_LABEL: Record<StatsField, string> = {
  inspections: '检查生产经营单位（家次）',
  inspectorVisits: '出动行政执法人员（人次）',
  docOnsite: '现场检查记录（份）',
  docOnsiteMeasures: '现场处理措施决定书（份）',
  docRectify: '整改类文书（份）',
  docRectifyOrder: '责令限期整改指令书（份）',
  docReinspection: '整改复查意见书（份）',
  docCoercive: '强制措施文书（份）',
  docSupervisionPenalty: '监督检查处罚文书（份）',
  docAccidentPenalty: '事故处罚文书（份）',
  docSubtotal: '执法文书小计（份）',
  cases: '立案数（起）',
  warnings: '警告（次）',
  fineAmount: '罚款（万元）',
  suspensions: '责令停产停业停建（家）',
  licenceRevocations: '暂扣或者吊销许可证照（个）',
  closures: '关闭（家）',
  supervisionFine: '监督检查罚款（万元）',
  accidentFine: '事故罚款（万元）',
  fineSubtotal: '罚款小计（万元）',
  hazards: '排查隐患（项）',
  hazardsRectified: '整改隐患（项）',
  supervisionFineShare: '监督检查罚款占比（%）',
  accidentFineShare: '事故罚款占比（%）',
  rectificationRate: '整改率（%）',
  punishRate: '检查处罚率（%）',
  rank: '排名',
};

/** The document kinds (文书种类) whose 小计 is docSubtotal. */
export const DOCUMENT_FIELDS = [
  'docOnsite',
  'docOnsiteMeasures',
  'docRectify',
  'docRectifyOrder',
  'docReinspection',
  'docCoercive',
  'docSupervisionPenalty',
  'docAccidentPenalty',
] as const satisfies readonly FigureField[];

// ---------------------------------------------------------------------------------------------
// Indicators (指标), computed per unit and for the total.

export const INDICATORS = [
  'punishRate',
  'inspectorsPerInspection',
  'rectifyDocsPerOnsite',
  'rectificationRate',
  'averageFine',
  'nonAccidentFineShare',
] as const;
export type IndicatorKey = (typeof INDICATORS)[number];

export interface IndicatorInfo {
  label: string;
  /** Unit shown after the value. */
  unit: string;
  /** Decimals kept, rounded half up. */
  decimals: number;
  /** One line: what it means. */
  meaning: string;
}

export const INDICATOR_INFO: Record<IndicatorKey, IndicatorInfo> = {
  punishRate: {
    label: '检查处罚率',
    unit: '%',
    decimals: 1,
    meaning: '立案数 ÷ 检查生产经营单位家次 × 100：每百家次检查立案处罚几起，衡量“重检查、轻处罚”。',
  },
  inspectorsPerInspection: {
    label: '人次/家次',
    unit: '',
    decimals: 2,
    meaning: '出动执法人员人次 ÷ 检查家次：每次检查平均几名执法人员，低于 2 不符合两人以上执法的规定。',
  },
  rectifyDocsPerOnsite: {
    label: '整改类文书/现场检查',
    unit: '',
    decimals: 2,
    meaning: '整改类文书（责令限期整改指令书、整改复查意见书）÷ 现场检查记录：检查后是否跟进整改复查，衡量闭环。',
  },
  rectificationRate: {
    label: '整改率',
    unit: '%',
    decimals: 1,
    meaning: '整改隐患项数 ÷ 排查隐患项数 × 100：发现的隐患整改了多少。',
  },
  averageFine: {
    label: '平均罚款',
    unit: '万元/起',
    decimals: 2,
    meaning: '罚款合计（万元）÷ 立案数：每起案件平均罚款，衡量处罚力度。',
  },
  nonAccidentFineShare: {
    label: '非事故罚款占比',
    unit: '%',
    decimals: 1,
    meaning: '监督检查罚款 ÷ 罚款合计 × 100：罚款中来自日常监督检查（而非事故后处罚）的比重。',
  },
};

// ---------------------------------------------------------------------------------------------
// Thresholds in the plan (年度工作方案 → statistics). A threshold set to null turns its rule off.

export const BlankCells = z.enum(['auto', 'zero', 'missing']);
export type BlankCells = z.infer<typeof BlankCells>;

export const StatsRulesSchema = z.strictObject({
  /**
   * 检查处罚率 (%) below which a unit draws “重检查、轻处罚”. Default 15: the level the better
   * cities of one province reached (DOMAIN.md, Enforcement statistics).
   */
  punishRateBenchmark: z.number().min(0).max(100).nullable().default(15),
  /**
   * 整改类文书 per 现场检查记录 below which “监督检查没有形成闭环”. Default 1: a closed loop issues
   * two documents (指令书 + 复查意见书) per inspection with hazards, so fewer than one per on-site
   * record means most inspections had no follow-up — the Xuchang bulletin's complaint at 0.59.
   */
  rectifyDocsPerOnsiteMin: z.number().min(0).max(10).nullable().default(1),
  /** 整改率 (%) below which hazards are “整改不到位”. */
  rectificationRateMin: z.number().min(0).max(100).nullable().default(90),
  /** Inspector-visits per inspection below which the two-inspector rule (两人以上执法) is in doubt. */
  inspectorsPerInspectionMin: z.number().min(0).max(20).nullable().default(2),
  /** Share of non-accident fines (%) below which penalties come mostly after accidents. */
  nonAccidentFineShareMin: z.number().min(0).max(100).nullable().default(50),
  /**
   * Units with fewer inspections than this get “检查力度不足” and are not judged on rates: a rate
   * over a handful of inspections says nothing.
   */
  minInspections: z.number().int().min(0).nullable().default(10),
  /** Turn logic problems found in a unit's figures into a draft finding (数据不准确). */
  reportInconsistencies: z.boolean().default(true),
  ranking: z
    .strictObject({
      /** competition: 1, 2, 2, 4 (Excel RANK); dense: 1, 2, 2, 3 (“中国式排名”). */
      method: z.enum(['competition', 'dense']).default('competition'),
      /** Units not ranked, e.g. 市本级 when only counties compete. */
      exclude: z.array(z.string().trim().min(1)).default([]),
    })
    .prefault({}),
  /**
   * What a blank cell means. auto: zero when the table never writes 0 (its way of writing zero),
   * a missing figure when it does; zero / missing force one reading.
   */
  blankCells: BlankCells.default('auto'),
});
export type StatsRules = z.infer<typeof StatsRulesSchema>;
export type StatsRulesInput = z.input<typeof StatsRulesSchema>;

/** The rules that turn statistics into draft findings. */
export const FINDING_RULES = [
  'lowPunishRate',
  'openLoop',
  'lowRectificationRate',
  'fewInspectors',
  'lowNonAccidentFineShare',
  'fewInspections',
  'inconsistentStatistics',
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];
