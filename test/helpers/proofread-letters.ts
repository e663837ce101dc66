/**
 * What the proofreading of rendered letters shares between formats: a letter as a proofreader
 * reads it (the text a reader extracts — pdftotext from the PDF, ofdrw from the OFD — and its
 * paragraphs as laid out), the notes the rules (proofread.ts) write on it, and one whole case of
 * 香山县 with every letter, as people would fill it in. Used by test/documents/proofread.test.ts
 * and test/documents/ofd-reader.test.ts, so both formats are held to the same rules on the same letters.
 */
import type { DocumentMarkup } from '../../activities/documents/markup';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { type EnterpriseResult, type Finding } from '../../workflows/contracts/visit';
import { SetEnterpriseResultArgs, SetFindingArgs } from '../../workflows/contracts/visit-onsite';
import type { CaseSpec } from './letter-case';
import { examplePlan } from './plans';
import { describeFlags, proofread } from './proofread';

/** A letter as a proofreader reads it: the extracted text, and its paragraphs and items as laid out. */
export interface Printed {
  text: string;
  paragraphs: string[];
}

/**
 * The body paragraphs and numbered items: `<p>` blocks with their first-line indent. Headings
 * (h1–h3) are not items, and a paragraph set flush (indent 0) is a form line: 附件 label,
 * 案件 line of a 送达回证, signature lines.
 */
export function bodyParagraphs(markup: DocumentMarkup): string[] {
  return markup.blocks.flatMap((b) =>
    b.type === 'p' && b.indent !== 0
      ? [b.content.map((i) => ('text' in i ? i.text : '＿'.repeat(i.blank))).join('')]
      : [],
  );
}

/** The proofreader's notes on one letter, headed by its name; '' when it reads right. */
export function proofreadNotes(name: string, printed: Printed): string {
  const flags = proofread(printed.text, { paragraphs: printed.paragraphs });
  return flags.length ? `${name}:\n${describeFlags(flags)}` : '';
}

// ---------------------------------------------------------------------------------------------
// A case of 香山县 with every letter.

export const plan = examplePlan();
export const county = plan.counties[0]!;
export const sampled = county.enterprises.slice(0, 2);
export const SEED = '08424525-834b-4c1a-9f3e-2b7d1c0e5a6f';
export const ROSTER_SHA = '691270016bce0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271';

export const finding = (
  item: Finding['item'],
  result: '不符合' | '基本符合',
  problem: string,
  opinion?: string,
): Finding =>
  ({
    ...SetFindingArgs.parse({
      actor: { id: plan.supervisors[0]!.id, role: 'supervisor' },
      item,
      result,
      problem,
      opinion,
    }),
    evidence: [],
  }) as Finding;

/** As the setEnterpriseResult handler stores it: the problems as `findings`, and each check. */
export function enterprise(
  id: string,
  checks: { result: '发现问题' | '未发现问题'; text: string; opinion?: string }[],
): EnterpriseResult {
  const args = SetEnterpriseResultArgs.parse({
    actor: { id: plan.supervisors[0]!.id, role: 'supervisor' },
    enterprise: id,
    checks,
  }) as { checks?: typeof checks };
  const stored = args.checks ?? checks;
  return {
    enterprise: id,
    findings: stored.filter((c) => c.result === '发现问题').map((c) => c.text),
    checks: stored,
    by: plan.supervisors[0]!.id,
    at: '2027-04-15T02:00:00.000Z',
  } as EnterpriseResult;
}

const ROW = {
  inspections: 212,
  inspectors: 448,
  documents: 530,
  cases: 21,
  fines: 18.6,
  hazardsFound: 356,
  hazardsFixed: 340,
};

/** Every rung, a returned and an accepted report, a 送达回证 and a bulletin. */
export const wholeCase: CaseSpec = {
  plan,
  county,
  findings: [
    finding(
      CHECKLIST_KEYS[0]!,
      '不符合',
      '列入计划的一般生产经营单位为41家，占一般单位总数的28.5%，未达到不少于三分之一的要求。',
      '调整年度监督检查计划，报县政府批准后向我局重新报备。',
    ),
    finding(CHECKLIST_KEYS[2]!, '基本符合', '“双随机”检查计划未在局网站公示\n3起行政处罚未及时录入系统'),
  ],
  enterprises: [
    enterprise(sampled[0]!.id, [
      { result: '发现问题', text: '执法人员检查时未出示执法证件', opinion: '规范执法程序' },
      { result: '未发现问题', text: '现场未发现重大事故隐患' },
    ]),
    enterprise(sampled[1]!.id, [{ result: '未发现问题', text: '现场未发现重大事故隐患' }]),
  ],
  sampleSize: 2,
  seed: SEED,
  rosterSha256: ROSTER_SHA,
  visitOffset: 45,
  issueAfter: 5,
  statuses: ['整改完成', '正在整改', '无法整改'],
  returnReasons: ['案卷归档问题仅报告了学习情况，未附整改后的案卷材料。'],
  signer: '李晓燕',
  via: 'link',
  bulletinMonth: `${plan.year}-02`,
  rows: plan.counties.map((c) => ({ county: c.name, ...ROW })),
};
