/**
 * A whole case's letters, built by the visit's own letter builders (workflows/visit/letters.ts) and
 * the programme's bulletin period (workflows/programme/reporting.ts), from case data a test chooses:
 * notice, the approval draft and the opinion letter, reminder, the four rungs of the ladder, a
 * returned and an accepted report, a 送达回证 and a bulletin. What the proofreading tests render.
 */
import { takeSnapshot } from '../../activities/calendar';
import { bulletinPeriod } from '../../workflows/programme/reporting';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { addDays, addMonths } from '../../workflows/shared/clock';
import type { BulletinRow } from '../../workflows/shared/document-data';
import type { DocumentDataInput } from '../../workflows/shared/render-document';
import { formatDocNumber, type DocumentKind } from '../../workflows/shared/documents';
import type { County, Plan } from '../../workflows/shared/plan';
import { RECEIPT_VIA_LABEL, type Receipt, type ReceiptVia } from '../../workflows/contracts/receipts';
import { SAMPLING_ALGORITHM } from '../../workflows/shared/sampling';
import { onOrNextWorkingDay, snapshotCalendar } from '../../workflows/shared/schedule';
import type { EnterpriseResult, Finding, VisitCase } from '../../workflows/contracts/visit';
import type {
  Rectification,
  RectificationReport,
  SubmitReportArgs,
} from '../../workflows/contracts/visit-rectification';
import type { VisitContext } from '../../workflows/visit/context';
import {
  acceptanceLetter,
  escalationLetter,
  letterProblems,
  noticeLetter,
  opinionLetter,
  receiptCertificate,
  reminderLetter,
  type EscalationKind,
} from '../../workflows/visit/letters';

/** One letter to render: what it is (for the failure message), its kind and its data. */
export interface CaseLetter<K extends DocumentKind = DocumentKind> {
  name: string;
  kind: K;
  data: DocumentDataInput[K];
}

export interface CaseSpec {
  plan: Plan;
  county: County;
  /** Findings people recorded; the other checklist items are 符合. */
  findings: Finding[];
  /** Results recorded for sampled enterprises (by enterprise id). */
  enterprises: EnterpriseResult[];
  /** How many of the county's enterprises were drawn (1–2), the draw's seed and roster hash. */
  sampleSize: number;
  seed: string;
  rosterSha256: string;
  /** Days from 1 March to the visit; the letter goes out `issueAfter` days later. */
  visitOffset: number;
  issueAfter: number;
  /** The county's report: each problem's status, and the reasons it is returned with the first time. */
  statuses: SubmitReportArgs['items'][number]['status'][];
  returnReasons: string[];
  signer: string;
  via: ReceiptVia;
  /** The bulletin: the month it goes out in (YYYY-MM, up to January of the next year) and its rows. */
  bulletinMonth: string;
  rows: BulletinRow[];
}

const SHA = 'a'.repeat(64);
/** The series word of each kind's 发文字号, as workflows/visit/steps.ts numbers them (河洛应急催〔2027〕1号). */
const SERIES_WORD = {
  notice: '函',
  opinion: '指导',
  acceptance: '指导',
  urge: '催',
  supervise: '督',
  warning: '函',
  summons: '约',
} as const;
const stored = (documentId: string) => ({ documentId, path: `${documentId}.pdf`, sha256: SHA, pages: 1, bytes: 1 });

