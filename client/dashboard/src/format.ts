/** Small formatting and parsing helpers shared by the pages and forms (pure functions). */

/** An instant in China's time zone, as people read it. */
export const fmtTime = (iso?: string): string =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';

export const fmtSize = (n: number): string =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} 字节`;

export const clock = (d: Date): string => d.toLocaleTimeString('zh-CN', { hour12: false });

/** A form field as trimmed text ('' when absent or a file). */
export const text = (fd: FormData, name: string): string => {
  const v = fd.get(name);
  return typeof v === 'string' ? v.trim() : '';
};

/** A form field as trimmed text, or undefined when empty (optional fields). */
export const optional = (fd: FormData, name: string): string | undefined => text(fd, name) || undefined;

/** Non-empty trimmed lines. */
export const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * One enterprise per line: 编号,名称,行业,重点|一般 (commas full- or half-width). A line whose
 * category is neither is refused here with its line number (the workflow would refuse it too).
 */
export function parseRoster(s: string): { id: string; name: string; industry: string; tier: '重点' | '一般' }[] {
  return lines(s).map((l, i) => {
    const [id = '', name = '', industry = '', tier = ''] = l.split(/[,，]/).map((x) => x.trim());
    if (tier !== '重点' && tier !== '一般') throw new Error(`企业名单第 ${i + 1} 行：企业类别只能是“重点”或“一般”`);
    return { id, name, industry, tier };
  });
}

/** One holiday per line: 名称,开始日期,结束日期 (commas full- or half-width, or 顿号; one date = one day). */
export function parseHolidays(s: string): { name: string; from: string; to: string }[] {
  return lines(s).map((l) => {
    const [name = '', from = '', to] = l.split(/\s*[,，、]\s*/);
    return { name, from, to: to || from };
  });
}

/** Dates separated by spaces, commas or 顿号. */
export const parseDates = (s: string): string[] => s.split(/[\s,，、;；]+/).filter(Boolean);

/** The message of anything thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
