/**
 * The rectification due date on China's published calendar (chinese-days, 2026): weekends, the
 * October national holiday and its adjusted working Saturday; and `guidance due-date`.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dueDate } from '../client/commands/archive';

describe('due date rule (期限届满日为节假日的顺延)', () => {
  it('moves a Saturday to Monday', () => {
    expect(dueDate('2026-02-05', 30)).toMatchObject({ nominal: '2026-03-07', dueDate: '2026-03-09', moved: true });
  });
  it('moves a day of the October holiday to the first working day after it', () => {
    expect(dueDate('2026-09-01', 30)).toMatchObject({ nominal: '2026-10-01', dueDate: '2026-10-08', moved: true });
    expect(dueDate('2026-09-05', 30).reason).toMatch(/法定节假日，期限顺延至下一个工作日 2026-10-08/);
  });
  it('keeps an adjusted working Saturday (调休上班) as it is', () => {
    expect(dueDate('2026-09-10', 30)).toMatchObject({ nominal: '2026-10-10', dueDate: '2026-10-10', moved: false });
  });
  it('keeps a working day', () => {
    expect(dueDate('2026-04-01', 30)).toMatchObject({ dueDate: '2026-05-06', moved: true }); // 5月1–5日 Labour Day
    expect(dueDate('2026-06-01', 30)).toMatchObject({ dueDate: '2026-07-01', moved: false });
  });
  it('`guidance due-date` prints the date and why it moved; bad input exits 2', () => {
    const out = execFileSync(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'due-date', '--from', '2026-09-01', '--days', '30'],
      { encoding: 'utf8' },
    );
    expect(out.split('\n')[0]).toBe('2026-10-08');
    expect(out).toContain('2026-10-01 是法定节假日');
    let status = 0;
    try {
      execFileSync(
        process.execPath,
        ['-r', 'tsx/cjs', 'client/cli.ts', 'due-date', '--from', '2026-13-01', '--days', '30'],
        { stdio: 'pipe' },
      );
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
