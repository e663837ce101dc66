/**
 * The 12-item checklist (检查指导内容) of the 2022 plan, in its four sections, with the materials
 * the county prepares for each item. One table for the notice, the findings and the letter.
 */
import { CHECKLIST_ITEM_LABEL, ChecklistItemKey } from './stats';

export { ChecklistItemKey, CHECKLIST_ITEM_LABEL };

export interface ChecklistSection {
  key: 'plan' | 'team' | 'standard' | 'cases';
  title: string;
  items: { key: ChecklistItemKey; title: string; materials: string[] }[];
}

export const CHECKLIST: ChecklistSection[] = [
  {
    key: 'plan',
    title: '执法计划编制与执行',
    items: [
      { key: 'plan.compile', title: '年度监督检查计划编制', materials: ['企业名单', '列入执法计划企业名单'] },
      { key: 'plan.approval', title: '监督检查计划审批报备', materials: ['政府批复文件', '向市应急管理局报备文件'] },
      { key: 'plan.publish', title: '监督检查计划公示和执行', materials: ['综合业务系统统计情况', '本局网站公示页面', '执法检查、行政处罚纸质案卷'] },
      { key: 'plan.onsite', title: '现场监管执法检查', materials: ['列入执法检查计划的企业名单（供随机抽查 1–2 家）', '被抽查企业的执法检查文书'] },
    ],
  },
  {
    key: 'team',
    title: '执法队伍建设',
    items: [
      { key: 'team.organisation', title: '执法机构设置', materials: ['“三定”方案', '执法人员在编在岗名册'] },
      { key: 'team.staff', title: '执法队伍人员情况', materials: ['执法人员学历、专业、年龄、性别统计表'] },
      { key: 'team.training', title: '执法人员培训情况', materials: ['年度培训计划', '培训记录'] },
    ],
  },
  {
    key: 'standard',
    title: '执法规范化建设',
    items: [
      { key: 'standard.system', title: '应急管理综合业务系统等使用情况', materials: ['企业名录、执法人员名录、执法事项维护情况', '国家企业信用信息公示系统录入情况'] },
      { key: 'standard.documents', title: '安全生产行政执法文书使用情况', materials: ['执法手册宣贯学习记录', '2021 版执法文书使用情况'] },
      { key: 'standard.procedure', title: '严格安全生产执法程序情况', materials: ['执法启动会、反馈会记录', '现场取证材料'] },
      { key: 'standard.archive', title: '行政处罚案卷归档管理情况', materials: ['立案处罚案卷', '上一年度案卷评查整改情况'] },
    ],
  },
  {
    key: 'cases',
    title: '安全生产执法典型案例报送',
    items: [{ key: 'cases.typical', title: '典型案例报送', materials: ['“互联网+执法”系统案例报送记录', '合格典型案例数量'] }],
  },
];

/** Every item key in checklist order. */
export const CHECKLIST_KEYS: ChecklistItemKey[] = CHECKLIST.flatMap((s) => s.items.map((i) => i.key));

/** Section and item of a key. */
export function checklistItem(key: ChecklistItemKey): { section: ChecklistSection; item: ChecklistSection['items'][number] } {
  for (const section of CHECKLIST) {
    const item = section.items.find((i) => i.key === key);
    if (item) return { section, item };
  }
  throw new Error(`unknown checklist item ${key}`);
}
