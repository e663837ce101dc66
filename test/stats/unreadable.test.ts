/**
 * Files that cannot be read: the import stops with a message naming row and column, and the
 * activity fails non-retryably with type UnreadableFile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsReadError } from '../../activities/stats/errors';
import { createStatsActivities } from '../../activities/stats';
import { FailureType } from '../../workflows/shared/errors';
import type { StatsResult } from '../../workflows/shared/stats-result';
import { XUCHANG_CSV, analyse, editCsv, toCsv, xuchangCsvText } from './helpers';

async function readError(input: Uint8Array | string, name = 't.csv'): Promise<StatsReadError> {
  try {
    await analyse(input, name);
  } catch (err) {
    if (err instanceof StatsReadError) return err;
    throw err;
  }
  throw new Error('expected the file to be unreadable');
}

describe('unreadable content', () => {
  it('names every cell that is not a number, by row, unit, column and header', async () => {
    const err = await readError(editCsv(xuchangCsvText(), { C6: 'abc', M8: '1,0', K14: '五' }));
    expect(err.summary).toBe('统计表中有无法识别的内容');
    expect(err.cells.map((c) => c.message)).toEqual([
      '第6行（魏都区）C列「检查生产经营单位(家次)」：「abc」不是数字',
      '第8行（鄢陵县）M列「行政处罚/罚款(万元)」：「1,0」的千分位分隔符位置不对，无法确定数值',
      '第14行（城乡一体化示）K列「立案数」：「五」不是数字',
    ]);
    expect(err.cells[0]).toMatchObject({ row: 6, column: 'C', text: 'abc' });
    expect(err.message).toContain('第6行（魏都区）C列');
  });

  it('a row with figures but no unit name', async () => {
    const err = await readError(
      toCsv([
        ['单位', '检查家次'],
        ['甲县', '1'],
        ['', '2'],
      ]),
    );
    expect(err.cells.map((c) => c.message)).toEqual(['第3行：有数字但缺少单位名称']);
  });

  it('broken CSV quoting', async () => {
    const err = await readError('单位,检查家次\r\n"甲县,1\r\n');
    expect(err.message).toContain('第2行 A列：引号没有闭合');
  });

  it('no header, no rows, an empty file', async () => {
    await expect(analyse('甲,乙\r\n1,2\r\n')).rejects.toThrow(/没有找到统计表表头。表头需要有单位名称列/);
    await expect(analyse('单位,检查家次\r\n')).rejects.toThrow('表头（第1行）下面没有单位数据行');
    await expect(analyse(new Uint8Array(0), 't.csv')).rejects.toThrow('t.csv：文件为空');
  });

  it('an old .xls, a damaged .xlsx, a binary file', async () => {
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    await expect(analyse(xls, 'old.xls')).rejects.toThrow(/Excel 97-2003（.xls）.*另存为/);
    const damaged = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
    await expect(analyse(damaged, 'bad.xlsx')).rejects.toThrow(/bad.xlsx：Excel 工作簿已损坏/);
    await expect(analyse(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), 'photo.csv')).rejects.toThrow(
      /不是文本表格/,
    );
  });

  it('an XLSX formula saved without its value, and a date where a number belongs', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表');
    ws.addRow(['单位', '检查家次', '立案数']);
    ws.addRow(['甲县', { formula: 'SUM(X1:X2)' }, new Date('2020-05-08T00:00:00Z')]);
    const err = await readError(new Uint8Array(await wb.xlsx.writeBuffer()), 't.xlsx');
    expect(err.cells.map((c) => c.message)).toEqual([
      '第2行（甲县）B列「检查家次」：公式没有保存计算结果（请在 Excel 中打开并保存后再导入）',
      '第2行（甲县）C列「立案数」：「2020-05-08」是日期，不是数字',
    ]);
  });
});

describe('the importStatistics activity', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stats-activity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The expected failures would otherwise be logged as activity errors.
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const { importStatistics } = createStatsActivities({ baseDir: dir });

  async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApplicationFailure) return err;
      throw err;
    }
    throw new Error('expected a failure');
  }

  it('imports a file under its directory and returns small JSON', async () => {
    writeFileSync(path.join(dir, 'xuchang.csv'), xuchangCsvText());
    const r = (await env.run(importStatistics, {
      path: 'xuchang.csv',
      thresholds: { punishRateBenchmark: null },
    })) as StatsResult;
    expect(r.problems).toEqual([]);
    expect(r.units).toHaveLength(10);
    expect(r.drafts.some((d) => d.rule === 'lowPunishRate')).toBe(false);
    expect(JSON.stringify(r).length).toBeLessThan(20_000);
  });

  it('an unreadable table fails non-retryably as UnreadableFile, naming row and column', async () => {
    writeFileSync(path.join(dir, 'bad.csv'), editCsv(xuchangCsvText(), { C6: 'abc' }));
    const f = await failure(env.run(importStatistics, { path: 'bad.csv' }));
    expect(f.type).toBe(FailureType.UnreadableFile);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('第6行（魏都区）C列「检查生产经营单位(家次)」：「abc」不是数字');
    expect(f.details).toEqual([{ cells: [expect.objectContaining({ row: 6, column: 'C' })] }]);
  });

  it('a missing file is UnreadableFile; a path outside the directory is InvalidInput', async () => {
    expect((await failure(env.run(importStatistics, { path: 'nope.csv' }))).type).toBe(FailureType.UnreadableFile);
    expect((await failure(env.run(importStatistics, { path: XUCHANG_CSV }))).type).toBe(FailureType.InvalidInput);
    expect((await failure(env.run(importStatistics, { path: '../etc/passwd' }))).type).toBe(FailureType.InvalidInput);
  });

  it('a file changed since it was stored is IntegrityError; bad thresholds are InvalidInput', async () => {
    writeFileSync(path.join(dir, 'x.csv'), xuchangCsvText());
    const f = await failure(env.run(importStatistics, { path: 'x.csv', sha256: '0'.repeat(64) }));
    expect(f.type).toBe(FailureType.IntegrityError);
    const g = await failure(
      env.run(importStatistics, { path: 'x.csv', thresholds: { punishRateBenchmark: -1 } as never }),
    );
    expect(g.type).toBe(FailureType.InvalidInput);
    expect(g.message).toContain('statistics.punishRateBenchmark');
    expect(g.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('reads through the injected reader', async () => {
    const files = new Map([
      [
        '/mem/t.csv',
        new TextEncoder().encode(
          toCsv([
            ['单位', '检查家次'],
            ['甲县', '7'],
          ]),
        ),
      ],
    ]);
    const acts = createStatsActivities({
      readFile: async (p) => {
        const b = files.get(p);
        if (!b) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        return b;
      },
    });
    const r = (await env.run(acts.importStatistics, { path: '/mem/t.csv' })) as StatsResult;
    expect(r.units[0]).toMatchObject({ name: '甲县', inspections: 7 });
    expect(r.source.name).toBe('t.csv');
  });
});
