/**
 * Deliberately broken copies of the Xuchang table: every broken cell is reported, with what it
 * should read, and nothing else is.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { XUCHANG_XLSX, analyse, brief, editCsv, toCsv, xuchangCsvText } from './helpers';

// Columns: C 检查 D 出动 E 现场 F 整改 J 文书小计 K 立案 L 警告 M 罚款 Q 监督检查罚款 R 占比 S 事故罚款
// T 占比 U 罚款小计. Rows: 4 合计, 5 市本级, 6 魏都区, 8 鄢陵县, 10 禹州市, 11 长葛市, 12 东城区, 13 经开区.
const BREAKS = [
  {
    cell: 'C4',
    value: '550',
    want: { unit: '合计', column: 'inspections', check: 'total', expected: 505, found: 550 },
  },
  {
    cell: 'J6',
    value: '30',
    want: { unit: '魏都区', column: 'docSubtotal', check: 'subtotal', expected: 29, found: 30 },
  },
  {
    cell: 'R8',
    value: '90',
    want: { unit: '鄢陵县', column: 'supervisionFineShare', check: 'share', expected: 100, found: 90 },
  },
  { cell: 'K10', value: '-1', want: { unit: '禹州市', column: 'cases', check: 'negative', expected: null, found: -1 } },
  {
    cell: 'L11',
    value: '',
    want: { unit: '长葛市', column: 'warnings', check: 'missing', expected: null, found: null },
  },
  { cell: 'M4', value: '2', want: { unit: '合计', column: 'fineAmount', check: 'total', expected: 1, found: 2 } },
  {
    cell: 'U8',
    value: '1.50',
    want: { unit: '鄢陵县', column: 'fineSubtotal', check: 'subtotal', expected: 1, found: 1.5 },
  },
  // A share of no fines (0 ÷ 0) may read 0 or blank, not 5.
  {
    cell: 'T12',
    value: '5',
    want: { unit: '东城区', column: 'accidentFineShare', check: 'share', expected: null, found: 5 },
  },
  {
    cell: 'D13',
    value: '42.5',
    want: { unit: '经济技术开发区', column: 'inspectorVisits', check: 'notInteger', expected: null, found: 42.5 },
  },
  {
    cell: 'J4',
    value: '672',
    want: { unit: '合计', column: 'docSubtotal', check: 'subtotal', expected: 627, found: 672 },
  },
  {
    cell: 'S4',
    value: '0.50',
    want: { unit: '合计', column: 'accidentFine', check: 'total', expected: 0, found: 0.5 },
  },
  {
    cell: 'M8',
    value: '3',
    want: { unit: '鄢陵县', column: 'fineAmount', check: 'fineAmount', expected: 1, found: 3 },
  },
] as const;

describe('broken copies of the Xuchang CSV', () => {
  it.each(BREAKS)('$cell → “$value” is reported at $cell and nowhere else', async ({ cell, value, want }) => {
    const r = await analyse(editCsv(xuchangCsvText(), { [cell]: value }));
    expect(brief(r)).toEqual([{ ...want, cell }]);
  });

  it('all breaks at once: each reported once, in table order, nothing else', async () => {
    const edits = Object.fromEntries(BREAKS.map((b) => [b.cell, b.value]));
    const r = await analyse(editCsv(xuchangCsvText(), edits));
    const got = brief(r);
    expect(got).toHaveLength(BREAKS.length);
    expect(got).toEqual(expect.arrayContaining(BREAKS.map((b) => ({ ...b.want, cell: b.cell }))));
    // Sorted by row, then column.
    expect(got.map((p) => p.cell)).toEqual([
      'C4',
      'J4',
      'M4',
      'S4',
      'J6',
      'M8',
      'R8',
      'U8',
      'K10',
      'L11',
      'T12',
      'D13',
    ]);
  });

  it('a dash where a share is due reads as none, and is reported', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { R8: '—' }));
    expect(brief(r)).toEqual([
      { unit: '鄢陵县', column: 'supervisionFineShare', cell: 'R8', check: 'share', expected: 100, found: null },
    ]);
  });

  it('names unit, column, cell and the expected figure in the Chinese message', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { J6: '30' }));
    expect(r.problems[0]!.message).toBe(
      '魏都区（第6行）J6「使用执法文书(份)/小计」应为各类文书之和 29（现场 14 + 整改 15 + 强制 0 + 监督检查处罚 0 + 事故处罚 0），表中为 30',
    );
    expect(r.problems[0]!.columnLabel).toBe('使用执法文书(份)/小计');
    expect(r.problems[0]!.row).toBe(6);
  });

  it('a wrong part is located where its row’s 小计 and its column’s 合计 both miss it', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { E14: '46' }));
    expect(brief(r)).toEqual([
      { unit: '城乡一体化示', column: 'docOnsite', cell: 'E14', check: 'subtotal', expected: 47, found: 46 },
    ]);
    expect(r.problems[0]!.message).toBe(
      '城乡一体化示（第14行）E14「使用执法文书(份)/现场」应为 47，表中为 46：本行小计与各项之和相差 1，本列合计与各单位之和也相差 1',
    );
  });

  it('a wrong fine part is located the same way, within the rounding of 万元', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { Q8: '1.20' }));
    expect(brief(r)).toEqual([
      { unit: '鄢陵县', column: 'supervisionFine', cell: 'Q8', check: 'subtotal', expected: 1, found: 1.2 },
    ]);
  });

  it('without a 合计 row to tell, the 小计 is reported', async () => {
    const text = editCsv(xuchangCsvText(), { E14: '46' })
      .split('\r\n')
      .filter((line) => !line.startsWith(',合计,'))
      .join('\r\n');
    const r = await analyse(text);
    // One row up: the 合计 row is gone.
    expect(brief(r)).toEqual([
      { unit: '城乡一体化示', column: 'docSubtotal', cell: 'J13', check: 'subtotal', expected: 48, found: 49 },
    ]);
    expect(r.total.computed).toBe(true);
    expect(r.total.docOnsite).toBe(391);
  });

  it('a wrong figure outside any 小计 shows only in its column, reported at the 合计 row', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { C10: '113' }));
    expect(brief(r)).toEqual([
      { unit: '合计', column: 'inspections', cell: 'C4', check: 'total', expected: 487, found: 505 },
    ]);
    expect(r.problems[0]!.message).toContain('合计或某单位的数据有误');
  });

  it('a broken table draws the 数据不准确 finding for the units concerned', async () => {
    const r = await analyse(editCsv(xuchangCsvText(), { J6: '30' }));
    const d = r.drafts.filter((x) => x.rule === 'inconsistentStatistics');
    expect(d.map((x) => [x.unit, x.item])).toEqual([['魏都区', 'plan.publish']]);
    expect(d[0]!.problem).toContain('1 处缺项或逻辑错误（小计）');
  });
});

describe('罚款 counted twice (行政处罚·罚款 and 罚款小计) without fine parts to decide', () => {
  const table = (amount: string, subtotal: string) =>
    toCsv([
      ['单位', '立案数', '罚款（万元）', '罚款小计（万元）'],
      ['合计', '3', '3.00', '3.00'],
      ['甲县', '1', '1.00', '1.00'],
      ['乙县', '2', amount, subtotal],
    ]);

  it('the 合计 row tells which of the two is wrong', async () => {
    expect(brief(await analyse(table('2.00', '2.50')))).toEqual([
      { unit: '乙县', column: 'fineSubtotal', cell: 'D4', check: 'fineAmount', expected: 2, found: 2.5 },
    ]);
    expect(brief(await analyse(table('2.50', '2.00')))).toEqual([
      { unit: '乙县', column: 'fineAmount', cell: 'C4', check: 'fineAmount', expected: 2, found: 2.5 },
    ]);
  });
});

describe('a broken copy of the Xuchang XLSX', () => {
  it('reports exactly the broken cells', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(XUCHANG_XLSX) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.worksheets[0]!;
    ws.getCell('C4').value = 550;
    ws.getCell('J6').value = 30;
    ws.getCell('R8').value = 90;
    ws.getCell('L11').value = null;
    ws.getCell('D12').value = { error: '#REF!' } as ExcelJS.CellErrorValue;
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const r = await analyse(bytes, 'broken.xlsx');
    expect(brief(r)).toEqual([
      { unit: '合计', column: 'inspections', cell: 'C4', check: 'total', expected: 505, found: 550 },
      { unit: '魏都区', column: 'docSubtotal', cell: 'J6', check: 'subtotal', expected: 29, found: 30 },
      { unit: '鄢陵县', column: 'supervisionFineShare', cell: 'R8', check: 'share', expected: 100, found: 90 },
      { unit: '长葛市', column: 'warnings', cell: 'L11', check: 'missing', expected: null, found: null },
      { unit: '东城区', column: 'inspectorVisits', cell: 'D12', check: 'invalidValue', expected: null, found: null },
    ]);
    expect(r.problems[4]!.message).toBe('东城区（第12行）D12「出动行政执法人员（人次）」为错误值 #REF!，缺少数据');
  });
});

describe('tolerance for 万元 figures rounded to print', () => {
  const table = (sup: string, acc: string, sub: string, share: string) =>
    toCsv([
      ['单位', '监督检查罚款（万元）', '占比（%）', '事故罚款（万元）', '占比（%）', '罚款小计（万元）'],
      ['甲县', sup, share, acc, '', sub],
    ]);

  it('0.33 + 0.33 printed as 0.67 (from 0.333 + 0.334) is not a problem', async () => {
    const r = await analyse(table('0.33', '0.33', '0.67', '50'), 't.csv', {}, { blankCells: 'zero' });
    expect(brief(r).filter((p) => p.column === 'fineSubtotal')).toEqual([]);
  });

  it('0.33 + 0.33 printed as 0.70 is', async () => {
    const r = await analyse(table('0.33', '0.33', '0.70', '50'), 't.csv', {}, { blankCells: 'zero' });
    expect(brief(r).filter((p) => p.column === 'fineSubtotal')).toEqual([
      { unit: '甲县', column: 'fineSubtotal', cell: 'F2', check: 'subtotal', expected: 0.66, found: 0.7 },
    ]);
  });

  it('a share is allowed what the rounding of its amounts carries, not more', async () => {
    // 1.00 of 3.00 is 33.3 %; the printed amounts may hide 0.995 of 3.005 (33.1 %): 33.1 passes,
    // 34.0 does not (34 with no decimals would: it stands for 33.5–34.5).
    const ok = await analyse(table('1.00', '2.00', '3.00', '33.1'), 't.csv', {}, { blankCells: 'zero' });
    expect(brief(ok).filter((p) => p.column === 'supervisionFineShare')).toEqual([]);
    const bad = await analyse(table('1.00', '2.00', '3.00', '34.0'), 't.csv', {}, { blankCells: 'zero' });
    expect(brief(bad).filter((p) => p.column === 'supervisionFineShare')).toEqual([
      { unit: '甲县', column: 'supervisionFineShare', cell: 'C2', check: 'share', expected: 33.3, found: 34 },
    ]);
  });
});
