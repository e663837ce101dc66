/**
 * Whatever an Update's validator accepts, the engine can carry out. Arbitrary text — every kind of
 * line break, control and invisible characters, lone surrogates, very long and empty strings — is
 * driven through every text field of every Update argument schema:
 * - what a schema accepts is normalised text that a second parse leaves alone (the HTTP API parses
 *   with the schema, then the Update's validator parses the result again);
 * - the fields that reach letters build letter data, through the visit's own builders, that the
 *   document schemas accept — the check renderDocument makes before it will render;
 * - a sample of those letters is rendered to PDF and read back with pdftotext;
 * - what a schema refuses, it refuses with a Chinese message.
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { takeSnapshot } from '../activities/calendar';
import { faceFor, loadFonts, type FaceName } from '../activities/documents/fonts';
import { renderPdf } from '../activities/documents/render';
import { ensureDocumentTools } from '../scripts/setup-documents';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { addDays } from '../workflows/shared/clock';
import { AddCountyArgs, CancelVisitArgs, RescheduleArgs } from '../workflows/contracts/programme';
import { RecordStatisticsArgs } from '../workflows/contracts/statistics';
import { type Actor } from '../workflows/contracts/common';
import { DocumentDataSchemas, type DocumentDataInput } from '../workflows/shared/render-document';
import { formatDocNumber, type DocumentKind } from '../workflows/shared/documents';
import { formatIssues, type County } from '../workflows/shared/plan';
import { onOrNextWorkingDay, snapshotCalendar } from '../workflows/shared/schedule';
import { SAMPLING_ALGORITHM, type SampleDraw } from '../workflows/shared/sampling';
import { type EnterpriseResult, type Finding, type VisitCase } from '../workflows/contracts/visit';
import {
  AddEvidenceArgs,
  DecisionArgs,
  ReturnArgs,
  SetEnterpriseResultArgs,
  SetFindingArgs,
} from '../workflows/contracts/visit-onsite';
import {
  ExtendDueArgs,
  RecordReinspectionArgs,
  ReviewReportArgs,
  SubmitReportArgs,
  type Rectification,
  type RectificationReport,
} from '../workflows/contracts/visit-rectification';
import type { VisitContext } from '../workflows/visit/context';
import {
  acceptanceLetter,
  escalationLetter,
  letterProblems,
  noticeLetter,
  opinionLetter,
  reminderLetter,
} from '../workflows/visit/letters';
import { textLength } from '../workflows/shared/text';
import { examplePlan } from './helpers/plans';

// ---------------------------------------------------------------------------------------------
// Arbitrary text.

const BREAKS = ['\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085', '\v', '\f', '\n\n\n'];
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\u001b', '\u001f', '\u007f', '\u0080', '\u0090', '\u009f'];
const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u034f',
  '\u3164',
  '\u115f',
  '\ufe0f',
  '\u{e0100}',
  '\u{e0041}',
  '\ufffe',
];
const SPACES = [' ', '  ', '\u00a0', '\u3000', '\u2003', '\u202f', '\u1680'];
const WORDS = [
  '问题',
  '未按规定开展隐患排查',
  '《安全生产法》',
  '（一）',
  '，',
  '。',
  '“整改”',
  'ABC',
  'pH 7.5',
  '2027',
  '&<>"\'',
  '{{x}}',
  '<p>',
  '——',
  '……',
  '葛\u{e0100}',
  '😀',
  '👨‍👩‍👧',
  '𠀀',
  '郞',
  'é',
  'e\u0301',
  '\ufffd',
  '\ue000',
];
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Text made of the pieces that trouble a text pipeline, mixed with ordinary Chinese. */
const troublesome = fc
  .array(
    fc.oneof(
      fc.constantFrom(...BREAKS),
      fc.constantFrom(...CONTROLS),
      fc.constantFrom(...INVISIBLE),
      fc.constantFrom(...SPACES),
      { arbitrary: fc.constantFrom(...WORDS), weight: 3 },
      loneSurrogate,
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Several lines, some of them only spaces or invisible characters, joined by any kind of break. */
const lines = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...SPACES), fc.constantFrom(...INVISIBLE), troublesome),
      fc.constantFrom(...BREAKS),
    ),
    { minLength: 2, maxLength: 8 },
  )
  .map((parts) => parts.flat().join(''));

