/**
 * Letters proofread by tests (issue 22, point 2): every kind of document is rendered to PDF by the
 * real renderer, read back with pdftotext and checked against the rules a proofreader applies
 * (test/helpers/proofread.ts). The letters are built by the engine's own builders from a case — the
 * examples, one whole case with every rung, a returned and an accepted report, a clean enterprise
 * result, the bulletin of every month — and, as a property, from random valid case data.
 * The OFD of the examples and the whole case, as ofdrw reads it, is held to the same rules in
 * ofd-reader.test.ts.
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderMarkup, renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { DocumentKind } from '../../workflows/shared/documents';
import { closeItem } from '../../workflows/shared/text';
import type { Finding } from '../../workflows/contracts/visit';
import { bulletinLetter, bulletinMonths, caseLetters, type CaseLetter, type CaseSpec } from '../helpers/letter-case';
import { expectedBulletinPeriod, parseChineseNumeral, proofread, type RuleName } from '../helpers/proofread';
import {
  bodyParagraphs,
  county,
  enterprise,
  finding,
  plan,
  proofreadNotes as notes,
  ROSTER_SHA,
  sampled,
  SEED,
  wholeCase as spec,
  type Printed,
} from '../helpers/proofread-letters';
import { pdftotext, SETUP_TIMEOUT, squash, writeTemp } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const caseId = `visit-${plan.year}-${plan.bureau.code}-${county.code}`;

async function readBack(l: Pick<CaseLetter, 'kind' | 'data'>): Promise<Printed> {
  const opts = { templatesDir: plan.templatesDir };
  const { pdf } = await renderPdf(l.kind, l.data, opts);
  return { text: pdftotext(writeTemp(pdf)), paragraphs: bodyParagraphs(renderMarkup(l.kind, l.data, opts).markup) };
}

const rulesOf = (text: string) => [...new Set(proofread(text).map((f) => f.rule))];

describe('the rules, each on the fault it is for', () => {
  const cases: [RuleName, string[], string[]][] = [
    [
      'doubled-punctuation',
      [
        '根据《《2027年度安全生产执法指导工作方案》》安排',
        '现将有关事项通知如下：：',
        '未建立台账。。',
        '计划未公示，，',
        '整改不到位；\n。',
      ],
      ['根据《2027年度安全生产执法指导工作方案》安排，我局定于……', '——', '（一）“双随机”。'],
    ],
    [
      'ascii-id',
      [
        '种子 08424525-834b-4c1a-9f3e-2b7d1c0e5a6f',
        '企业名单 691270016bce0a9f…',
        '审批人（feng-qing）',
        '案件 visit-2027-heluo-\nxiangshan',
        'XIA-001',
      ],
      ['电话：0379-6321-1234', 'GB/T 9704', 'A4', 'pH 7.5', 'yjj@xiangshan.example.gov.cn', '2021版'],
    ],
    ['placeholder', ['签收人：undefined', '电话：null', '[object Object]', '{{name}}', '<p>'], ['签收人：李晓燕']],
    [
      'english-word',
      ['通知送达：delivered', '状态 pending', '提醒审批人 zheng-yuan', '操作账号：xiangshan', 'Rectification'],
      ['pH 7.5', 'GB/T', 'kg'],
    ],
    [
      'date-form',
      [
        '请于2027-04-19前',
        '2027/4/19',
        '2027.04.19',
        '2027年04月19日',
        '2027年4月09日',
        '2027-04-19T02:00:00Z',
        '2027-04',
      ],
      ['2027年4月19日', '电话：0379-6321-1234', '2027年1—6月'],
    ],
    [
      'period-range',
      ['关于2027年1—1月安全生产执法指导情况的通报', '2027年6—3月'],
      ['2027年1—6月', '2027年1月', '随机抽取1—2家'],
    ],
    [
      'repeated-label',
      ['组长：孙立（组长）；成员：吴浩（组员）', '管理员（管理员）'],
      [
        '组长：孙立（执法支队支队长）；成员：吴浩、冯青',
        '香山县应急管理局（县区）',
        '签收方式：市局代为登记（经办人：孙立）',
      ],
    ],
    [
      'numbering',
      ['一、甲\n二、乙\n四、丙', '二、甲', '（一）甲\n（三）乙', '1.甲\n3.乙', '一、甲\n（一）子\n（一）丑'],
      [
        '一、甲\n（一）子\n1.a\n2.b\n（二）丑\n1.c\n二、乙\n（一）寅\n三、丙',
        ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'].map((n) => `${n}、甲`).join('\n'),
        '28.5%\n3.14',
      ],
    ],
  ];
  it.each(cases)('%s flags its fault and passes clean text', (rule, bad, clean) => {
    for (const text of bad) expect(rulesOf(text), text).toContain(rule);
    for (const text of clean) expect(rulesOf(text), text).not.toContain(rule);
  });

  it('item-punctuation: each paragraph and numbered item ends with its mark', () => {
    const rules = (paragraphs: string[]) => [...new Set(proofread('', { paragraphs }).map((f) => f.rule))];
    for (const bad of [
      '1.执法指导整改情况报告',
      '处理意见：规范执法程序',
      '经现场抽查，现场未发现重大事故隐患',
      '（一）香山县：已发出催办，',
    ]) {
      expect(rules([bad]), bad).toEqual(['item-punctuation']);
    }
    const clean = [
      '1.执法指导整改情况报告；',
      '请你局认真研究。',
      '现将有关事项通知如下：',
      '（一）香山瑞丰化工有限公司（危险化学品）',
      '是否“双随机”？',
      '附件：2027年1—6月安全生产执法情况统计表',
      '为何如此！',
      '联系人：周明，电话：0379-6321-1234。\n',
    ];
    expect(rules(clean)).toEqual([]);
    // Read only from the paragraphs: a heading line of pdftotext's text is not an item.
    expect(rules([])).toEqual([]);
    expect(proofread('一、指导时间和地点').map((f) => f.rule)).not.toContain('item-punctuation');
  });

  it('Chinese ordinals read as numbers; the bulletin period a proofreader expects', () => {
    expect(['一', '九', '十', '十一', '十九', '二十', '二十三'].map(parseChineseNumeral)).toEqual([
      1, 9, 10, 11, 19, 20, 23,
    ]);
    expect(parseChineseNumeral('十十')).toBeUndefined();
    expect([1, 2, 11, 12].map((m) => expectedBulletinPeriod(2027, m))).toEqual([
      '2027年1月',
      '2027年1—2月',
      '2027年1—11月',
      '2027年度',
    ]);
  });

  it('allowed text is not flagged, the rest still is', () => {
    const flags = proofread('案件编号：visit-1，审批人 sun-li', { allow: ['案件编号：visit-1'] });
    expect(flags.map((f) => f.rule)).toEqual(['ascii-id', 'english-word']);
    for (const f of flags) expect(f.excerpt).toContain('sun-li');
  });
});

describe('an item of a list closes with one mark, whatever people typed (the templates’ item helper)', () => {
  it('its own mark is kept, a missing one added: ； between, 。 after the last', () => {
    expect(
      ['执法指导整改情况报告', '约谈你局主要负责人；', '整改不到位，', '是否公示?', '（见附件）'].map((t, i, a) =>
        closeItem(t, i === a.length - 1),
      ),
    ).toEqual(['执法指导整改情况报告；', '约谈你局主要负责人；', '整改不到位；', '是否公示？', '（见附件）']);
    expect(closeItem('补录处罚信息', true)).toBe('补录处罚信息。');
  });

  it('property: any text people write ends with one mark, and none is doubled', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '未附整改后的案卷材料',
        '整改不到位',
        '（2026年度）',
        '“双随机”',
        '，',
        '。',
        '；',
        '、',
        ' ',
        '\n',
        'abc',
        '3.5',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
        fc.boolean(),
        (text, last) => {
          const closed = closeItem(text, last);
          if (closed === '') return;
          expect(proofread('', { paragraphs: [closed] })).toEqual([]);
          // Only a mark at the end is added: the text people wrote is kept as written.
          expect(text.trim().startsWith(closed.replace(/[。；：！？]$/u, ''))).toBe(true);
          expect(closed).not.toMatch(/[，。；：、！？][，。；、]$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('every kind from its example data reads right', () => {
  it.each(DocumentKind.options)('%s', async (kind) => {
    expect(notes(kind, await readBack({ kind, data: exampleData(kind) as never }))).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// A case of 香山县 with every letter, as people would fill it in (test/helpers/proofread-letters.ts,
// shared with the OFD reader's test, which holds the OFD of the same letters to the same rules).

describe('a whole case, built by the visit’s own builders, reads right', () => {
  const letters = caseLetters(spec);
  const texts = new Map<string, Printed>();
  beforeAll(async () => {
    for (const l of letters) texts.set(l.name, await readBack(l));
  }, 120_000);

  it('has every kind of document', () => {
    expect(new Set(letters.map((l) => l.kind))).toEqual(new Set(DocumentKind.options));
  });

  it.each(letters.map((l) => [l.name, l.kind] as const))('%s (%s)', (name) => {
    expect(notes(name, texts.get(name)!)).toBe('');
  });

  it('the notice names the programme in one pair of 《》, and each person once, by name', () => {
    const notice = squash(texts.get('通知')!.text);
    expect(notice).toContain(`根据《${plan.year}年度安全生产执法指导工作方案》安排`);
    // The plan gives no 职务: the role is the label, not the person's title (组长：孙立（组长）).
    const [leader, ...members] = plan.supervisors;
    expect(notice).toContain(
      `组长：${leader!.name}${members.length ? `；成员：${members.map((m) => m.name).join('、')}` : ''}。`,
    );
  });

  it('the acceptance letter gives the date a problem will be done in Chinese form', () => {
    const returned = squash(texts.get('整改验收意见（退回）')!.text);
    expect(returned).toMatch(/正在整改，预计\d{4}年\d{1,2}月\d{1,2}日完成/);
  });

  it('the 送达回证 names the case and who recorded the signature, not their ids', () => {
    // Its 送达地址 are mail addresses (yjj@xiangshan…): an address is not an id.
    const receipt = squash(texts.get('送达回证')!.text).replace(/[\w.-]+@[\w.-]+/g, '');
    expect(receipt).toContain(`${county.name}${plan.year}年度执法指导`);
    expect(receipt).toContain(`经办：${county.bureauName}`);
    for (const id of [caseId, county.code]) expect(receipt).not.toContain(id);
  });

  it('the draw record (seed, roster hash) is in no letter', () => {
    for (const [name, { text }] of texts) {
      const flat = squash(text);
      for (const trace of [SEED.slice(0, 8), ROSTER_SHA.slice(0, 8), '种子', 'sha256'])
        expect(flat, `${name} 含有 ${trace}`).not.toContain(trace);
    }
  });
});

describe('the bulletin names its period right in every month', () => {
  it.each(bulletinMonths(plan.year))('sent in %s', async (month) => {
    const printed = await readBack(bulletinLetter(plan, month, spec.rows));
    const text = squash(printed.text);
    const through = month > `${plan.year}-12` ? 12 : Number(month.slice(5)) - 1;
    const period = expectedBulletinPeriod(plan.year, through);
    expect(text).toContain(`关于${period}安全生产执法指导情况的通报`);
    expect(text).toContain(`附件：${period}安全生产执法情况统计表`);
    // The opening counts visits up to the end of the last month covered: 截至3月底, 截至年底.
    expect(text).toContain(`截至${through === 12 ? '年底' : `${through}月底`}已对`);
    expect(notes(`通报 ${month}`, printed)).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// Random valid cases.

/** What supervisors and counties write, some with their closing mark and some without. */
const PROBLEMS = [
  '未建立隐患排查治理台账',
  '“双随机”检查计划未在局网站公示。',
  '3起行政处罚未及时录入省应急管理综合业务系统',
  '抽查的5卷案卷中，2卷自由裁量依据未载明；',
  '执法人员检查时未出示执法证件',
  '现场检查记录未载明隐患整改期限。',
  '列入计划的企业占比28.5%，低于三分之一',
  '培训记录缺少签到表（2026年度）',
];
const OPINIONS = [
  '立即整改，并明确专人负责',
  '对照案卷评查标准逐卷整改。',
  '规范执法程序，严格亮证执法',
  '补录处罚信息；',
];
const CLEAN = ['现场未发现重大事故隐患', '安全管理制度健全，台账记录完整。', '未发现违法违规行为'];

