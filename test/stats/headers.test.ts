/** Header variants, number formats and table layouts as bureaus have them. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { StatsResult } from '../../workflows/shared/stats-result';
import { analyse, brief, toCsv } from './helpers';

const fieldOf = (r: StatsResult, column: string) => r.columns.find((c) => c.column === column)?.field;

describe('one-row header labels', () => {
  it.each([
    // The three wordings the issue names for inspections, and their layouts.
    ['检查生产经营单位（家次）', 'inspections'],
    ['检查家次', 'inspections'],
    ['专项行动检查家数', 'inspections'],
    ['检查生产经营单位\n（家次）', 'inspections'],
    ['检 查 家 次', 'inspections'],
    ['执法检查(家次)', 'inspections'],
    ['出动行政执法人员（人次）', 'inspectorVisits'],
    ['执法人员\r\n（人次）', 'inspectorVisits'],
    ['现场检查记录（份）', 'docOnsite'],
    ['现场处理措施决定书', 'docOnsiteMeasures'],
    ['责令限期整改指令书（份）', 'docRectifyOrder'],
    ['整改复查意见书', 'docReinspection'],
    ['责令限期整改指令书、整改复查意见书', 'docRectify'],
    ['整改复查类文书', 'docRectify'],
    ['强制措施', 'docCoercive'],
    ['监督检查处罚', 'docSupervisionPenalty'],
    ['事故处罚', 'docAccidentPenalty'],
    ['执法文书小计', 'docSubtotal'],
    ['使用执法文书（份）', 'docSubtotal'],
    ['立案数', 'cases'],
    ['立案（起）', 'cases'],
    ['警告（次）', 'warnings'],
    ['罚款（万元）', 'fineAmount'],
    ['责令停产停业', 'suspensions'],
    ['停产、停业、停建（家数）', 'suspensions'],
    ['暂扣或者吊销许可证照（个数）', 'licenceRevocations'],
    ['暂扣吊销', 'licenceRevocations'],
    ['关闭（家数）', 'closures'],
    ['监督检查罚款（万元）', 'supervisionFine'],
    ['事故罚款【万元】', 'accidentFine'],
    ['罚款小计（万元）', 'fineSubtotal'],
    ['排查隐患（项）', 'hazards'],
    ['隐患(项)', 'hazards'],
    ['整改隐患（项）', 'hazardsRectified'],
    ['隐患整改率（%）', 'rectificationRate'],
    ['检查处罚率（%）', 'punishRate'],
    ['排名', 'rank'],
    ['检查处罚率排名', 'rank'],
    ['监督检查罚款占比（%）', 'supervisionFineShare'],
    // Known words in a sense no check uses: left alone, not misread.
    ['罚款（次）', null],
    ['备注', null],
  ])('%j → %s', async (label, field) => {
    // A second, known column so that a label left unrecognised still leaves a table.
    const anchor = field === 'cases' ? '警告（次）' : '立案数';
    const r = await analyse(
      toCsv([
        ['单位', label, anchor],
        ['甲县', '1', '1'],
      ]),
      't.csv',
      {},
      { blankCells: 'zero' },
    );
    expect(fieldOf(r, 'B')).toBe(field);
  });

  it('bare 小计 and 占比 take their meaning from the columns to their left', async () => {
    const r = await analyse(
      toCsv([
        ['单位', '现场', '整改', '小计', '监督检查罚款', '占比', '事故罚款', '占比', '小计', '排查隐患', '整改'],
        ['甲县', '3', '2', '5', '1.00', '40', '1.50', '60', '2.50', '8', '6'],
      ]),
    );
    expect(r.columns.map((c) => c.field)).toEqual([
      'name',
      'docOnsite',
      'docRectify',
      'docSubtotal',
      'supervisionFine',
      'supervisionFineShare',
      'accidentFine',
      'accidentFineShare',
      'fineSubtotal',
      'hazards',
      'hazardsRectified',
    ]);
    expect(r.problems).toEqual([]);
  });

  it('refuses a table where two columns mean the same thing, naming both', async () => {
    await expect(
      analyse(
        toCsv([
          ['单位', '检查家次', '检查生产经营单位（家次）'],
          ['甲县', '1', '1'],
        ]),
      ),
    ).rejects.toThrow(/B列「检查家次」和 C列「检查生产经营单位（家次）」都被识别为「检查生产经营单位（家次）」/);
  });
});

describe('two-row headers in CSV', () => {
  it('carries a group label over the empty cells of its span, not over a label merged down', async () => {
    const r = await analyse(
      toCsv([
        ['序号', '单位', '立案数', '使用执法文书（份）', '', '', '处罚罚款金额（万元）', '', '', '', ''],
        ['', '', '', '现场', '整改', '小计', '监督检查罚款', '占比（%）', '事故罚款', '占比（%）', '小计'],
        ['1', '甲县', '1', '3', '2', '5', '0.50', '100', '0', '0', '0.50'],
      ]),
    );
    expect(r.columns.map((c) => [c.column, c.label, c.field])).toEqual([
      ['A', '序号', 'seq'],
      ['B', '单位', 'name'],
      ['C', '立案数', 'cases'],
      ['D', '使用执法文书（份）/现场', 'docOnsite'],
      ['E', '使用执法文书（份）/整改', 'docRectify'],
      ['F', '使用执法文书（份）/小计', 'docSubtotal'],
      ['G', '处罚罚款金额（万元）/监督检查罚款', 'supervisionFine'],
      ['H', '处罚罚款金额（万元）/占比（%）', 'supervisionFineShare'],
      ['I', '处罚罚款金额（万元）/事故罚款', 'accidentFine'],
      ['J', '处罚罚款金额（万元）/占比（%）', 'accidentFineShare'],
      ['K', '处罚罚款金额（万元）/小计', 'fineSubtotal'],
    ]);
    expect(r.source.headerRows).toEqual([1, 2]);
    expect(r.problems).toEqual([]);
  });
});

describe('numbers as bureaus write them', () => {
  it('thousands separators, full-width digits, percent signs, 第N名, dashes for none', async () => {
    const r = await analyse(
      toCsv([
        ['单位', '检查家次', '出动人次', '立案数', '检查处罚率', '排名'],
        ['甲县', '1,040', '２,０８０', '52', '5.0%', '第1名'],
        ['乙县', '100', '200', '—', '0.0％', '第2名'],
        ['合计', '1,140', '2,280', '52', '4.6%', ''],
      ]),
    );
    expect(r.problems).toEqual([]);
    expect(
      r.units.map((u) => [u.inspections, u.inspectorVisits, u.cases, u.stated?.punishRate, u.stated?.rank]),
    ).toEqual([
      [1040, 2080, 52, 5, 1],
      [100, 200, 0, 0, 2],
    ]);
  });

  it('a table that never writes 0 leaves zeros blank: blanks are zero there', async () => {
    const csv = toCsv([
      ['单位', '检查家次', '立案数', '警告（次）'],
      ['甲县', '12', '', '3'],
      ['乙县', '8', '1', ''],
      ['合计', '20', '1', '3'],
    ]);
    const r = await analyse(csv);
    expect(r.source.blankCells).toBe('zero');
    expect(r.source.blankCellsReason).toContain('空白视为 0');
    expect(r.problems).toEqual([]);
    expect(r.units[0]!.cases).toBe(0);
    // The same table with one written 0 treats its blanks as missing figures.
    const withZero = await analyse(csv.replace('甲县,12,,3', '甲县,12,0,3'));
    expect(brief(withZero)).toEqual([
      { unit: '乙县', column: 'warnings', cell: 'D3', check: 'missing', expected: null, found: null },
    ]);
    // And the plan (or --blank) can say so outright.
    const forced = await analyse(csv, 't.csv', { blankCells: 'missing' });
    expect(brief(forced).map((p) => p.cell)).toEqual(['C2', 'D3']);
  });

  it('fines in 元 are converted to 万元', async () => {
    const r = await analyse(
      toCsv([
        ['单位', '立案数', '罚款（元）'],
        ['甲县', '2', '15,000'],
      ]),
    );
    expect(r.units[0]).toMatchObject({ fineAmount: 1.5, averageFine: 0.75 });
  });
});

describe('table layouts', () => {
  it('skips a title, a unit line, a 甲/乙/1/2/3 column-number row, a repeated header and the notes', async () => {
    const r = await analyse(
      toCsv([
        ['某市安全生产执法情况统计表', '', '', ''],
        ['填报单位：某市应急管理局', '', '单位：家次、起', ''],
        ['序号', '单位', '检查家次', '立案数'],
        ['甲', '乙', '1', '2'],
        ['', '合计', '30', '2'],
        ['1', '甲县', '10', '1'],
        ['序号', '单位', '检查家次', '立案数'],
        ['2', '乙县', '20', '1'],
        ['', '', '', ''],
        ['说明：按文书下发日期统计。', '', '', ''],
        ['1、本表数据来源于执法统计系统。', '', '', ''],
      ]),
    );
    expect(r.source.headerRows).toEqual([3]);
    expect(r.units.map((u) => [u.name, u.row])).toEqual([
      ['甲县', 6],
      ['乙县', 8],
    ]);
    expect(r.total.row).toBe(5);
    expect(r.problems).toEqual([]);
  });

  it('reports a unit listed twice', async () => {
    const r = await analyse(
      toCsv([
        ['单位', '检查家次'],
        ['甲县', '1'],
        ['甲县', '2'],
      ]),
    );
    expect(brief(r)).toEqual([
      { unit: '甲县', column: 'name', cell: null, check: 'duplicateUnit', expected: null, found: null },
    ]);
  });

  it('reads tab-separated UTF-16 (Excel “Unicode 文本”) and GBK CSV', async () => {
    const text = '单位\t检查家次\t立案数\r\n甲县\t10\t1\r\n';
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    expect((await analyse(utf16, 't.txt')).units[0]).toMatchObject({ name: '甲县', inspections: 10, cases: 1 });
    // 单位,检查家次 / 甲县,10 in GBK.
    const gbk = new Uint8Array([
      0xb5, 0xa5, 0xce, 0xbb, 0x2c, 0xbc, 0xec, 0xb2, 0xe9, 0xbc, 0xd2, 0xb4, 0xce, 0x0d, 0x0a, 0xbc, 0xd7, 0xcf, 0xd8,
      0x2c, 0x31, 0x30,
    ]);
    expect((await analyse(gbk, 't.csv')).units[0]).toMatchObject({ name: '甲县', inspections: 10 });
  });
});

describe('XLSX as spreadsheets hold it', () => {
  it('percent-formatted cells, formulas with their results, #DIV/0! for a share of no fines, 合计 merged across', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('统计');
    ws.addRow([
      '序号',
      '单位',
      '检查家次',
      '立案数',
      '检查处罚率',
      '监督检查罚款（万元）',
      '占比',
      '事故罚款（万元）',
      '占比',
      '罚款小计（万元）',
    ]);
    ws.addRow(['合计', '', { formula: 'SUM(C3:C4)', result: 150 }, 3, 0.02, 1.5, 1, 0, 0, 1.5]);
    ws.addRow([1, '甲县', 100, 3, 0.03, 1.5, 1, 0, 0, { formula: 'F3+H3', result: 1.5 }]);
    ws.addRow([2, '乙县', 50, 0, 0, 0, { error: '#DIV/0!' }, 0, { error: '#DIV/0!' }, 0]);
    ws.mergeCells('A2:B2');
    for (const r of [2, 3, 4]) {
      ws.getCell(`E${r}`).numFmt = '0.0%';
      ws.getCell(`G${r}`).numFmt = '0%';
      ws.getCell(`I${r}`).numFmt = '0%';
    }
    const r = await analyse(new Uint8Array(await wb.xlsx.writeBuffer()), 't.xlsx');
    expect(r.source.sheet).toBe('统计');
    expect(r.total).toMatchObject({
      name: '合计',
      row: 2,
      inspections: 150,
      stated: { punishRate: 2, supervisionFineShare: 100 },
    });
    expect(r.units[0]).toMatchObject({
      name: '甲县',
      fineSubtotal: 1.5,
      stated: { punishRate: 3, supervisionFineShare: 100 },
    });
    expect(r.units[1]!.stated).toEqual({ punishRate: 0, supervisionFineShare: null, accidentFineShare: null });
    expect(r.problems).toEqual([]);
  });

  it('picks the first sheet with a statistics header, or the one named', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('封面').addRow(['2020年执法统计']);
    const a = wb.addWorksheet('1-4月');
    a.addRow(['单位', '检查家次']);
    a.addRow(['甲县', 10]);
    const b = wb.addWorksheet('5月');
    b.addRow(['单位', '检查家次']);
    b.addRow(['甲县', 20]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    expect((await analyse(bytes, 't.xlsx')).units[0]!.inspections).toBe(10);
    expect((await analyse(bytes, 't.xlsx', {}, { sheet: '5月' })).units[0]!.inspections).toBe(20);
    await expect(analyse(bytes, 't.xlsx', {}, { sheet: '6月' })).rejects.toThrow(
      '没有名为「6月」的工作表（现有：「封面」、「1-4月」、「5月」）',
    );
  });
});