/** Around the 2000-character limits, either side. */
const long = fc
  .tuple(fc.constantFrom('问', '问题\n', '隐患 ', '\u200b', 'a\r\n\r\n', '😀'), fc.integer({ min: 300, max: 2200 }))
  .map(([s, n]) => s.repeat(n));

const edges = fc.constantFrom('', ' ', '\n', '\r\n', '\u200b', '\ufeff', '\u3000', '\ud83d', '\u0000');

/** Text up to a few hundred characters: what most fields get, and what the PDFs are rendered from. */
const shortText = fc.oneof(
  { arbitrary: troublesome, weight: 4 },
  { arbitrary: lines, weight: 3 },
  { arbitrary: fc.string({ unit: 'binary' }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
  { arbitrary: edges, weight: 1 },
);

/** Any text a person, a client or a copy-paste could send. */
const anyText = fc.oneof({ arbitrary: shortText, weight: 9 }, { arbitrary: long, weight: 1 });

// ---------------------------------------------------------------------------------------------
// A visit's case, as far as the letter builders read it.

const plan = examplePlan();
const county = plan.counties[0]!;
const calendar = snapshotCalendar([takeSnapshot(plan.year), takeSnapshot(plan.year + 1)]);
const visitDate = onOrNextWorkingDay(`${plan.year}-04-15`, calendar);
const today = onOrNextWorkingDay(addDays(visitDate, 7), calendar);
const supervisor: Actor = { id: plan.supervisors[0]!.id, role: 'supervisor' };
const countyActor: Actor = { id: 'xiangshan', role: 'county', county: county.code };
const admin: Actor = { id: plan.admins[0]!.id, role: 'admin' };
const SHA = 'a'.repeat(64);
const issued = {
  docNumber: formatDocNumber(plan.bureau.shortName, plan.year, 3),
  issueDate: today,
  dueDate: onOrNextWorkingDay(addDays(today, 30), calendar),
};

function sampleOf(c: County): SampleDraw {
  return {
    algorithm: SAMPLING_ALGORITHM,
    seed: 'seed',
    rosterSha256: SHA,
    size: 2,
    enterprises: c.enterprises.slice(0, 2),
  };
}

/** The parts of VisitContext the letter builders read; the rest (mail, audit, ladder) they never touch. */
type LetterContext = Pick<VisitContext, 'input' | 'plan' | 'county' | 'caseId' | 'state' | 'today' | 'calendar'>;

function letterContext(parts: {
  county?: County;
  findings?: Finding[];
  enterprises?: EnterpriseResult[];
}): VisitContext {
  const c = parts.county ?? county;
  const findings = CHECKLIST_KEYS.map(
    (item) => parts.findings?.find((f) => f.item === item) ?? { item, result: '符合' as const, evidence: [] },
  );
  const state: Pick<VisitCase, 'caseId' | 'findings' | 'enterprises' | 'sample'> = {
    caseId: 'visit-test',
    findings,
    enterprises: parts.enterprises ?? [],
    sample: sampleOf(c),
  };
  const ctx: LetterContext = {
    input: { programmeWorkflowId: 'guidance-test', plan, county: c, date: visitDate },
    plan,
    county: c,
    caseId: 'visit-test',
    state: state as VisitCase,
    today: () => today,
    calendar: () => calendar,
  };
  return ctx as VisitContext;
}

/** The finding as the setFinding Update stores it. */
function storedFinding(args: z.output<typeof SetFindingArgs>): Finding {
  return {
    item: args.item,
    result: args.result,
    problem: args.problem || undefined,
    opinion: args.opinion || undefined,
    evidence: args.evidence,
  };
}

/** The opinion letter is out and the county is rectifying its problems. */
function rectifying(ctx: VisitContext): Rectification {
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
  ctx.state.letter = { ...issued, document: { documentId: 'd', path: 'd.pdf', sha256: SHA, pages: 1, bytes: 1 } };
  ctx.state.rectification = rect;
  return rect;
}

/** The data passes the check renderDocument makes before it renders (else a non-retryable TemplateError). */
function expectRenderable<K extends DocumentKind>(kind: K, data: DocumentDataInput[K]): void {
  const r = DocumentDataSchemas[kind].safeParse(data);
  if (!r.success) throw new Error(`${kind} 文书数据被拒绝：${formatIssues(r.error).join('；')}`);
}

const CHINESE = /[\u4e00-\u9fff]/;
/** A refusal a person can read: every message in Chinese. */
function expectChinese(error: z.ZodError): void {
  for (const issue of error.issues) expect(issue.message, JSON.stringify(issue)).toMatch(CHINESE);
}

// ---------------------------------------------------------------------------------------------
// Every text field of every Update argument schema.

/** Characters no accepted text may keep (lone surrogates are checked apart). */
const DIRTY =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- these characters are what the test looks for
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u034f\u115f\u1160\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufffe\uffff]/u;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Field {
  name: string;
  schema: z.ZodType;
  /** Arguments with `text` in the field (other fields valid). */
  args(text: string): unknown;
  /** The field's value(s) in the parsed arguments. */
  read(out: any): (string | undefined)[];
  multiline: boolean;
}

const reportFile = { sha256: SHA, size: 1000, mediaType: 'application/pdf' as const };
const row = { inspections: 10, inspectors: 4, documents: 3, cases: 2, fines: 1.5, hazardsFound: 5, hazardsFixed: 4 };
const countyWith = (edit: (c: any) => void) => {
  const c = structuredClone(county) as any;
  edit(c);
  return c;
};

const FIELDS: Field[] = [
  {
    name: 'AddEvidenceArgs.filename',
    schema: AddEvidenceArgs,
    multiline: false,
    args: (t) => ({
      actor: supervisor,
      sha256: SHA,
      size: 10,
      mediaType: 'image/png',
      filename: t,
      item: CHECKLIST_KEYS[0],
    }),
    read: (o) => [o.filename],
  },
  {
    name: 'AddEvidenceArgs.note',
    schema: AddEvidenceArgs,
    multiline: true,
    args: (t) => ({
      actor: supervisor,
      sha256: SHA,
      size: 10,
      mediaType: 'image/png',
      filename: '现场照片.png',
      item: CHECKLIST_KEYS[0],
      note: t,
    }),
    read: (o) => [o.note],
  },
  {
    name: 'SetFindingArgs.problem',
    schema: SetFindingArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, item: CHECKLIST_KEYS[0], result: '不符合', problem: t }),
    read: (o) => [o.problem],
  },
  {
    name: 'SetFindingArgs.opinion',
    schema: SetFindingArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, item: CHECKLIST_KEYS[0], result: '不符合', opinion: t }),
    read: (o) => [o.opinion],
  },
  {
    name: 'SetEnterpriseResultArgs.findings',
    schema: SetEnterpriseResultArgs,
    multiline: false,
    args: (t) => ({ actor: supervisor, enterprise: 'XIA-001', findings: [t, `${t}。`] }),
    read: (o) => o.findings,
  },
  {
    name: 'DecisionArgs.comment',
    schema: DecisionArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, comment: t }),
    read: (o) => [o.comment],
  },
  {
    name: 'ReturnArgs.comment',
    schema: ReturnArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, comment: t }),
    read: (o) => [o.comment],
  },
  {
    name: 'SubmitReportArgs.files[].filename',
    schema: SubmitReportArgs,
    multiline: false,
    args: (t) => ({
      actor: countyActor,
      files: [{ ...reportFile, filename: t }],
      items: [{ index: 0, status: '整改完成' }],
    }),
    read: (o) => o.files.map((f: any) => f.filename),
  },
  {
    name: 'SubmitReportArgs.items[].reason',
    schema: SubmitReportArgs,
    multiline: false,
    args: (t) => ({
      actor: countyActor,
      files: [{ ...reportFile, filename: '报告.pdf' }],
      items: [{ index: 0, status: '无法整改', reason: t }],
    }),
    read: (o) => o.items.map((i: any) => i.reason),
  },
  {
    name: 'SubmitReportArgs.note',
    schema: SubmitReportArgs,
    multiline: true,
    args: (t) => ({
      actor: countyActor,
      files: [{ ...reportFile, filename: '报告.pdf' }],
      items: [{ index: 0, status: '整改完成' }],
      note: t,
    }),
    read: (o) => [o.note],
  },
  {
    name: 'ReviewReportArgs.reasons',
    schema: ReviewReportArgs,
    multiline: false,
    args: (t) => ({ actor: supervisor, decision: 'return', reasons: [t] }),
    read: (o) => o.reasons ?? [],
  },
  {
    name: 'ExtendDueArgs.reason',
    schema: ExtendDueArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, newDueDate: '2027-07-01', reason: t }),
    read: (o) => [o.reason],
  },
  {
    name: 'RecordReinspectionArgs.items[].comment',
    schema: RecordReinspectionArgs,
    multiline: true,
    args: (t) => ({ actor: supervisor, date: '2027-08-01', items: [{ index: 0, passed: false, comment: t }] }),
    read: (o) => o.items.map((i: any) => i.comment),
  },
  {
    name: 'RescheduleArgs.reason',
    schema: RescheduleArgs,
    multiline: true,
    args: (t) => ({ actor: admin, county: county.code, date: '2027-06-01', reason: t }),
    read: (o) => [o.reason],
  },
  {
    name: 'CancelVisitArgs.reason',
    schema: CancelVisitArgs,
    multiline: true,
    args: (t) => ({ actor: admin, county: county.code, reason: t }),
    read: (o) => [o.reason],
  },
  {
    name: 'AddCountyArgs.reason',
    schema: AddCountyArgs,
    multiline: true,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.code = 'xinxian')), reason: t }),
    read: (o) => [o.reason],
  },
  {
    name: 'AddCountyArgs.county.name',
    schema: AddCountyArgs,
    multiline: false,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.name = t)), reason: '新设县区' }),
    read: (o) => [o.county.name],
  },
  {
    name: 'AddCountyArgs.county.bureauName',
    schema: AddCountyArgs,
    multiline: false,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.bureauName = t)), reason: '新设县区' }),
    read: (o) => [o.county.bureauName],
  },
  {
    name: 'AddCountyArgs.county.contact.name',
    schema: AddCountyArgs,
    multiline: false,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.contact.name = t)), reason: '新设县区' }),
    read: (o) => [o.county.contact.name],
  },
  {
    name: 'AddCountyArgs.county.enterprises[].name',
    schema: AddCountyArgs,
    multiline: false,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.enterprises[0].name = t)), reason: '新设县区' }),
    read: (o) => [o.county.enterprises[0].name],
  },
  {
    name: 'AddCountyArgs.county.enterprises[].industry',
    schema: AddCountyArgs,
    multiline: false,
    args: (t) => ({ actor: admin, county: countyWith((c) => (c.enterprises[0].industry = t)), reason: '新设县区' }),
    read: (o) => [o.county.enterprises[0].industry],
  },
  {
    name: 'RecordStatisticsArgs.period',
    schema: RecordStatisticsArgs,
    multiline: false,
    args: (t) => ({ actor: admin, period: t, sourceSha256: SHA, rows: [{ county: '香山县', ...row }] }),
    read: (o) => [o.period],
  },
  {
    name: 'RecordStatisticsArgs.rows[].county',
    schema: RecordStatisticsArgs,
    multiline: false,
    args: (t) => ({ actor: admin, period: '2027年1—6月', sourceSha256: SHA, rows: [{ county: t, ...row }] }),
    read: (o) => o.rows.map((r: any) => r.county),
  },
  {
    name: 'RecordStatisticsArgs.drafts[].problem',
    schema: RecordStatisticsArgs,
    multiline: true,
    args: (t) => ({
      actor: admin,
      period: '2027年1—6月',
      sourceSha256: SHA,
      rows: [{ county: '香山县', ...row }],
      drafts: { xiangshan: [{ item: CHECKLIST_KEYS[0], problem: t, opinion: '加强执法' }] },
    }),
    read: (o) => [o.drafts.xiangshan[0].problem],
  },
  {
    name: 'RecordStatisticsArgs.drafts[].opinion',
    schema: RecordStatisticsArgs,
    multiline: true,
    args: (t) => ({
      actor: admin,
      period: '2027年1—6月',
      sourceSha256: SHA,
      rows: [{ county: '香山县', ...row }],
      drafts: { xiangshan: [{ item: CHECKLIST_KEYS[0], problem: '计划未公示', opinion: t }] },
    }),
    read: (o) => [o.drafts.xiangshan[0].opinion],
  },
];

