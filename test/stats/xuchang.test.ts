/**
 * The Xuchang bulletin's table (许应急〔2020〕22号, 1–4月), transcribed as CSV and as an XLSX with a
 * merged two-row header: its totals pass, and its figures and the indicators are reproduced.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { StatsResult } from '../../workflows/shared/stats-result';
import { XUCHANG_CSV, XUCHANG_XLSX, analyse } from './helpers';

// The bulletin's rows, typed again from the source here (not read from the example files), so a
// transcription or parsing slip in either shows up as a difference.
// name, 检查, 出动, 现场, 整改, 强制, 监督检查处罚, 事故处罚, 文书小计, 立案, 警告, 罚款, 停产, 暂扣, 关闭, 监督检查罚款, 占比, 事故罚款, 占比, 罚款小计
type SourceRow = [string, ...number[]];
const SOURCE: SourceRow[] = [
  ['合计', 505, 1040, 392, 233, 0, 2, 0, 627, 2, 0, 1, 0, 0, 0, 1, 100, 0, 0, 1],
  ['市本级', 5, 11, 4, 5, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['魏都区', 22, 44, 14, 15, 0, 0, 0, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['许昌县', 27, 54, 13, 27, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['鄢陵县', 84, 180, 79, 8, 0, 2, 0, 89, 2, 0, 1, 0, 0, 0, 1, 100, 0, 0, 1],
  ['襄城县', 36, 73, 33, 14, 0, 0, 0, 47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['禹州市', 131, 262, 100, 62, 0, 0, 0, 162, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['长葛市', 100, 200, 51, 100, 0, 0, 0, 151, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['东城区', 31, 78, 30, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['经济技术开发区', 21, 42, 21, 0, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ['城乡一体化示', 48, 96, 47, 2, 0, 0, 0, 49, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];
const FIGURES = [
  'inspections',
  'inspectorVisits',
  'docOnsite',
  'docRectify',
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
  'supervisionFineShare',
  'accidentFine',
  'accidentFineShare',
  'fineSubtotal',
] as const;

function figuresOf(u: StatsResult['units'][number]): number[] {
  return FIGURES.map(
    (f) => (f === 'supervisionFineShare' || f === 'accidentFineShare' ? u.stated?.[f] : u[f]) as number,
  );
}

// Worked out by hand: 2 ÷ 84 = 2.38 % → 2.4; 1040 ÷ 505 = 2.059 → 2.06; 233 ÷ 392 = 0.594 → 0.59.
const INDICATORS: Record<
  string,
  { punishRate: number; inspectorsPerInspection: number; rectifyDocsPerOnsite: number; rank: number | undefined }
> = {
  合计: { punishRate: 0.4, inspectorsPerInspection: 2.06, rectifyDocsPerOnsite: 0.59, rank: undefined },
  市本级: { punishRate: 0, inspectorsPerInspection: 2.2, rectifyDocsPerOnsite: 1.25, rank: 2 },
  魏都区: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 1.07, rank: 2 },
  许昌县: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 2.08, rank: 2 },
  鄢陵县: { punishRate: 2.4, inspectorsPerInspection: 2.14, rectifyDocsPerOnsite: 0.1, rank: 1 },
  襄城县: { punishRate: 0, inspectorsPerInspection: 2.03, rectifyDocsPerOnsite: 0.42, rank: 2 },
  禹州市: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 0.62, rank: 2 },
  长葛市: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 1.96, rank: 2 },
  东城区: { punishRate: 0, inspectorsPerInspection: 2.52, rectifyDocsPerOnsite: 0, rank: 2 },
  经济技术开发区: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 0, rank: 2 },
  城乡一体化示: { punishRate: 0, inspectorsPerInspection: 2, rectifyDocsPerOnsite: 0.04, rank: 2 },
};

describe.each([
  ['CSV', XUCHANG_CSV, 'xuchang-2020-01-04.csv'],
  ['XLSX', XUCHANG_XLSX, 'xuchang-2020-01-04.xlsx'],
])('Xuchang 2020 1–4月 (%s)', (_format, file, name) => {
  const load = () => analyse(readFileSync(file), name);

  it('finds the two-row header and every column', async () => {
    const r = await load();
    expect(r.source.headerRows).toEqual([2, 3]);
    expect(r.columns.map((c) => c.field)).toEqual(['seq', 'name', ...FIGURES]);
    expect(r.columns.find((c) => c.column === 'J')?.label).toMatch(/^使用执法文书.*\/小计$/);
    expect(r.columns.find((c) => c.column === 'U')?.label).toMatch(/^处罚罚款金额.*\/小计$/);
  });

  it('its totals pass: no problems at all', async () => {
    const r = await load();
    expect(r.problems).toEqual([]);
  });

  it('reproduces every figure of every row, the 合计 row as total', async () => {
    const r = await load();
    expect(r.total.computed).toBe(false);
    expect(r.total.row).toBe(4);
    expect([r.total.name, ...figuresOf(r.total)]).toEqual(SOURCE[0]);
    expect(r.units.map((u) => [u.name, ...figuresOf(u)])).toEqual(SOURCE.slice(1));
    // Row numbers as the spreadsheet shows them, the truncated last name kept as printed.
    expect(r.units.map((u) => u.row)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(r.units.at(-1)?.name).toBe('城乡一体化示');
  });

  it('computes the indicators and ranks 鄢陵县 first, the nine others tied second', async () => {
    const r = await load();
    for (const u of [r.total, ...r.units]) {
      const want = INDICATORS[u.name]!;
      expect({
        name: u.name,
        punishRate: u.punishRate,
        inspectorsPerInspection: u.inspectorsPerInspection,
        rectifyDocsPerOnsite: u.rectifyDocsPerOnsite,
        rank: u.rank,
      }).toEqual({
        name: u.name,
        ...want,
      });
    }
    const yanling = r.units.find((u) => u.name === '鄢陵县')!;
    expect(yanling.averageFine).toBe(0.5);
    expect(yanling.nonAccidentFineShare).toBe(100);
    // No fines: average fine and fine share are undefined (null), not zero.
    expect(r.units[0]!.averageFine).toBeNull();
    expect(r.units[0]!.nonAccidentFineShare).toBeNull();
    // No hazard columns in this table: 整改率 is left out, not null.
    expect('rectificationRate' in r.total).toBe(false);
  });
});

describe('the Xuchang XLSX example', () => {
  it('has a real two-row merged header', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(XUCHANG_XLSX) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const merges = (wb.worksheets[0]!.model as unknown as { merges: string[] }).merges;
    expect(merges).toEqual(expect.arrayContaining(['E2:J2', 'L2:P2', 'Q2:U2', 'A2:A3', 'B2:B3', 'C2:C3', 'K2:K3']));
    // A line break inside the header cell, as typed in Excel.
    expect(wb.worksheets[0]!.getCell('C2').value).toBe('检查生产经营单位\n（家次）');
  });

  it('gives the same result as the CSV apart from the source', async () => {
    const a = await analyse(readFileSync(XUCHANG_CSV), 'x.csv');
    const b = await analyse(readFileSync(XUCHANG_XLSX), 'x.xlsx');
    expect(b.units).toEqual(a.units);
    expect(b.total).toEqual(a.total);
    expect(b.drafts).toEqual(a.drafts);
  });
});
