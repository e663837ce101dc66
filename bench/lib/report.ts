/** Shared by the benchmark scripts: the machine's description and bench/RESULTS.md sections. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** nproc, the CPU model from /proc/cpuinfo, total memory, Node version, load average at the call. */
export function machine(): string {
  const cpu =
    /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
    os.cpus()[0]?.model ??
    'unknown';
  const memKb = Number(/MemTotal:\s*(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return `nproc ${nproc}, ${cpu}, ${(memKb / 1024 / 1024).toFixed(1)} GiB memory, Node ${process.version}`;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
}

/** Replaces (or appends) the section under `heading` in bench/RESULTS.md, keeping every other section. */
export function recordSection(heading: string, section: string): void {
  const file = path.join(__dirname, '..', 'RESULTS.md');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(`${heading}\n`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + heading.length);
    text = text.slice(0, start).trimEnd() + (next >= 0 ? `\n\n${text.slice(next + 1)}` : '');
  }
  fs.writeFileSync(file, `${text.trimEnd()}\n\n${section.trimEnd()}\n`);
}

/** Quantile q (0–1) of the values, nearest-rank. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Every file under `dir` whose name ends with `suffix`. */
export function filesUnder(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, suffix));
    else if (e.name.endsWith(suffix) && !e.name.startsWith('.')) out.push(p);
  }
  return out;
}

export function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