describe('every text field of every Update argument schema', () => {
  for (const field of FIELDS) {
    it(`${field.name}: accepted text is clean and stays put on a second parse; refusals are in Chinese`, () => {
      fc.assert(
        fc.property(anyText, (text) => {
          const r = field.schema.safeParse(field.args(text));
          if (!r.success) return expectChinese(r.error);
          for (const v of field.read(r.data)) {
            if (v === undefined) continue;
            expect(v).not.toMatch(DIRTY);
            expect(v).not.toMatch(LONE);
            expect(v).toBe(v.trim());
            if (!field.multiline) expect(v).not.toContain('\n');
            expect(v.split('\n').every((l, i, ls) => l === l.trimEnd() && (l !== '' || ls[i - 1] !== ''))).toBe(true);
          }
          // The HTTP API parses with the schema, then the Update's validator parses the result again.
          const again = field.schema.safeParse(r.data);
          expect(again.success && again.data).toEqual(r.data);
        }),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Through the letters.

const results = fc.constantFrom('不符合' as const, '基本符合' as const);
const statuses = fc.constantFrom('整改完成' as const, '正在整改' as const, '无法整改' as const);

describe('what the Updates accept, the letters can print', () => {
  it('findings and enterprise results build an opinion letter (draft and final) and an acceptance letter', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...CHECKLIST_KEYS), results, anyText, anyText), { maxLength: 4 }),
        fc.array(anyText, { minLength: 1, maxLength: 3 }),
        fc.array(anyText, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(statuses, anyText), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('accept' as const, 'return' as const),
        fc.array(anyText, { maxLength: 3 }),
        (findingTexts, first, second, answers, decision, reasons) => {
          const findings: Finding[] = [];
          for (const [item, result, problem, opinion] of findingTexts) {
            const r = SetFindingArgs.safeParse({ actor: supervisor, item, result, problem, opinion });
            if (r.success) findings.push(storedFinding(r.data));
            else expectChinese(r.error);
          }
          const enterprises: EnterpriseResult[] = [];
          sampleOf(county).enterprises.forEach((e, i) => {
            const r = SetEnterpriseResultArgs.safeParse({
              actor: supervisor,
              enterprise: e.id,
              findings: i === 0 ? first : second,
            });
            if (r.success)
              enterprises.push({ enterprise: e.id, findings: r.data.findings ?? [], by: supervisor.id, at: today });
            else expectChinese(r.error);
          });
          const ctx = letterContext({ findings, enterprises });
          expectRenderable('opinion', opinionLetter(ctx, 'draft-1').data);
          expectRenderable('opinion', opinionLetter(ctx, 'final', issued).data);

          // The county answers each problem of the letter; the supervisor accepts or returns the report.
          const rect = rectifying(ctx);
          const items = rect.problems.map((_, index) => {
            const [status, reason] = answers[index % answers.length]!;
            return {
              index,
              status,
              ...(status === '正在整改' ? { date: addDays(today, 20) } : {}),
              ...(status === '无法整改' ? { reason } : {}),
            };
          });
          const submitted = SubmitReportArgs.safeParse({
            actor: countyActor,
            files: [{ ...reportFile, filename: '整改报告.pdf' }],
            items,
          });
          if (!submitted.success) return expectChinese(submitted.error);
          // The submitReport guard refuses 无法整改 without a reason (checked on the parsed value).
          if (submitted.data.items.some((it) => it.status === '无法整改' && !it.reason)) return;
          const reviewed = ReviewReportArgs.safeParse({ actor: supervisor, decision, reasons });
          if (!reviewed.success) return expectChinese(reviewed.error);
          if (decision === 'return' && !(reviewed.data.reasons ?? []).length) return; // the reviewReport guard refuses it
          const report: RectificationReport = {
            no: 1,
            at: today,
            date: today,
            by: countyActor.id,
            role: countyActor.role,
            late: false,
            daysOverdue: 0,
            files: submitted.data.files,
            items: submitted.data.items,
            review: {
              decision,
              by: supervisor.id,
              at: today,
              reasons: reviewed.data.reasons ?? [],
              ...(decision === 'return' ? { resubmitBy: addDays(today, 10) } : {}),
            },
          };
          expectRenderable(
            'acceptance',
            acceptanceLetter(ctx, report, formatDocNumber(plan.bureau.shortName, plan.year, 9, '验收')).data,
          );
        },
      ),
    );
  });

  it('a county added during the year gets every letter of a visit', () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, anyText, anyText, (name, bureauName, contact, enterprise, industry) => {
        const r = AddCountyArgs.safeParse({
          actor: admin,
          county: countyWith((c) => {
            Object.assign(c, { code: 'xinxian', name, bureauName });
            c.contact.name = contact;
            Object.assign(c.enterprises[0], { name: enterprise, industry });
          }),
          reason: '行政区划调整，新设县区',
        });
        if (!r.success) return expectChinese(r.error);
        const added = r.data.county;
        const ctx = letterContext({
          county: added,
          enterprises: added.enterprises
            .slice(0, 2)
            .map((e) => ({ enterprise: e.id, findings: ['未建立隐患排查台账'], by: supervisor.id, at: today })),
        });
        expectRenderable(
          'notice',
          noticeLetter(ctx, formatDocNumber(plan.bureau.shortName, plan.year, 1, '指导通知')).data,
        );
        expectRenderable('opinion', opinionLetter(ctx, 'final', issued).data);
        const rect = rectifying(ctx);
        expectRenderable('reminder', reminderLetter(ctx, 3).data);
        // Up the ladder, each rung's letter listing the ones before it.
        (['urge', 'supervise', 'warning', 'summons'] as const).forEach((kind, i) => {
          const docNumber = formatDocNumber(plan.bureau.shortName, plan.year, 5 + i, '督办');
          const letter = escalationLetter(ctx, kind, docNumber, 4 + i, true);
          expectRenderable(kind, letter.data);
          rect.escalations.push({
            kind,
            docNumber,
            date: today,
            document: { documentId: kind, path: `${kind}.pdf`, sha256: SHA, pages: 1, bytes: 1 },
            rung: kind,
            daysOverdue: 4 + i,
          });
        });
      }),
    );
  });

  // Figures as a spreadsheet may hold them: counts, decimals, negatives (NaN and Infinity cannot cross JSON).
  const figure = fc.oneof(fc.nat(500), fc.double({ min: -2, max: 500, noNaN: true }));
  const figures = fc.record({
    inspections: figure,
    inspectors: figure,
    documents: figure,
    cases: figure,
    fines: figure,
    hazardsFound: figure,
    hazardsFixed: figure,
  });

  it('imported statistics build the bulletin', () => {
    fc.assert(
      fc.property(
        anyText,
        fc.array(fc.tuple(anyText, fc.oneof(fc.constant(row), figures)), { minLength: 1, maxLength: 3 }),
        (period, counties) => {
          const r = RecordStatisticsArgs.safeParse({
            actor: admin,
            period,
            sourceSha256: SHA,
            rows: counties.map(([county, f]) => ({ county, ...f })),
          });
          if (!r.success) return expectChinese(r.error);
          // As workflows/programme/reporting.ts words it.
          expectRenderable('bulletin', {
            bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
            issueDate: today,
            recipient: plan.wording.bulletin.recipient,
            docNumber: `${plan.bureau.shortName}〔${plan.year}〕1号`,
            periodLabel: `${plan.year}年1—6月`,
            progress: {
              programme: `${plan.bureau.name}${plan.year}年度安全生产执法指导工作方案`,
              asOf: '1—6月',
              visited: 3,
              statisticsPeriod: r.data.period,
            },
            rows: r.data.rows,
            overdue: [],
            requirements: plan.wording.bulletin.requirements,
          });
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Rendered, and read back.

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'text-property-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => ensureDocumentTools(), 900_000);

/**
 * Text as a reader finds it in the PDF, for comparing what was accepted with what was printed:
 * - characters some face cannot draw (emoji, extension-B ideographs, U+FFFD; a Yi syllable one
 *   face has and another lacks) print as blank .notdef glyphs, so they are left out on both sides;
 * - whitespace is dropped: Chinese lines break anywhere, and a line break between two Chinese
 *   characters is no space;
 * - NFKC, last, folds what a font draws with one shared glyph (⼀ and 一, 郞 and 郎; é and e◌́),
 *   which read back as the code point the font's Unicode map names.
 */
function comparable(text: string): string {
  const fonts = loadFonts();
  const faces = Object.keys(fonts.faces) as FaceName[];
  const drawable = [...text].filter((ch) => {
    const cp = ch.codePointAt(0)!;
    return faces.every((face) => fonts.faces[faceFor(fonts, face, cp)].font.hasGlyphForCodePoint(cp));
  });
  return drawable.join('').replace(/\s+/g, '').normalize('NFKC');
}

/** The PDF's text in drawing order (-raw: a table cell's lines stay together), without page numbers. */
function pdfText(pdf: Buffer): string {
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  fs.rmSync(file);
  // Page numbers (— 2 —) come between a paragraph's lines where it runs onto the next page.
  return comparable(text.replace(/^\s*—\s*\d+\s*—\s*$/gm, ''));
}

/**
 * A table cell's text within `printed`. A row taller than a page (some 600 characters in the
 * acceptance letter's problem column) continues on the next one, with the row's other cells and
 * the repeated header in between: for such a text, every character in order.
 */
function expectInTable(printed: string, text: string): void {
  const want = comparable(text);
  if (textLength(want) <= 500) return expect(printed).toContain(want);
  let at = 0;
  for (const ch of want) {
    at = printed.indexOf(ch, at);
    expect(at, `${ch} of ${text}`).toBeGreaterThanOrEqual(0);
    at += ch.length;
  }
}

/**
 * Right-to-left scripts (Hebrew, Arabic, …): no face draws them, and pdftotext reorders the line
 * around their blank glyphs by the bidi algorithm, so the read-back text would scramble neighbouring
 * Chinese that the PDF draws in order. The letter-data properties above still cover them.
 */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
const printable = shortText.filter((t) => !RTL.test(t));

/** The letter closes each item with one mark of its own choosing (the sentences and item helpers): compare without it. */
const unclosed = (t: string) => t.replace(/[，,、.。；;：:！!？?\s]+$/u, '');

describe('rendered to PDF, the accepted text reads back', () => {
  it('problems, opinions and enterprise findings in the opinion letter; reasons in the acceptance letter', async () => {
    await fc.assert(
      fc.asyncProperty(
        printable,
        printable,
        fc.array(printable, { minLength: 1, maxLength: 2 }),
        printable,
        async (problem, opinion, findingsTexts, reason) => {
          const f = SetFindingArgs.safeParse({
            actor: supervisor,
            item: CHECKLIST_KEYS[1],
            result: '不符合',
            problem,
            opinion,
          });
          const e = SetEnterpriseResultArgs.safeParse({
            actor: supervisor,
            enterprise: 'XIA-001',
            findings: findingsTexts,
          });
          const v = ReviewReportArgs.safeParse({ actor: supervisor, decision: 'return', reasons: [reason] });
          fc.pre(f.success && e.success && v.success);
          if (!f.success || !e.success || !v.success) return;
          const ctx = letterContext({
            findings: [storedFinding(f.data)],
            enterprises: [{ enterprise: 'XIA-001', findings: e.data.findings ?? [], by: supervisor.id, at: today }],
          });
          const opinionData = opinionLetter(ctx, 'final', issued).data;
          const printed = pdfText((await renderPdf('opinion', opinionData, { templatesDir: plan.templatesDir })).pdf);
          // An item is in the letter when it has a problem (submit refuses 不符合 without one).
          const expected = [
            ...(f.data.problem ? [...f.data.problem.split('\n'), f.data.opinion ?? ''] : []),
            ...(e.data.findings ?? []),
          ];
          for (const t of expected) expect(printed).toContain(comparable(unclosed(t)));

          const rect = rectifying(ctx);
          const report: RectificationReport = {
            no: 1,
            at: today,
            date: today,
            by: countyActor.id,
            role: countyActor.role,
            late: false,
            daysOverdue: 0,
            files: [{ ...reportFile, filename: '整改报告.pdf' }],
            items: rect.problems.map((_, index) => ({ index, status: '整改完成' as const })),
            review: {
              decision: 'return',
              by: supervisor.id,
              at: today,
              reasons: v.data.reasons ?? [],
              resubmitBy: addDays(today, 10),
            },
          };
          const accepted = pdfText(
            (
              await renderPdf(
                'acceptance',
                acceptanceLetter(ctx, report, formatDocNumber(plan.bureau.shortName, plan.year, 9, '验收')).data,
                { templatesDir: plan.templatesDir },
              )
            ).pdf,
          );
          for (const t of v.data.reasons ?? []) expect(accepted).toContain(comparable(unclosed(t)));
          for (const t of rect.problems) expectInTable(accepted, t);
        },
      ),
      {
        numRuns: 25,
        // A failure shrinks by rendering again and again: report what was found after a minute and a half.
        interruptAfterTimeLimit: 90_000,
        // Plus the longest texts the schemas accept, and words longer than a line.
        examples: [
          [
            '隐患排查治理不到位，'.repeat(199),
            '责令限期整改。'.repeat(285),
            ['香山利民机械制造有限公司未建立安全风险分级管控制度。'.repeat(76)],
            '整改措施未落实到具体岗位。'.repeat(76),
          ],
          [
            `公示网址 https://yjj.example.gov.cn/${'a'.repeat(150)} 无法访问`,
            `统一社会信用代码${'9'.repeat(60)}`,
            ['-'.repeat(120)],
            `x${'y'.repeat(200)}`,
          ],
        ],
      },
    );
  }, 120_000);
});
