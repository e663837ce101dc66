/**
 * The year cannot wedge (issue "a case never dies", point 4), on the time-skipping server: a
 * bulletin whose template breaks on disk becomes a programme incident while the next visit still
 * starts on its date; a digest with no recipient is skipped and recorded; an administrator retries
 * after the fix and the bulletin goes out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProgramme } from '../client/programme';
import { scheduleQuery } from '../workflows/contracts/programme';
import { retryUpdate } from '../workflows/contracts/incidents';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver, firstMonday, templatesCopy } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  queue = uniqueQueue('prog-incident');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

describe('programme incidents (time-skipping)', () => {
  it('a broken bulletin template is an incident, visits keep starting, a digest without recipients is skipped; retry sends the bulletin', async () => {
    const d = new VisitDriver(env, queue);
    const year = await d.nextYear();
    const templates = templatesCopy();
    const plan = d.planFor(year, (raw) => {
      raw.templatesDir = templates;
      raw.counties = raw.counties.slice(0, 2);
      raw.counties[0].date = firstMonday(year, 2);
      raw.counties[1].date = firstMonday(year, 4);
      // Nobody of the group has an email address: the weekly digest has no recipient.
      raw.supervisors = raw.supervisors.map(({ email: _email, ...s }: Record<string, unknown>) => s);
    });
    const programme = await startProgramme(env.client, plan, {
      taskQueue: queue,
      visibility: false,
      mailRetry: FAST_MAIL,
    });

    // The first county's visit goes to rectification, so there are open problems to digest.
    await d.skipTo(plan.counties[0]!.date!);
    const h = env.client.workflow.getHandle(`visit-${plan.year}-${plan.bureau.code}-${plan.counties[0]!.code}`);
    await d.waitForStage(h, 'onsite');
    const bulletin = path.join(templates, 'bulletin.hbs');
    const good = readFileSync(bulletin, 'utf8');
    writeFileSync(bulletin, good.replace('{{periodLabel}}', '{{#each}}')); // a typo on disk, mid-year
    await d.fillAndSubmit(h);
    await d.approve(h);
    await d.waitForStage(h, 'rectification');

    // March: the bulletin's render fails for good → a programme incident; the year goes on.
    await d.skipTo(`${year}-03-20`);
    let state = await programme.query(scheduleQuery);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({
      step: `${`bulletin-${year}-03`}:render`,
      error: { type: 'TemplateError' },
    });
    expect(state.bulletins).toEqual([]);
    expect(state.digests.length).toBeGreaterThan(0);
    expect(state.digests.every((x) => x.skipped)).toBe(true);
    expect(state.audit.map((a) => a.action)).toContain('digestSkipped');

    // April: the second visit starts on its notice day although the incident is still open.
    await d.skipTo(plan.counties[1]!.date!);
    state = await programme.query(scheduleQuery);
    expect(state.entries.find((e) => e.county === plan.counties[1]!.code)?.status).toBe('started');
    expect(state.incidents[0]!.retriedAt).toBeUndefined();

    // The administrator fixes the file and retries: the March bulletin goes out, numbered.
    writeFileSync(bulletin, good);
    await programme.executeUpdate(retryUpdate, {
      args: [{ actor: { id: 'admin', role: 'admin' }, note: '通报模板已修正' }],
    });
    for (let i = 0; i < 100 && (await programme.query(scheduleQuery)).bulletins.length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    state = await programme.query(scheduleQuery);
    expect(state.bulletins.map((b) => b.month)).toContain(`${year}-03`);
    expect(state.bulletins[0]!.docNumber).toMatch(/〔\d{4}〕1号$/);
  });
});
