/**
 * The data each kind of letter is given (zod): what a workflow passes to renderDocument and the
 * template check validates examples against. Pure: imported by workflow code.
 */
import { z } from 'zod';
import { DocNumber } from './documents';
import { IsoDate } from './plan';
import { Line, Text } from './text';

const NonEmpty = z.string().trim().min(1, '不能为空');
const Phone = z.string().regex(/^[0-9+\-() ]{5,20}$/, '电话号码格式不正确');
const Count = z.number().int('应为整数').min(0, '不能为负数');

/** The issuing bureau (市应急管理局) as printed on a letter. */
const Issuer = z.object({
  /** 全称, printed red as the 发文机关标志 and as the 署名. */
  name: NonEmpty,
  contact: z.object({ name: NonEmpty, phone: Phone }),
  address: NonEmpty.optional(),
});

/** The county bureau (县区应急管理局) a letter goes to. */
const CountyRef = z.object({ name: NonEmpty, bureauName: NonEmpty });

/** Reference to the opinion letter whose rectification a later letter is about. */
const OpinionRef = z.object({ docNumber: DocNumber, issueDate: IsoDate });

/** 版记: copies to (抄送) and, for circulated documents, the printing office and date (印发). */
const RecordBlock = z.object({
  cc: z.array(NonEmpty).default([]),
  printedBy: NonEmpty.optional(),
  printedOn: IsoDate.optional(),
});

/** Fields every letter has. */
const common = {
  bureau: Issuer,
  /** 成文日期. */
  issueDate: IsoDate,
  /** 主送机关, e.g. 香山县应急管理局. */
  recipient: NonEmpty,
  record: RecordBlock.prefault({}),
};

const ChecklistItem = z.object({
  title: NonEmpty,
  /** Materials the county prepares for the item (需准备的材料). */
  materials: z.array(NonEmpty).min(1, '至少列出一项材料'),
});

export const NoticeBase = z.object({
  ...common,
  docNumber: DocNumber,
  county: CountyRef,
  /** 《2027年度安全生产执法指导工作方案》: the programme the visit belongs to. */
  programme: NonEmpty,
  visit: z.object({
    date: IsoDate,
    endDate: IsoDate.optional(),
    /** 报到时间, e.g. 上午9:00. */
    time: NonEmpty.optional(),
    place: NonEmpty.optional(),
  }),
  team: z.object({
    /** `title`: the person's 职务, printed after the name when given (never the role: 组长 is the label). */
    leader: z.object({ name: NonEmpty, title: NonEmpty.optional() }),
    members: z.array(z.object({ name: NonEmpty, title: NonEmpty.optional() })).default([]),
  }),
  /** Enterprises the team samples at random (1–2, 双随机). */
  sampleSize: z.number().int().min(1).max(2),
  checklist: z
    .array(z.object({ title: NonEmpty, items: z.array(ChecklistItem).min(1, '每部分至少一项') }))
    .min(1, '至少一个检查部分'),
});

export const OpinionBase = z.object({
  ...common,
  docNumber: DocNumber,
  county: CountyRef,
  /** 指导日期: the day of the visit. */
  visitDate: IsoDate,
  /** Main problems and opinions, grouped by checklist section (主要问题及意见). */
  sections: z
    .array(
      z.object({
        title: NonEmpty,
        items: z
          .array(z.object({ title: NonEmpty, problems: z.array(NonEmpty).min(1, '至少一个问题'), opinion: NonEmpty }))
          .min(1, '每部分至少一项'),
      }),
    )
    .min(1, '至少一个部分'),
  /** Enterprises sampled at random and what was found there (抽查企业情况). */
  enterprises: z
    .array(
      z.object({
        name: NonEmpty,
        industry: NonEmpty,
        /** The paragraph's sentences, for a bureau's own template written before problems and clean results. */
        findings: z.array(NonEmpty).min(1, '至少一条发现'),
        /** 存在问题 (each a hazard or problem) and their 处理意见. */
        problems: z.array(NonEmpty).default([]),
        opinions: z.array(NonEmpty).default([]),
        /** Clean results (未发现问题), stated once. */
        clean: z.array(NonEmpty).default([]),
      }),
    )
    .default([]),
  /** 整改结果报告期限. */
  dueDate: IsoDate,
  /** 市应急局联系人 on the second signature line. */
  cityContact: z.object({ name: NonEmpty, phone: Phone }),
  /** 审批稿: the draft the leader approves; it carries no number yet (numbers go only to letters sent). */
  draft: z.boolean().default(false),
});

