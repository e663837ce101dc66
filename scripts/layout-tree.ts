/**
 * The code layout as docs/architecture.md shows it, generated from the folders themselves: the top
 * level, and one level below for the code (workflows/, activities/, client/, worker/, config/),
 * each with its one-line purpose. test/docs-layout.test.ts fails when the docs' tree differs, or
 * when a folder has no purpose here, so the docs cannot go stale silently.
 *
 *   npx tsx scripts/layout-tree.ts          # print the tree
 *   npx tsx scripts/layout-tree.ts --write  # put it into docs/architecture.md
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
export const DOC = path.join(ROOT, 'docs', 'architecture.md');
const START = '<!-- layout-tree:start (npx tsx scripts/layout-tree.ts --write) -->';
const END = '<!-- layout-tree:end -->';

/** Generated or local-only folders (git-ignored): never part of the layout. */
const SKIP = new Set(['node_modules', 'data', 'outbox', 'test-results', 'client/http/public']);
/** Folders whose subfolders are shown too. */
const CODE = ['workflows', 'activities', 'client', 'worker', 'config'];

/** One line per folder, in the order shown: what it is for. A new folder needs a line here (the test says which). */
export const PURPOSES: Record<string, string> = {
  workflows: 'deterministic orchestration only: no I/O, no Node built-ins (lint)',
  'workflows/contracts':
    'what a client needs per workflow: input, state, Updates, Queries, zod schemas (common.ts below all)',
  'workflows/lib': 'workflow-side helpers: activity proxies, onUpdate/onQuery, mail delivery, the incident guard',
  'workflows/programme': 'the year: the scheduling script, its handlers, the bulletin and the digest',
  'workflows/shared':
    'domain modules both sides import: plan, clock and calendar, checklist, statistics, text, documents',
  'workflows/visit': 'the county visit: its phase script, handlers, ladder, letters and steps',
  activities: 'all I/O, built by factories over injected dependencies',
  'activities/documents': 'letters: Handlebars templates to GB/T 9704 PDFs',
  'activities/email': 'mail delivery (nodemailer) and the sent-log',
  'activities/evidence': 'the content-addressed evidence store, its pins and sweep',
  'activities/stats': 'the statistics import: tables read, checked, draft findings',
  'activities/storage': 'object storage behind one interface: local disk or S3-compatible',
  client: 'the guidance CLI, npm start, the HTTP API and dashboard, the demo and practice year',
  'client/commands': 'one module per CLI command',
  'client/dashboard': "the dashboard's source, built into client/http/public",
  'client/http': 'the HTTP API (fastify) that serves the dashboard',
  'client/simulation': 'the simulated people of the demo and the benchmarks',
  config: 'the environment parsed once, the Temporal connection (below activities/)',
  worker: 'the worker process, the embedded dev server, search attributes, the tools’ paths',
  'worker/cluster':
    'a self-hosted Temporal cluster on PostgreSQL for npm run cluster and test:cluster (docs/cluster.md)',
  templates: 'Handlebars document templates and wording.yaml (data, not code)',
  scripts: 'set-up, the workflow bundle, the replay corpus recorder, this tree (the product never imports it)',
  tools: 'the time-skipping test server’s Maven project',
  test: 'vitest suites (testing.md)',
  bench: 'benchmarks; results in bench/RESULTS.md',
  docs: 'these documents',
  examples: 'the example plan, users, statistics tables and documents',
};

function folders(rel: string): string[] {
  return readdirSync(path.join(ROOT, rel), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => (rel ? `${rel}/${e.name}` : e.name))
    .filter((f) => !SKIP.has(f))
    .sort();
}

/** The tree as lines; throws naming every folder without a purpose. */
export function layoutTree(): string {
  const shown = folders('').flatMap((top) => [top, ...(CODE.includes(top) ? folders(top) : [])]);
  const missing = shown.filter((f) => !PURPOSES[f]);
  if (missing.length) throw new Error(`scripts/layout-tree.ts: add a purpose for ${missing.join(', ')}`);
  const order = Object.keys(PURPOSES);
  shown.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const width = Math.max(...shown.map((f) => f.length)) + 2;
  return shown
    .map((f) => {
      const name = `${f.includes('/') ? '  ' : ''}${path.basename(f)}/`;
      return `${name.padEnd(width)}${PURPOSES[f]}`;
    })
    .join('\n');
}

/** The tree as docs/architecture.md shows it now (between the markers). */
export function documentedTree(doc = readFileSync(DOC, 'utf8')): string | undefined {
  const m = new RegExp(`${escape(START)}\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\`\\n${escape(END)}`).exec(doc);
  return m?.[1];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

if (require.main === module) {
  const tree = layoutTree();
  if (process.argv.includes('--write')) {
    const doc = readFileSync(DOC, 'utf8');
    if (!doc.includes(START) || !doc.includes(END))
      throw new Error('docs/architecture.md: the layout-tree markers are missing');
    const block = `${START}\n\`\`\`text\n${tree}\n\`\`\`\n${END}`;
    writeFileSync(
      DOC,
      doc.replace(new RegExp(`${escape(START)}[\\s\\S]*?${escape(END)}`), () => block),
    );
  } else console.log(tree);
}