/** Every letter of the case, in the order the case would send them. */
export function caseLetters(spec: CaseSpec): CaseLetter[] {
  const { plan, county } = spec;
  const calendar = snapshotCalendar([takeSnapshot(plan.year), takeSnapshot(plan.year + 1)]);
  const visitDate = onOrNextWorkingDay(addDays(`${plan.year}-03-01`, spec.visitOffset), calendar);
  let today = onOrNextWorkingDay(addDays(visitDate, spec.issueAfter), calendar);
  const findings = CHECKLIST_KEYS.map(
    (item) => spec.findings.find((f) => f.item === item) ?? { item, result: '符合' as const, evidence: [] },
  );
  const state = {
    caseId: `visit-${plan.year}-${plan.bureau.code}-${county.code}`,
    findings,
    enterprises: spec.enterprises,
    sample: {
      algorithm: SAMPLING_ALGORITHM,
      seed: spec.seed,
      rosterSha256: spec.rosterSha256,
      size: spec.sampleSize,
      enterprises: county.enterprises.slice(0, spec.sampleSize),
    },
  } as Partial<VisitCase> as VisitCase;
  const ctx = {
    input: { programmeWorkflowId: `guidance-${plan.year}`, plan, county, date: visitDate },
    plan,
    county,
    caseId: state.caseId,
    state,
    today: () => today,
    calendar: () => calendar,
    countyMail: county.emails.map((address) => ({ name: county.bureauName, address })),
  } as Partial<VisitContext> as VisitContext;
  const number = (n: number, series: string) => formatDocNumber(plan.bureau.shortName, plan.year, n, series);
  const out: CaseLetter[] = [];
  const add = <K extends DocumentKind>(name: string, input: { kind: K; data: DocumentDataInput[K] }) =>
    out.push({ name, kind: input.kind, data: input.data } as CaseLetter);

  add('通知', noticeLetter(ctx, number(1, SERIES_WORD.notice)));
  add('意见书审批稿', opinionLetter(ctx, 'draft-1'));
  const issued = {
    docNumber: number(2, SERIES_WORD.opinion),
    issueDate: today,
    dueDate: onOrNextWorkingDay(addDays(today, plan.rectification.periodDays), calendar),
  };
  add('意见书', opinionLetter(ctx, 'final', issued));
  state.letter = { ...issued, document: stored('opinion') };
  const rect: Rectification = {
    problems: letterProblems(ctx),
    dueDate: issued.dueDate,
    rungIndex: -1,
    rung: 'none',
    overdue: false,
    reminders: [],
    escalations: [],
    reports: [],
    extensions: [],
    deductions: [],
    listedInBulletin: false,
  };
  state.rectification = rect;
  today = addDays(issued.dueDate, -3);
  add('整改到期提醒', reminderLetter(ctx, 3));

  // The ladder, each rung a week after the one before; every letter lists the ones before it.
  (['urge', 'supervise', 'warning', 'summons'] as EscalationKind[]).forEach((kind, i) => {
    today = onOrNextWorkingDay(addDays(issued.dueDate, 1 + 7 * i), calendar);
    const daysOverdue = Math.round((Date.parse(today) - Date.parse(issued.dueDate)) / 86_400_000);
    const docNumber = number(10 + i, SERIES_WORD[kind]);
    add(kind, escalationLetter(ctx, kind, docNumber, daysOverdue, i >= 1));
    rect.escalations.push({
      kind,
      docNumber,
      date: today,
      dueDate: rect.dueDate,
      document: stored(kind),
      rung: kind,
      daysOverdue,
    });
  });

  // A report returned with reasons, then the same problems reported done and accepted.
  const items = rect.problems.map((_, index) => {
    const status = spec.statuses[index % Math.max(1, spec.statuses.length)] ?? '整改完成';
    return status === '正在整改'
      ? { index, status, date: addDays(today, 20) }
      : status === '无法整改'
        ? { index, status, reason: '涉及跨部门职责，需县政府协调' }
        : { index, status };
  }) as RectificationReport['items'];
  const report = (
    no: number,
    reportItems: RectificationReport['items'],
    review: RectificationReport['review'],
  ): RectificationReport => ({
    no,
    at: `${today}T02:00:00.000Z`,
    date: today,
    by: 'county-user',
    role: 'county',
    late: true,
    daysOverdue: 1,
    files: [],
    items: reportItems,
    review,
  });
  today = addDays(today, 2);
  const returned = report(1, items, {
    decision: 'return',
    by: 'supervisor',
    at: today,
    reasons: spec.returnReasons,
    resubmitBy: onOrNextWorkingDay(addDays(today, 10), calendar),
  });
  add('整改验收意见（退回）', acceptanceLetter(ctx, returned, number(20, SERIES_WORD.acceptance)));
  today = addDays(today, 12);
  const done = report(
    2,
    rect.problems.map((_, index) => ({ index, status: '整改完成' as const })),
    { decision: 'accept', by: 'supervisor', at: today, reasons: [] },
  );
  add('整改验收意见（通过）', acceptanceLetter(ctx, done, number(21, SERIES_WORD.acceptance)));

  const receipt: Receipt = {
    id: 'R2',
    kind: 'opinion',
    docNumber: issued.docNumber,
    title: '安全生产执法指导意见书',
    sentAt: issued.issueDate,
    dueBy: addDays(issued.issueDate, 5),
    linkExpires: addDays(issued.issueDate, 30),
    acknowledged: {
      by: county.code,
      signer: spec.signer,
      at: `${issued.issueDate}T02:32:00.000Z`,
      date: issued.issueDate,
      via: spec.via,
    },
  };
  add('送达回证', receiptCertificate(ctx, receipt, RECEIPT_VIA_LABEL[spec.via]));
  add(`通报（${spec.bulletinMonth}）`, bulletinLetter(plan, spec.bulletinMonth, spec.rows, calendar));
  return out;
}

/** The bulletin a programme sends in `month`, shaped as workflows/programme/reporting.ts shapes it. */
export function bulletinLetter(
  plan: Plan,
  month: string,
  rows: BulletinRow[],
  calendar = snapshotCalendar([takeSnapshot(plan.year), takeSnapshot(plan.year + 1)]),
): { kind: 'bulletin'; data: DocumentDataInput['bulletin'] } {
  const date = onOrNextWorkingDay(`${month}-05`, calendar);
  const { periodLabel, asOf } = bulletinPeriod(plan.year, month);
  return {
    kind: 'bulletin',
    data: {
      bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
      issueDate: date,
      recipient: plan.wording.bulletin.recipient,
      docNumber: formatDocNumber(plan.bureau.shortName, plan.year, Number(month.slice(5)) + 1, ''),
      periodLabel,
      progress: {
        programme: `${plan.bureau.name}${plan.year}年度安全生产执法指导工作方案`,
        asOf,
        visited: rows.length,
      },
      rows,
      overdue: rows.slice(0, 1).map((r) => ({
        county: r.county,
        docNumber: formatDocNumber(plan.bureau.shortName, plan.year, 2, SERIES_WORD.opinion),
        dueDate: addDays(date, -10),
        daysOverdue: 10,
        measure: '已发出催办',
      })),
      requirements: plan.wording.bulletin.requirements,
    },
  };
}

/** Every month a bulletin can go out in, from February of the year to January of the next. */
export const bulletinMonths = (year: number) => Array.from({ length: 12 }, (_, i) => addMonths(`${year}-02`, i));