/** Letters about one opinion letter's rectification: reminder and the escalation ladder. */
const rectificationRef = {
  docNumber: DocNumber.optional(),
  county: CountyRef,
  opinion: OpinionRef,
  dueDate: IsoDate,
};

export const ReminderBase = z.object({
  ...common,
  ...rectificationRef,
  daysLeft: Count,
});

export const UrgeBase = z.object({
  ...common,
  ...rectificationRef,
  docNumber: DocNumber,
  daysOverdue: z.number().int().min(1, '逾期天数至少为 1'),
  /** New deadline for the report (限期报送日期). */
  replyBy: IsoDate,
});

/** An earlier rung of the ladder, listed in later letters. */
const PreviousLetter = z.object({ name: NonEmpty, docNumber: DocNumber.optional(), issueDate: IsoDate });

export const SuperviseBase = UrgeBase.extend({
  requirements: z.array(NonEmpty).min(1, '至少一项督办要求'),
  previous: z.array(PreviousLetter).default([]),
});

export const WarningBase = UrgeBase.extend({
  previous: z.array(PreviousLetter).min(1, '警示函应列出此前的催办、督办文书'),
  /** What follows if the report still does not come (约谈、通报、考核扣分). */
  consequences: z.array(NonEmpty).min(1, '至少一项后续措施'),
});

export const SummonsBase = z.object({
  ...common,
  ...rectificationRef,
  docNumber: DocNumber,
  daysOverdue: z.number().int().min(1),
  previous: z.array(PreviousLetter).default([]),
  /** Who is summoned, e.g. 香山县应急管理局主要负责人. */
  summoned: NonEmpty,
  meeting: z.object({ date: IsoDate, time: NonEmpty, place: NonEmpty }),
  /** Who conducts the talk on the city's side (约谈人). */
  interviewer: NonEmpty,
  bring: z.array(NonEmpty).default([]),
});

export const AcceptanceBase = z.object({
  ...common,
  docNumber: DocNumber.optional(),
  county: CountyRef,
  opinion: OpinionRef,
  report: z.object({ title: NonEmpty, receivedOn: IsoDate }),
  /** accepted = 验收通过; returned = 退回重新整改. */
  decision: z.enum(['accepted', 'returned'], { error: '验收结论只能是 accepted 或 returned' }),
  items: z
    .array(z.object({ problem: NonEmpty, measure: NonEmpty, passed: z.boolean(), comment: NonEmpty.optional() }))
    .min(1, '至少一项整改事项'),
  reasons: z.array(NonEmpty).default([]),
  resubmitBy: IsoDate.optional(),
});

/** One county's enforcement statistics for the period (执法统计). */
export const BulletinRow = z.object({
  county: NonEmpty,
  /** 检查生产经营单位（家次）. */
  inspections: Count,
  /** 出动行政执法人员（人次）. */
  inspectors: Count,
  /** 使用执法文书（份）. */
  documents: Count,
  /** 立案数（起）. */
  cases: Count,
  /** 罚款（万元）. */
  fines: z.number().min(0, '不能为负数'),
  /** 排查隐患（项）. */
  hazardsFound: Count,
  /** 整改隐患（项）. */
  hazardsFixed: Count,
});
export type BulletinRow = z.infer<typeof BulletinRow>;

