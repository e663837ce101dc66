/**
 * `guidance stats check` run as a subprocess (npx tsx on test/stats/cli-entry.ts): exit codes
 * 0 / 1 / 2, the JSON shape, the human table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, XUCHANG_CSV, XUCHANG_XLSX, editCsv, xuchangCsvText } from './helpers';

const ENTRY = path.join(ROOT, 'test', 'stats', 'cli-entry.ts');

function cli(...args: string[]) {
  const r = spawnSync('npx', ['tsx', ENTRY, 'stats', 'check', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('guidance stats check', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stats-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 0 and the JSON shape for the Xuchang table', () => {
    const r = cli(XUCHANG_CSV, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['units', 'total', 'problems', 'drafts']));
    expect(json.problems).toEqual([]);
    expect(json.units).toHaveLength(10);
    expect(json.units[3]).toMatchObject({ name: '鄢陵县', inspections: 84, cases: 2, punishRate: 2.4, rank: 1 });
    expect(json.total).toMatchObject({ name: '合计', inspections: 505, cases: 2, punishRate: 0.4 });
  });

  it('exit 1 and each problem with unit, column, expected, found and a Chinese message', () => {
    const file = path.join(dir, 'broken.csv');
    writeFileSync(file, editCsv(xuchangCsvText(), { J6: '30', C4: '550' }));
    const r = cli(file, '--json');
    expect(r.code).toBe(1);
    const { problems } = JSON.parse(r.out);
    expect(problems.map((p: Record<string, unknown>) => [p.unit, p.column, p.expected, p.found])).toEqual([
      ['合计', 'inspections', 505, 550],
      ['魏都区', 'docSubtotal', 29, 30],
    ]);
    for (const p of problems) expect(p.message).toMatch(/^[\u4e00-\u9fff]+（第\d+行）/);
  });

  it('exit 2 for a file that cannot be read, with the reason (JSON and text)', () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, editCsv(xuchangCsvText(), { C6: 'abc' }));
    const json = cli(file, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).error).toMatchObject({
      type: 'UnreadableFile',
      cells: [expect.objectContaining({ row: 6, column: 'C' })],
    });
    const text = cli(file);
    expect(text.code).toBe(2);
    expect(text.err).toContain('第6行（魏都区）C列「检查生产经营单位(家次)」：「abc」不是数字');
    const missing = cli(path.join(dir, 'nope.xlsx'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('文件不存在');
  });

  it('prints a table, the check result and the drafts for people', () => {
    const r = cli(XUCHANG_XLSX);
    expect(r.code).toBe(0);
    expect(r.out).toContain('工作表「执法情况报表」，表头第 2–3 行');
    expect(r.out).toMatch(/鄢陵县\s*│\s*84\s*│\s*2\s*│\s*2\.4%/);
    expect(r.out).toContain('逻辑检查：未发现问题。');
    expect(r.out).toContain('【合计】现场监管执法检查：检查处罚率为 0.4%');
  });

  it('takes thresholds from the plan’s statistics section; a bad section or option exits 2', () => {
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'year: 2027\nstatistics:\n  punishRateBenchmark: null\n  ranking:\n    exclude: [市本级]\n');
    const r = cli(XUCHANG_CSV, '--json', '--plan', plan);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.drafts.some((d: { rule: string }) => d.rule === 'lowPunishRate')).toBe(false);
    expect(json.units[0]).toMatchObject({ name: '市本级', rank: null });

    writeFileSync(plan, 'statistics:\n  punishRateBenchmark: -5\n');
    const bad = cli(XUCHANG_CSV, '--plan', plan);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('statistics.punishRateBenchmark');
    expect(cli(XUCHANG_CSV, '--blank', 'sometimes').code).toBe(2);
  });
});
