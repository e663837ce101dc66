/**
 * The mail activity fills the plan's mail texts itself (issue 25, patch `text-in-mail`): no
 * `fillText` round trip before a letter's mail, the same words at the county's mailbox and in the
 * delivery record, and a text that cannot be filled is still an incident at step `text:<step>`
 * with nothing sent. On the time-skipping server with a loopback SMTP server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillTextSync } from '../activities/wording';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;

const EventType = temporal.api.enums.v1.EventType;

describe('mail texts filled by the mail activity (time-skipping, loopback SMTP)', () => {
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    sink = await startSmtpSink();
    const queue = uniqueQueue('text-in-mail');
    worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
    running = worker.run();
    d = new VisitDriver(env, queue);
  });
  afterEach(async () => {
    worker.shutdown();
    await running;
    await sink.close();
    await env.teardown();
  });

  it('the notice goes out without a fillText activity, with the filled words in the mail and the record', async () => {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year);
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    const s = await d.waitFor(h, (c) => c.notice?.delivery !== undefined, 'the notice mailed');

    const county = plan.counties[0]!;
    const expected = fillTextSync({
      template: plan.wording.mail.notice,
      data: { county: county.bureauName, countyName: county.name, docNumber: s.notice!.docNumber, visitDate: date },
    });
    expect(s.notice!.delivery!.status).toBe('delivered');
    expect(s.notice!.delivery!.subject).toBe(expected.subject);
    const mails = await Promise.all(sink.messages.map((m) => simpleParser(m.raw)));
    const notice = mails.filter((m) => m.subject === expected.subject);
    expect(notice.length).toBe(county.emails.length);
    for (const p of expected.paragraphs) expect(notice[0]!.text).toContain(p.slice(0, 20));

    const history = await h.fetchHistory();
    const scheduled = history
      .events!.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      .map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
    expect(scheduled).toContain('sendLetter');
    expect(scheduled).not.toContain('fillText');
  });

  it('a text that cannot be filled stops the mail as an incident at its text step, and nothing is sent', async () => {
    const { year, date } = await d.visitDate();
    // Loads (the template compiles), fails when filled: `date` of a name.
    const plan = d.planFor(year, (raw) => {
      raw.wording = { mail: { notice: { subject: '{{date county}} 执法指导通知', body: '{{county}}：请做好准备。' } } };
    });
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    const s = await d.waitFor(h, (c) => c.incidents.length === 1, 'the incident');
    expect(s.incidents[0]).toMatchObject({
      step: 'text:notice',
      what: '填写邮件正文',
      error: { type: 'TemplateError' },
    });
    expect(s.notice?.delivery).toBeUndefined();
    const county = plan.counties[0]!;
    const toCounty = sink.messages.filter((m) => m.rcptTo.some((r) => county.emails.includes(r)));
    expect(await Promise.all(toCounty.map(async (m) => (await simpleParser(m.raw)).subject))).toEqual([]);
    expect((await h.describe()).status.name).toBe('RUNNING');
  });
});
