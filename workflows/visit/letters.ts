/**
 * One builder per document kind: each returns the renderDocument input for its kind, its data typed
 * by that kind's schema (workflows/shared/documents.ts), so a wrong field is a type error today and
 * not a failed render in October. Wording a bureau may change comes from `plan.wording`
 * (templates/wording.yaml), never from here.
 */
import { CHECKLIST, checklistItem } from '../shared/checklist';
import { addDays } from '../shared/clock';
import type { DocumentDataInput } from '../shared/render-document';
import { formatDateZh, formatDocNumber, type DocumentKind } from '../shared/documents';
import { type RenderDocumentInput } from '../shared/render-document';
import { DOCUMENT_KIND_NAMES } from '../shared/labels';
import { planPeople } from '../shared/people';
import { renderFormats } from '../shared/plan';
import { onOrNextWorkingDay } from '../shared/schedule';
import { joinSentences } from '../shared/text';
import { enterpriseChecks, type EnterpriseResult, type Finding } from '../contracts/visit';
import { type LetterSent, type RectificationReport } from '../contracts/visit-rectification';
import type { VisitContext } from './context';

/** What the letter builders read of a case: its facts, its record, its calendar and the county's mailboxes; never the I/O. */
export type LetterContext = Pick<
  VisitContext,
  'input' | 'plan' | 'county' | 'caseId' | 'state' | 'today' | 'calendar' | 'countyMail'
>;
import type { Receipt } from '../contracts/receipts';

/** The escalation letters of the ladder (the bulletin rung has no letter of its own). */
export type EscalationKind = 'urge' | 'supervise' | 'warning' | 'summons';

/** The renderDocument input for `kind`, in this case's folder, with the plan's own templates and formats. */
function letter<K extends DocumentKind>(
  ctx: LetterContext,
  kind: K,
  key: string,
  data: DocumentDataInput[K],
): RenderDocumentInput<K> {
  return { kind, caseId: ctx.caseId, key, templatesDir: ctx.plan.templatesDir, ...renderFormats(ctx.plan), data };
}

/** Issuer, date and recipient: what every letter of the case starts with. */
function common(ctx: LetterContext) {
  const { plan, county } = ctx;
  return {
    bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
    issueDate: ctx.today(),
    recipient: county.bureauName,
    county: { name: county.name, bureauName: county.bureauName },
  };
}

/** The opinion letter a later letter refers to. */
function opinionRef(ctx: LetterContext) {
  const l = ctx.state.letter!;
  return { docNumber: l.docNumber, issueDate: l.issueDate };
}

/** 执法指导通知: date, team, the materials to prepare for each of the 12 items. */
export function noticeLetter(ctx: LetterContext, docNumber: string): RenderDocumentInput<'notice'> {
  const { plan } = ctx;
  return letter(ctx, 'notice', 'notice', {
    ...common(ctx),
    docNumber,
    // The bare name: the template puts it in 《》.
    programme: `${plan.year}年度安全生产执法指导工作方案`,
    visit: { date: ctx.input.date, time: plan.wording.notice.time, place: ctx.county.bureauName },
    // 组长/成员 are the labels the letter prints; the plan gives no 职务 to print after a name.
    team: {
      leader: { name: plan.supervisors[0]!.name },
      members: plan.supervisors.slice(1).map((s) => ({ name: s.name })),
    },
    sampleSize: plan.visit.sampleSize,
    checklist: CHECKLIST.map((s) => ({
      title: s.title,
      items: s.items.map((i) => ({ title: i.title, materials: i.materials })),
    })),
  });
}

const hasProblem = (f: Finding): f is Finding & { problem: string } =>
  Boolean(f.problem) && (f.result === '不符合' || f.result === '基本符合');

