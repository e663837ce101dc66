/**
 * `npm run bench:memory`: what an open visit costs the worker in memory. 330 visit workflows (30
 * bureaus × 11 counties) are started on the project's dev server, each waiting for its notice day
 * months ahead on the real clock (the state every visit is in for most of its life), in three steps
 * of 110, against one worker process (`worker/index.ts`). After each step, once the worker has gone
 * quiet, its resident set (VmRSS) is read; the slope is the RSS per cached workflow. Run once with
 * every workflow cached, once with the worker's default cache size, so the figure shows both what a
 * cached workflow costs and what the default bounds. Records "Memory (dev server)" in bench/RESULTS.md.
 *
 *   npm run bench:memory [-- --cached 100000,150]
 */
import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/env';
import { writeWorkflowBundle } from '../scripts/bundle-workflows';
import { visitWorkflowId } from '../workflows/contracts/common';
import type { VisitInput } from '../workflows/contracts/visit';
import { createDevServerEnv } from '../test/helpers/temporal';
import { plan11, plan11Yaml } from './lib/plans';
import { children, cpuOf, memOf, runBench, startWorker, WORKER_NODE_ARGS } from './lib/procs';
import { loadAverage, machine, recordSection } from './lib/report';

const HEADING = '## Memory (dev server)';
const BUREAUS = 30;
const STEP = 110;
const DEFAULT_CACHE = loadConfig({}).worker.maxCachedWorkflows;
const i = process.argv.indexOf('--cached');
const CACHES = (i >= 0 ? process.argv[i + 1]! : `100000,${DEFAULT_CACHE}`).split(',').map(Number);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the process has used less than 2 % of a core over two seconds. */
async function quiet(pid: number): Promise<void> {
  for (let n = 0; n < 120; n++) {
    const a = cpuOf(pid);
    await sleep(2000);
    if (cpuOf(pid) - a < 0.04) return;
  }
}

interface Run {
  cache: number;
  rss: number[];
  hwm: number;
}

async function measure(
  client: Client,
  address: string,
  root: string,
  bundle: string,
  cache: number,
  year: number,
): Promise<Run> {
  const tag = `m${cache}${Math.random().toString(36).slice(2, 6)}`;
  const taskQueue = `bench-memory-${tag}`;
  const planFile = path.join(root, `plan-${tag}.yaml`);
  fs.writeFileSync(planFile, plan11Yaml(year, tag));
  const worker = await startWorker(
    'worker/index.ts',
    {
      TEMPORAL_ADDRESS: address,
      GUIDANCE_TASK_QUEUE: taskQueue,
      GUIDANCE_PLAN: planFile,
      GUIDANCE_DATA_DIR: path.join(root, tag),
      GUIDANCE_OUTBOX_DIR: path.join(root, tag, 'outbox'),
      GUIDANCE_SENT_LOG_DIR: path.join(root, tag, 'sent-log'),
      GUIDANCE_WORKER_CACHED_WORKFLOWS: String(cache),
      // As in production (docs/operations.md): the worker loads a prebuilt bundle, no webpack.
      GUIDANCE_WORKFLOW_BUNDLE: bundle,
    },
    path.join(root, `worker-${tag}.log`),
  );
  const pid = worker.child.pid!;
  const inputs: VisitInput[] = [];
  for (let b = 0; b < BUREAUS; b++) {
    const plan = plan11(year, `${tag}b${b}`);
    plan.counties.forEach((county, k) => {
      // A visit date months ahead: the visit sleeps until its notice, as most visits do most days.
      const date = `${year}-${String(k + 1).padStart(2, '0')}-15`;
      inputs.push({
        programmeWorkflowId: `programme-${plan.bureau.code}`,
        plan: { ...plan, counties: [county] },
        county,
        date,
        visibility: true,
      });
    });
  }
  await quiet(pid);
  const rss = [memOf(pid)!.rss];
  for (let s = 0; s < inputs.length; s += STEP) {
    await Promise.all(
      inputs.slice(s, s + STEP).map((input) =>
        client.workflow.start('countyVisitWorkflow', {
          taskQueue,
          workflowId: visitWorkflowId(year, input.plan.bureau.code, input.county.code),
          args: [input],
        }),
      ),
    );
    await sleep(3000);
    await quiet(pid);
    rss.push(memOf(pid)!.rss);
    process.stderr.write(
      `[bench:memory] cache ${cache}: ${s + STEP} visits open, worker RSS ${rss.at(-1)!.toFixed(0)} MiB\n`,
    );
  }
  await worker.stop();
  return { cache, rss, hwm: worker.peak.hwm };
}

async function main() {
  const loadBefore = loadAverage();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const env = await createDevServerEnv();
  try {
    const year = new Date().getFullYear() + 1;
    const bundle = path.join(root, 'workflow-bundle.js');
    await writeWorkflowBundle(bundle);
    const runs: Run[] = [];
    for (const cache of CACHES)
      runs.push(await measure(env.client, env.address, root, bundle, cache, year + runs.length));
    const rows = runs.map((r) => {
      const slope = (r.rss.at(-1)! - r.rss[0]!) / (STEP * (r.rss.length - 1));
      return `| ${r.cache >= 100000 ? 'all (no bound)' : r.cache} | ${r.rss.map((x) => x.toFixed(0)).join(' → ')} | ${(slope * 1024).toFixed(0)} KiB | ${r.hwm.toFixed(0)} MiB |`;
    });
    const section = `${HEADING}

${BUREAUS * 11} visit workflows (${BUREAUS} bureaus × 11 counties) started in steps of ${STEP} on the project's dev
server against one worker process (\`node ${WORKER_NODE_ARGS} -r tsx/cjs worker/index.ts\`, the heap limit of \`npm run worker\`, loading a
prebuilt workflow bundle as in production), each waiting on the real clock
for its notice day months ahead. After each step, once the worker used under 2 % of a core for two
seconds, its VmRSS was read. The worker's cache bound is \`GUIDANCE_WORKER_CACHED_WORKFLOWS\`.

Command: \`npm run bench:memory\`

Machine: ${machine()}. Load average before the run ${loadBefore}. Run on ${new Date().toISOString().slice(0, 10)}.

| cached workflows (bound) | worker RSS at 0 → ${STEP} → ${STEP * 2} → ${STEP * 3} open visits (MiB) | RSS per added visit | peak RSS |
|---|---|---:|---:|
${rows.join('\n')}
`;
    process.stdout.write(`${section}\n`);
    recordSection(HEADING, section);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env.teardown().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runBench(main);