const lines = (pool: string[], max: number) => fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: max });

const findingArb = (item: Finding['item']) =>
  fc
    .record({
      result: fc.constantFrom('不符合' as const, '基本符合' as const),
      problem: lines(PROBLEMS, 3),
      opinion: fc.option(fc.constantFrom(...OPINIONS), { nil: undefined }),
    })
    .map((f) => finding(item, f.result, f.problem.join('\n'), f.opinion));

const checkArb = fc.oneof(
  fc.record({
    result: fc.constant('发现问题' as const),
    text: fc.constantFrom(...PROBLEMS),
    opinion: fc.option(fc.constantFrom(...OPINIONS), { nil: undefined }),
  }),
  fc.record({ result: fc.constant('未发现问题' as const), text: fc.constantFrom(...CLEAN) }),
);

const hex = (n: number) =>
  fc
    .array(fc.integer({ min: 0, max: 15 }), { minLength: n, maxLength: n })
    .map((a) => a.map((x) => x.toString(16)).join(''));

const rowArb = (name: string) =>
  fc
    .record({
      inspections: fc.nat(500),
      inspectors: fc.nat(900),
      documents: fc.nat(900),
      cases: fc.nat(60),
      fines: fc.integer({ min: 0, max: 9999 }).map((x) => x / 100),
      hazardsFound: fc.nat(600),
      fixed: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ fixed, ...r }) => ({ county: name, ...r, hazardsFixed: Math.floor(r.hazardsFound * fixed) }));