export const BulletinBase = z.object({
  ...common,
  docNumber: DocNumber,
  /** e.g. 2027年1—6月 or 2027年度. */
  periodLabel: NonEmpty,
  /** Opening paragraphs (the situation), as written; without them the template words them from `progress`. */
  summary: z.array(NonEmpty).default([]),
  /** How far the programme has come, for the template's opening paragraph (used when `summary` is empty). */
  progress: z.object({
    /** 《…工作方案》, the programme's name. */
    programme: NonEmpty,
    /** 6月底, 年底: where the period ends, as the opening reads it (截至6月底已对…). */
    asOf: NonEmpty,
    visited: Count,
    /** The statistics' period when they have been imported. */
    statisticsPeriod: NonEmpty.optional(),
  }),
  rows: z.array(BulletinRow).min(1, '统计表至少一个县区'),
  overdue: z
    .array(
      z.object({
        county: NonEmpty,
        docNumber: DocNumber,
        dueDate: IsoDate,
        daysOverdue: z.number().int().min(1),
        measure: NonEmpty,
      }),
    )
    .default([]),
  problems: z.array(NonEmpty).default([]),
  requirements: z.array(NonEmpty).default([]),
});

/**
 * 送达回证 (certificate of service): the record that a county received (签收) a letter, made once
 * it acknowledged it. Not a letter of its own: no 发文字号 (it names the number of the letter it
 * is for), no 主送机关 or 成文日期; its date is the day of signing. The texts people typed (the
 * signer's name, the note) and the names copied from the plan go through the text normaliser,
 * so whatever the acknowledgement accepted prints.
 */
export const ReceiptBase = z.object({
  /** 案件编号: the case the letter belongs to, the engine's id; for the record, not printed (a person reads `caseName`). */
  caseId: Line({ min: 1, max: 100, label: '案件编号' }),
  /** The case as a person names it: 香山县2027年度执法指导. */
  caseName: Line({ min: 1, max: 100, label: '案件名称' }),
  /** 回执编号, e.g. R2: the receipt's id within the case. */
  receiptId: z.string({ error: '回执编号应为文字' }).regex(/^R\d{1,4}$/, '回执编号应为 R 加数字，例如 R1'),
  /** The letter served (送达文书): its title, its 发文字号 when it has one, and its 成文日期. */
  letter: z.object({
    title: Line({ min: 1, max: 200, label: '送达文书名称' }),
    docNumber: DocNumber.optional(),
    date: IsoDate,
  }),
  /** 送达机关: the city bureau, printed red as the form's heading. */
  sender: Line({ min: 1, max: 100, label: '送达机关' }),
  /** 受送达人: the county bureau. */
  recipient: Line({ min: 1, max: 100, label: '受送达人' }),
  /** 送达方式, e.g. 电子邮件（附签收链接）. */
  method: Line({ min: 1, max: 50, label: '送达方式' }),
  /** 送达地址: the mail addresses the letter went to, one a line. */
  addresses: z.array(Line({ min: 1, max: 254, label: '送达地址' })).min(1, '至少一个送达地址'),
  /** 送达日期 (case clock). */
  sentAt: IsoDate,
  acknowledged: z.object({
    /** 签收人: the person at the county who received the letter. */
    signer: Line({ min: 1, max: 50, label: '签收人' }),
    /** 签收日期 (case clock): the legal date of service, and the PDF's date. */
    date: IsoDate,
    /** The instant the acknowledgement was recorded; its clock time is printed when it falls on `date` in China time. */
    at: z.iso.datetime({ offset: true, error: '签收时刻应为 ISO 8601 时间，例如 2027-05-19T02:32:00Z' }),
    /** 签收方式 as printed, e.g. 县区门户签收 / 邮件链接签收 / 命令行代签. */
    via: Line({ min: 1, max: 20, label: '签收方式' }),
    /** 经办: who recorded it, by name (the city staff who signed on the county's behalf), or the county bureau whose portal or link it was. */
    by: Line({ min: 1, max: 100, label: '签收经办人' }),
  }),
  /** 备注; line breaks are kept and printed. */
  note: Text({ max: 500, label: '备注' }).optional(),
});

// Consistency rules a reader would catch at once; refused before any template runs.
