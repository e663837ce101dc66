/**
 * `npx tsx bench/profile-summary.ts DIR [--functions N]`: where the JS time went in the V8 CPU
 * profiles a run wrote into DIR (`NODE_OPTIONS='--cpu-prof --cpu-prof-dir=DIR' npm run bench:year`),
 * as a Markdown table of shares by code (the buckets of bench:scale's `--profile`), main thread
 * against workflow threads, and the functions with the most self time. A profiled run is slower:
 * read its shares, not its seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cpuProfileBuckets } from './lib/breakdown';

const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts DIR [--functions N]\n');
  process.exit(2);
}
const fi = process.argv.indexOf('--functions');
const topN = fi > 0 ? Number(process.argv[fi + 1]) : 12;

const buckets = cpuProfileBuckets(dir);
const busy = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const share = (m: Map<string, number>, k: string) => (m.has(k) ? `${((100 * m.get(k)!) / busy(m)).toFixed(1)} %` : '');
const keys = [...new Set([...buckets.main.keys(), ...buckets.workflow.keys()])]
  .sort(
    (a, b) =>
      Math.max(buckets.main.get(b) ?? 0, buckets.workflow.get(b) ?? 0) -
      Math.max(buckets.main.get(a) ?? 0, buckets.workflow.get(a) ?? 0),
  )
  .slice(0, 18);
process.stdout.write(
  `Busy: main threads ${busy(buckets.main).toFixed(1)} s, workflow threads ${busy(buckets.workflow).toFixed(1)} s.\n\n` +
    `| code | main thread | workflow thread |\n|---|---:|---:|\n` +
    keys.map((k) => `| ${k} | ${share(buckets.main, k)} | ${share(buckets.workflow, k)} |`).join('\n') +
    '\n',
);

// Self time by function (name and file, relative to the repository), all threads together.
const self = new Map<string, number>();
let total = 0;
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
  const prof = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
    nodes: { id: number; callFrame: { url: string; functionName: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
  for (let i = 0; i < prof.samples.length; i++) {
    const cf = byId.get(prof.samples[i]!);
    if (!cf || cf.functionName === '(idle)') continue;
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1e6;
    const where = cf.url
      .replace(/^file:\/\//, '')
      .replace(/^.*?\/(node_modules|activities|client|workflows|worker)\//, '$1/');
    const k = `${cf.functionName || '(anonymous)'} ${where ? `(${where}:${cf.lineNumber + 1})` : ''}`.trim();
    self.set(k, (self.get(k) ?? 0) + dt);
    total += dt;
  }
}
process.stdout.write(
  `\n| function (self time, all threads) | share |\n|---|---:|\n` +
    [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([k, s]) => `| \`${k}\` | ${((100 * s) / total).toFixed(1)} % |`)
      .join('\n') +
    '\n',
);
