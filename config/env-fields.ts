/**
 * How one environment variable is read (config/env.ts): ports, bounded whole numbers, non-empty
 * text and fastify's trustProxy, each refusing a bad value with a message that names the variable.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export const port = (name: string, min = 1) =>
  z.coerce
    .number({ error: `${name} 应为端口号（整数 ${min}–65535）` })
    .int(`${name} 应为端口号（整数 ${min}–65535）`)
    .min(min, `${name} 应为端口号（整数 ${min}–65535）`)
    .max(65535, `${name} 应为端口号（整数 ${min}–65535）`);
/** A whole number in [min, max], its message naming the variable and the range. */
export const whole = (name: string, what: string, min: number, max: number) => {
  const message = `${name} 应为${what}（整数 ${min}–${max}）`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};
export const text = (name: string) =>
  z
    .string({ error: `${name} 应为字符串` })
    .trim()
    .min(1, `${name} 不能为空`);

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** An address or CIDR range (`10.0.0.0/8`, `fd00::/8`), or one of proxy-addr's names. */
function isProxyAddress(s: string): boolean {
  if (PROXY_NAMES.includes(s)) return true;
  const [addr, bits, extra] = s.split('/');
  const v = isIP(addr ?? '');
  if (v === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128));
}
const TRUST_PROXY_MESSAGE =
  'GUIDANCE_HTTP_TRUST_PROXY 应为 off、true、代理层数（整数 1–100）或以逗号分隔的代理地址（IP 或 CIDR，如 10.0.0.0/8）';
/** fastify's `trustProxy`: false, true, a number of hops, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];
export const trustProxy = z
  .string()
  .trim()
  .transform((s, ctx): TrustProxy => {
    const v = s.toLowerCase();
    if (['off', 'false', 'no', '0'].includes(v)) return false;
    if (['on', 'true', 'yes'].includes(v)) return true;
    if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100) return Number(v);
    const list = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (list.length > 0 && list.every(isProxyAddress)) return list;
    ctx.addIssue({ code: 'custom', message: TRUST_PROXY_MESSAGE });
    return z.NEVER;
  });