/** 执法指导意见书: the draft for approval (no number yet: numbers go only to letters sent) or the final letter. */
export function opinionLetter(
  ctx: LetterContext,
  key: string,
  issued?: { docNumber: string; issueDate: string; dueDate: string },
): RenderDocumentInput<'opinion'> {
  const { plan, state } = ctx;
  const w = plan.wording.opinion;
  const finding = (item: string) => state.findings.find((f) => f.item === item)!;
  const sections = CHECKLIST.map((s) => ({
    title: s.title,
    items: s.items
      .map((i) => finding(i.key))
      .filter(hasProblem)
      .map((f) => ({
        title: checklistItem(f.item).item.title,
        problems: f.problem.split('\n').filter(Boolean),
        opinion: f.opinion ?? w.defaultOpinion,
      })),
  })).filter((s) => s.items.length > 0);
  // The draw's seed and roster hash stay in the case record, the audit log and the archive: not in the letter.
  const enterprises = (state.sample?.enterprises ?? []).map((e) => ({
    name: e.name,
    industry: e.industry,
    ...enterpriseParagraph(
      state.enterprises.find((r) => r.enterprise === e.id),
      w,
    ),
  }));
  const draftIssue = ctx.today();
  return letter(ctx, 'opinion', key, {
    ...common(ctx),
    issueDate: issued?.issueDate ?? draftIssue,
    docNumber: issued?.docNumber ?? formatDocNumber(plan.bureau.shortName, plan.year, 1, '指导（审批稿）'),
    draft: !issued,
    visitDate: ctx.input.date,
    sections: sections.length
      ? sections
      : [
          {
            title: w.noProblems.section,
            items: [{ title: w.noProblems.item, problems: [w.noProblems.problem], opinion: w.noProblems.opinion }],
          },
        ],
    enterprises,
    dueDate: issued?.dueDate ?? onOrNextWorkingDay(addDays(draftIssue, plan.rectification.periodDays), ctx.calendar()),
    cityContact: { name: plan.supervisors[0]!.name, phone: plan.supervisors[0]!.phone ?? plan.bureau.contact.phone },
  });
}

/**
 * What the letter says of one sampled enterprise: its problems with their opinions, its clean
 * results once (经现场抽查，未发现……), and the same as plain sentences for a bureau's own template.
 */
function enterpriseParagraph(result: EnterpriseResult | undefined, w: LetterContext['plan']['wording']['opinion']) {
  if (!result) return { findings: [w.enterpriseMissing], problems: [], opinions: [], clean: [] };
  const checks = enterpriseChecks(result);
  const problems = checks.filter((c) => c.result === '发现问题');
  const opinions = [...new Set(problems.map((c) => c.opinion ?? w.defaultOpinion))];
  const clean = checks.filter((c) => c.result === '未发现问题').map((c) => c.text);
  const texts = problems.map((c) => c.text);
  const findings = [
    ...(texts.length ? [`存在问题：${joinSentences(texts)}`, `处理意见：${joinSentences(opinions)}`] : []),
    ...(clean.length ? [`经现场抽查，${joinSentences(clean)}`] : []),
  ];
  return { findings, problems: texts, opinions, clean };
}

/** 整改到期提醒, `daysBefore` days before the due date. */
export function reminderLetter(ctx: LetterContext, daysBefore: number): RenderDocumentInput<'reminder'> {
  const rect = ctx.state.rectification!;
  return letter(ctx, 'reminder', `reminder-${rect.dueDate}-${daysBefore}`, {
    ...common(ctx),
    opinion: opinionRef(ctx),
    dueDate: rect.dueDate,
    daysLeft: daysBefore,
  });
}

/** 催办 / 督办 / 警示 / 约谈: the letter of a rung, listing the rungs before it. */
export function escalationLetter(
  ctx: LetterContext,
  kind: EscalationKind,
  docNumber: string,
  daysOverdue: number,
  ccLeader: boolean,
): RenderDocumentInput<EscalationKind> {
  const { plan } = ctx;
  const rect = ctx.state.rectification!;
  const cal = ctx.calendar();
  const key = `${kind}-${rect.escalations.length + 1}`;
  const replyBy = onOrNextWorkingDay(addDays(ctx.today(), 5), cal);
  const previous = rect.escalations.map((e: LetterSent) => ({
    name: DOCUMENT_KIND_NAMES[e.kind as DocumentKind],
    docNumber: e.docNumber,
    issueDate: e.date,
  }));
  const interviewer = `${plan.wording.summons.interviewerTitle}${plan.approval.approver.name}`;
  const base = {
    ...common(ctx),
    docNumber,
    opinion: opinionRef(ctx),
    dueDate: rect.dueDate,
    daysOverdue,
    record: { cc: ccLeader ? [interviewer] : [] },
  };
  switch (kind) {
    case 'urge':
      return letter(ctx, kind, key, { ...base, replyBy });
    case 'supervise':
      return letter(ctx, kind, key, { ...base, replyBy, previous, requirements: plan.wording.supervise.requirements });
    case 'warning':
      return letter(ctx, kind, key, { ...base, replyBy, previous, consequences: plan.wording.warning.consequences });
    case 'summons': {
      const s = plan.wording.summons;
      const meeting = {
        date: onOrNextWorkingDay(addDays(ctx.today(), 3), cal),
        time: s.time,
        place: `${plan.bureau.name}${s.room}`,
      };
      return letter(ctx, kind, key, { ...base, previous, summoned: s.summoned, meeting, interviewer, bring: s.bring });
    }
  }
}

