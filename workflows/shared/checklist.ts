/**
 * The 12-item checklist (检查指导内容) of the 2022 plan, in its four sections, with the materials
 * the county prepares for each item. The one vocabulary of items: the keys, the sections and the
 * titles that the notice, the findings, the statistics drafts and the letter all use. Pure (zod
 * only): workflows, the CLI, the worker and the activities import it.
 */
import { z } from 'zod';
import { zhCN } from 'zod/v4/locales';

// Chinese messages for a bad item key (the setting is global; this module may be loaded before
// plan.ts and stats.ts, which set it too).
z.config(zhCN());

/** Every item key in checklist order: `<section>.<item>`. */
export const ChecklistItemKey = z.enum([
  'plan.compile',
  'plan.approval',
  'plan.publish',
  'plan.onsite',
  'team.organisation',
  'team.staff',
  'team.training',
  'standard.system',
  'standard.documents',
  'standard.procedure',
  'standard.archive',
  'cases.typical',
]);
export type ChecklistItemKey = z.infer<typeof ChecklistItemKey>;

type SectionKey = ChecklistItemKey extends `${infer S}.${string}` ? S : never;

const SECTION_TITLE: Record<SectionKey, string> = {
  plan: '执法计划编制与执行',
  team: '执法队伍建设',
  standard: '执法规范化建设',
  cases: '安全生产执法典型案例报送',
};

/** Each item's title, as the notice and the letter print it, and the materials to prepare. */
const ITEMS: Record<ChecklistItemKey, { title: string; materials: string[] }> = {
  'plan.compile': { title: '年度监督检查计划编制', materials: ['企业名单', '列入执法计划企业名单'] },
  'plan.approval': { title: '监督检查计划审批报备', materials: ['政府批复文件', '向市应急管理局报备文件'] },
  'plan.publish': {
    title: '监督检查计划公示和执行',
    materials: ['综合业务系统统计情况', '本局网站公示页面', '执法检查、行政处罚纸质案卷'],
  },
  'plan.onsite': {
    title: '现场监管执法检查',
    materials: ['列入执法检查计划的企业名单（供随机抽查 1–2 家）', '被抽查企业的执法检查文书'],
  },
  'team.organisation': { title: '执法机构设置', materials: ['“三定”方案', '执法人员在编在岗名册'] },
  'team.staff': { title: '执法队伍人员情况', materials: ['执法人员学历、专业、年龄、性别统计表'] },
  'team.training': { title: '执法人员培训情况', materials: ['年度培训计划', '培训记录'] },
  'standard.system': {
    title: '应急管理综合业务系统等使用情况',
    materials: ['企业名录、执法人员名录、执法事项维护情况', '国家企业信用信息公示系统录入情况'],
  },
  'standard.documents': {
    title: '安全生产行政执法文书使用情况',
    materials: ['执法手册宣贯学习记录', '2021 版执法文书使用情况'],
  },
  'standard.procedure': { title: '严格安全生产执法程序情况', materials: ['执法启动会、反馈会记录', '现场取证材料'] },
  'standard.archive': { title: '行政处罚案卷归档管理情况', materials: ['立案处罚案卷', '上一年度案卷评查整改情况'] },
  'cases.typical': { title: '典型案例报送', materials: ['“互联网+执法”系统案例报送记录', '合格典型案例数量'] },
};

/** Every item key in checklist order. */
export const CHECKLIST_KEYS: ChecklistItemKey[] = ChecklistItemKey.options;

/** An item's label wherever one item is named (audit, incomplete findings, statistics drafts): its title. */
export const CHECKLIST_ITEM_LABEL = Object.fromEntries(CHECKLIST_KEYS.map((k) => [k, ITEMS[k].title])) as Record<
  ChecklistItemKey,
  string
>;

export interface ChecklistSection {
  key: SectionKey;
  title: string;
  items: { key: ChecklistItemKey; title: string; materials: string[] }[];
}

export const CHECKLIST: ChecklistSection[] = (Object.keys(SECTION_TITLE) as SectionKey[]).map((key) => ({
  key,
  title: SECTION_TITLE[key],
  items: CHECKLIST_KEYS.filter((k) => k.startsWith(`${key}.`)).map((k) => ({ key: k, ...ITEMS[k] })),
}));

/** Section and item of a key. */
export function checklistItem(key: ChecklistItemKey): {
  section: ChecklistSection;
  item: ChecklistSection['items'][number];
} {
  for (const section of CHECKLIST) {
    const item = section.items.find((i) => i.key === key);
    if (item) return { section, item };
  }
  throw new Error(`unknown checklist item ${key}`);
}