const specArb: fc.Arbitrary<CaseSpec> = fc
  .record({
    findings: fc.subarray([...CHECKLIST_KEYS]).chain((items) => fc.tuple(...items.map(findingArb))),
    sampleSize: fc.constantFrom(1, 2),
    results: fc.tuple(
      fc.option(fc.array(checkArb, { minLength: 1, maxLength: 3 })),
      fc.option(fc.array(checkArb, { minLength: 1, maxLength: 3 })),
    ),
    seed: fc.uuid(),
    rosterSha256: hex(64),
    visitOffset: fc.integer({ min: 0, max: 200 }),
    issueAfter: fc.integer({ min: 1, max: 10 }),
    statuses: fc.array(fc.constantFrom('整改完成' as const, '正在整改' as const, '无法整改' as const), {
      minLength: 1,
      maxLength: 4,
    }),
    returnReasons: lines(['整改措施未落实到具体岗位。', '未附整改后的案卷材料', '整改期限不明确；'], 3),
    signer: fc.constantFrom('李晓燕', '王建国', '欧阳娜'),
    via: fc.constantFrom('portal' as const, 'link' as const, 'staff' as const),
    bulletinMonth: fc.constantFrom(...bulletinMonths(plan.year)),
    rows: fc
      .subarray(
        plan.counties.map((c) => c.name),
        { minLength: 1 },
      )
      .chain((names) => fc.tuple(...names.map(rowArb))),
  })
  .map(({ results, ...r }) => ({
    ...r,
    plan,
    county,
    enterprises: results.flatMap((checks, i) =>
      checks && i < r.sampleSize ? [enterprise(sampled[i]!.id, checks)] : [],
    ),
  }));

describe('property: letters built from random valid case data read right', () => {
  it('every letter of the case, and its bulletin', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (s) => {
        const found: string[] = [];
        for (const l of caseLetters(s)) found.push(notes(l.name, await readBack(l)));
        expect(found.filter(Boolean).join('\n')).toBe('');
      }),
      // Each run renders a dozen PDFs; a failure is reported as found rather than shrunk at length.
      { numRuns: 15, endOnFailure: true },
    );
  }, 300_000);
});