/** 整改验收意见: accepted, or returned with reasons and a date to report again. */
export function acceptanceLetter(
  ctx: LetterContext,
  report: RectificationReport,
  docNumber: string,
): RenderDocumentInput<'acceptance'> {
  const rect = ctx.state.rectification!;
  const review = report.review!;
  const accepted = review.decision === 'accept';
  const items = report.items.map((it) => ({
    problem: rect.problems[it.index]!,
    measure:
      it.status === '整改完成'
        ? '已整改完成'
        : it.status === '正在整改'
          ? it.date
            ? `正在整改，预计${formatDateZh(it.date)}完成`
            : '正在整改'
          : `无法整改：${it.reason ?? ''}`,
    passed: accepted || it.status === '整改完成',
  }));
  return letter(ctx, 'acceptance', `acceptance-${report.no}`, {
    ...common(ctx),
    docNumber,
    opinion: opinionRef(ctx),
    report: { title: `${ctx.county.bureauName}关于安全生产执法指导问题整改情况的报告`, receivedOn: report.date },
    decision: accepted ? 'accepted' : 'returned',
    items,
    reasons: review.reasons,
    ...(review.resubmitBy ? { resubmitBy: review.resubmitBy } : {}),
  });
}

/**
 * Who recorded a signature, as the 送达回证 names them: a person of the plan by name; otherwise
 * the county's bureau (its portal account, the emailed link) or, for staff the plan does not name,
 * the city bureau. Never the account's id.
 */
function recordedBy(ctx: LetterContext, ack: NonNullable<Receipt['acknowledged']>): string {
  const named = planPeople(ctx.plan).get(ack.by);
  if (named) return named;
  return ack.via === 'staff' ? ctx.plan.bureau.name : ctx.county.bureauName;
}

/** 送达回证 of an acknowledged letter: the letter's number and date, who signed, when and how. */
export function receiptCertificate(ctx: LetterContext, receipt: Receipt, via: string): RenderDocumentInput<'receipt'> {
  const ack = receipt.acknowledged!;
  return letter(ctx, 'receipt', `receipt-${receipt.id}`, {
    caseId: ctx.caseId,
    caseName: `${ctx.county.name}${ctx.plan.year}年度执法指导`,
    receiptId: receipt.id,
    letter: {
      title: receipt.title,
      ...(receipt.docNumber ? { docNumber: receipt.docNumber } : {}),
      date: receipt.sentAt,
    },
    sender: ctx.plan.bureau.name,
    recipient: ctx.county.bureauName,
    method: '电子邮件',
    addresses: ctx.countyMail.map((a) => a.address),
    sentAt: receipt.sentAt,
    acknowledged: { signer: ack.signer, date: ack.date, at: ack.at, via, by: recordedBy(ctx, ack) },
  });
}

/** Problems of the letter, one line each, as the county answers them. */
export function letterProblems(ctx: LetterContext): string[] {
  const { state } = ctx;
  const out: string[] = [];
  for (const f of state.findings) if (hasProblem(f)) out.push(...f.problem.split('\n').filter(Boolean));
  // Only problems are rectified: a clean result asks nothing of the county.
  for (const r of state.enterprises) {
    const name = state.sample?.enterprises.find((e) => e.id === r.enterprise)?.name ?? r.enterprise;
    out.push(
      ...enterpriseChecks(r)
        .filter((c) => c.result === '发现问题')
        .map((c) => `${name}：${c.text}`),
    );
  }
  return out.length ? out : [ctx.plan.wording.rectification.noProblems];
}
