/**
 * Every kind rendered from its example data through the activity, then read back from the PDF
 * with poppler: the Chinese text comes back exactly, fonts are embedded subsets with Unicode maps.
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDocumentActivities } from '../../activities/documents';
import { exampleData } from '../../activities/documents/templates';
import type { DocumentData } from '../../workflows/shared/render-document';
import { DocumentKind, formatDateZh, type RenderResult } from '../../workflows/shared/documents';
import { type RenderDocumentInput } from '../../workflows/shared/render-document';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { pdffonts, pdfinfo, pdftotext, SETUP_TIMEOUT, squash, tempDir } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

/** Phrases each kind's letter must contain, beyond number, dates and recipient. */
const PHRASES: Record<DocumentKind, string[]> = {
  notice: [
    '关于对香山县开展安全生产执法指导的通知',
    '我局定于2027年4月15日对你局安全生产执法工作开展执法指导',
    '1.年度监督检查计划编制。需准备：企业名单、列入执法计划企业名单。',
    '随机抽取2家',
    '组长：孙立（执法支队支队长）',
  ],
  opinion: [
    '安全生产执法指导意见书',
    '河洛市应急管理局于2027年4月15日对你局执法工作情况进行了检查指导，现将主要问题及意见告知如下：',
    '一、执法计划编制与执行',
    '（一）年度监督检查计划编制。列入计划的一般生产经营单位为41家，占一般单位总数的28.5%，未达到不少于三分之一的要求。',
    '三、现场抽查企业情况',
    '（二）香山顺发石料厂（非煤矿山）。',
    '请你局认真研究，落实处理意见，并将整改结果于2027年5月20日前报告我局。',
    '县区应急局负责人（签名）：',
    '市应急局联系人（签名）：电话：0379-6321-1235',
    '本文书一式两份：一份由市应急管理局备案，一份交接收单位。',
  ],
  reminder: ['关于安全生产执法指导整改期限即将届满的提醒函', '距报送期限还有7天'],
  urge: ['关于催报安全生产执法指导整改情况的通知', '截至目前已逾期1天', '于2027年5月26日前将整改结果书面报告我局'],
  supervise: [
    '督办函',
    '此后，我局于2027年5月21日发出催办通知（河洛应急指导〔2027〕12号）',
    '抄送：市应急管理局分管负责人郑远。',
  ],
  warning: [
    '警示函',
    '已逾期14天',
    '（三）在县级政府年度安全生产考核中扣分。',
    '抄送：香山县人民政府，市应急管理局分管负责人郑远。',
  ],
  summons: ['约谈通知书', '我局决定约谈你局主要负责人', '2027年6月15日下午3:00', '河洛市应急管理局五楼第二会议室'],
  acceptance: ['整改报告尚存在以下问题，现予退回', '未通过', '于2027年7月10日前重新报送整改报告'],
  bulletin: [
    '河洛市应急管理局文件',
    '关于2027年1—6月安全生产执法指导情况的通报',
    '检查生产经营单位1002家次',
    '香山县：河洛应急指导〔2027〕3号要求于2027年5月20日前报告，已逾期46天',
    '河洛市应急管理局办公室2027年7月5日印发',
  ],
  receipt: [
    '送达回证',
    '案件：香山县2027年度执法指导回执编号：R2',
    '送达文书《安全生产执法指导意见书》',
    '送达地址yjj@xiangshan.example.gov.cnzhifa@xiangshan.example.gov.cn',
    '送达方式电子邮件（附签收链接）',
    '签收时间2027年4月21日10时32分',
    '签收方式邮件链接签收（经办：香山县应急管理局）',
    '备注县区应急局办公室收文后转执法大队办理。整改结果报告期限：2027年5月20日。',
  ],
};

/**
 * What every document states beyond its phrases. A letter: its bureau, 主送机关, 成文日期, number
 * and the due date of the rectification report it is about. A 送达回证: the letter it is for (by
 * number), sender, recipient, the dates of service and the signer.
 */
function facts(kind: DocumentKind): string[] {
  if (kind === 'receipt') {
    const r = exampleData('receipt') as DocumentData['receipt'];
    return [
      r.sender,
      `受送达人${r.recipient}`,
      `文号${r.letter.docNumber}`,
      `发文日期${formatDateZh(r.letter.date)}`,
      `送达日期${formatDateZh(r.sentAt)}`,
      `签收人${r.acknowledged.signer}`,
    ];
  }
  const data = exampleData(kind) as {
    docNumber?: string;
    dueDate?: string;
    issueDate: string;
    recipient: string;
    bureau: { name: string };
  };
  return [
    data.bureau.name,
    `${data.recipient}：`,
    formatDateZh(data.issueDate),
    ...(data.docNumber ? [data.docNumber] : []),
    // The due date of the rectification report, in every letter about it.
    ...(data.dueDate ? [`于${formatDateZh(data.dueDate)}前`] : []),
  ];
}

describe('every kind renders from its example data', () => {
  const archiveDir = tempDir('archive-');
  const acts = createDocumentActivities({ archiveDir });
  const env = new MockActivityEnvironment();
  const run = (input: RenderDocumentInput) => env.run(acts.renderDocument, input) as Promise<RenderResult>;
  const results = new Map<DocumentKind, RenderResult>();

  beforeAll(async () => {
    for (const kind of DocumentKind.options) {
      results.set(
        kind,
        await run({ kind, caseId: 'visit-2027-heluo-xiangshan', key: 'example', data: exampleData(kind) as never }),
      );
    }
  }, 120_000);

  it.each(DocumentKind.options)('%s: archive file, hash, size and page count', (kind) => {
    const r = results.get(kind)!;
    expect(r.documentId).toBe(`visit-2027-heluo-xiangshan-${kind}-example`);
    expect(r.path).toBe(path.join(archiveDir, 'visit-2027-heluo-xiangshan', `${r.documentId}.pdf`));
    const bytes = fs.readFileSync(r.path);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(r.bytes).toBe(bytes.length);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const info = pdfinfo(r.path);
    expect(Number(info.Pages)).toBe(r.pages);
    expect(info['Page size']).toMatch(/^595\.2\d* x 841\.8\d* pts \(A4\)$/);
  });

  it.each(DocumentKind.options)('%s: pdftotext gives back the Chinese text exactly', (kind) => {
    const r = results.get(kind)!;
    const text = squash(pdftotext(r.path));
    const expected = [...facts(kind), ...PHRASES[kind]];
    for (const phrase of expected) expect(text, `${kind} 缺少：${phrase}`).toContain(squash(phrase));
  });

  it.each(DocumentKind.options)('%s: fonts are embedded subsets with Unicode maps; body in FandolFang', (kind) => {
    const fonts = pdffonts(results.get(kind)!.path);
    expect(fonts.length).toBeGreaterThan(2);
    for (const f of fonts) {
      expect(f, JSON.stringify(f)).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
      expect(f.name).toMatch(/^[A-Z]{6}\+/);
    }
    const names = fonts.map((f) => f.name.slice(7));
    expect(names).toContain('FandolFang-Regular'); // 仿宋 body
    expect(names).toContain('NotoSerifSC-Black'); // red bureau name
    expect(names).toContain('NotoSerifSC-Bold'); // 小标宋 title
  });

  it('the same data gives the same bytes (a retried activity rewrites an identical file)', async () => {
    const again = await run({
      kind: 'opinion',
      caseId: 'visit-2027-heluo-xiangshan',
      key: 'example',
      data: exampleData('opinion') as never,
    });
    expect(again.sha256).toBe(results.get('opinion')!.sha256);
  });
});
