/** Exact arithmetic and half-up rounding, where binary floating point goes wrong. */
import { describe, expect, it } from 'vitest';
import { Ratio, doubleToDecimalText, parsePlainDecimal } from '../../activities/stats/decimal';

describe('Ratio.roundHalfUp', () => {
  it.each([
    // Each of these rounds the wrong way with Number.prototype.toFixed.
    [Ratio.of(3, 2000).mul(Ratio.HUNDRED), 1, '0.2'], // 0.15 %
    [Ratio.of(245, 100), 1, '2.5'],
    [Ratio.of(1005, 1000), 2, '1.01'],
    [Ratio.of(2, 84).mul(Ratio.HUNDRED), 1, '2.4'],
    [Ratio.of(-25, 100), 1, '-0.3'],
    [Ratio.of(0), 1, '0.0'],
    [Ratio.of(1, 3), 0, '0'],
  ])('%s to %i places is %s', (r, k, want) => {
    expect(r.toFixed(k)).toBe(want);
  });

  it('compares and adds exactly', () => {
    expect(Ratio.of(1, 10).add(Ratio.of(2, 10)).eq(Ratio.of(3, 10))).toBe(true);
    expect(Ratio.of(1, 3).cmp(Ratio.of(333, 1000))).toBe(1);
  });
});

describe('parsing', () => {
  it('keeps the number of decimals as written', () => {
    expect(parsePlainDecimal('1.00')).toEqual({ value: Ratio.of(1), decimals: 2 });
    expect(parsePlainDecimal('-0.5')).toEqual({ value: Ratio.of(-1, 2), decimals: 1 });
    expect(parsePlainDecimal('1e3')).toBeUndefined();
    expect(parsePlainDecimal('.5')).toBeUndefined();
  });

  it('reads a spreadsheet double without its binary noise', () => {
    expect(doubleToDecimalText(0.1 + 0.2)).toBe('0.3');
    expect(doubleToDecimalText(100)).toBe('100');
    expect(doubleToDecimalText(-0)).toBe('0');
    // eslint-disable-next-line no-loss-of-precision -- the binary noise of a real spreadsheet double is the point
    expect(doubleToDecimalText(2.3809523809523808)).toBe('2.380952381');
    expect(doubleToDecimalText(Number.NaN)).toBeUndefined();
  });
});
