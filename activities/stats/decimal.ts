/**
 * Exact rational arithmetic on bigint. Statistics carry decimals (万元 with two places, percentages
 * with one) and are rounded half up; binary floating point gets 0.05 and 2.45 wrong, so every
 * figure is held as an exact fraction and only turned into a JS number for output.
 */

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export class Ratio {
  readonly n: bigint;
  /** Always positive. */
  readonly d: bigint;

  private constructor(n: bigint, d: bigint) {
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    this.n = g > 1n ? n / g : n;
    this.d = g > 1n ? d / g : d;
  }

  static of(n: bigint | number, d: bigint | number = 1n): Ratio {
    return new Ratio(BigInt(n), BigInt(d));
  }

  static readonly ZERO = Ratio.of(0);
  static readonly HUNDRED = Ratio.of(100);

  add(o: Ratio): Ratio {
    return new Ratio(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Ratio): Ratio {
    return new Ratio(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Ratio): Ratio {
    return new Ratio(this.n * o.n, this.d * o.d);
  }
  /** Throws RangeError on a zero divisor: callers decide what 0/0 means. */
  div(o: Ratio): Ratio {
    return new Ratio(this.n * o.d, this.d * o.n);
  }
  neg(): Ratio {
    return new Ratio(-this.n, this.d);
  }
  abs(): Ratio {
    return this.n < 0n ? new Ratio(-this.n, this.d) : this;
  }
  cmp(o: Ratio): number {
    const l = this.n * o.d;
    const r = o.n * this.d;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  eq(o: Ratio): boolean {
    return this.n === o.n && this.d === o.d;
  }
  isZero(): boolean {
    return this.n === 0n;
  }
  isNegative(): boolean {
    return this.n < 0n;
  }
  isInteger(): boolean {
    return this.d === 1n;
  }

  /** Rounded to `k` decimals, halves away from zero (四舍五入). */
  roundHalfUp(k: number): Ratio {
    const scale = 10n ** BigInt(k);
    const neg = this.n < 0n;
    const num = (neg ? -this.n : this.n) * scale * 2n + this.d;
    const q = num / (this.d * 2n);
    return new Ratio(neg ? -q : q, scale);
  }

  /** Exact decimal text with `k` places after rounding half up. */
  toFixed(k: number): string {
    const r = this.roundHalfUp(k);
    const scale = 10n ** BigInt(k);
    // r.d divides scale after rounding to k places.
    const scaled = (r.n * scale) / r.d;
    const neg = scaled < 0n;
    const digits = (neg ? -scaled : scaled).toString().padStart(k + 1, '0');
    const int = digits.slice(0, digits.length - k);
    const frac = digits.slice(digits.length - k);
    return `${neg ? '-' : ''}${int}${k > 0 ? `.${frac}` : ''}`;
  }

  /** A JS number rounded half up to `k` decimals (10 by default: output only, never computed on). */
  toNumber(k = 10): number {
    return Number(this.toFixed(k));
  }
}

/** Half a unit in the last place of a figure printed with `decimals` places (its rounding error). */
export function halfUnit(decimals: number): Ratio {
  return Ratio.of(5n, 10n ** BigInt(decimals + 1));
}

/** `text` must already be a plain decimal: optional sign, digits, optional fraction. */
export function parsePlainDecimal(text: string): { value: Ratio; decimals: number } | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const n = BigInt(`${m[2]}${frac}`) * (m[1] === '-' ? -1n : 1n);
  return { value: Ratio.of(n, 10n ** BigInt(frac.length)), decimals: frac.length };
}

/**
 * A spreadsheet double as decimal text. Ten places absorb binary noise (0.1 + 0.2 stored by a
 * formula as 0.30000000000000004 reads as 0.3) while keeping every figure a table can mean.
 */
export function doubleToDecimalText(v: number): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  let s = Math.abs(v) >= 1e21 ? String(v) : v.toFixed(10);
  if (/e/i.test(s)) return undefined;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
