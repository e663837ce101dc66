/**
 * Receipt of letters (签收) on the time-skipping server with a loopback SMTP server: each letter
 * to the county opens a receipt and carries a signed link; an acknowledgement is recorded once
 * (who, when, how) and yields a 送达回证 PDF that joins the archive; a receipt still open after the
 * plan's working days gets one reminder and shows on the supervisors' inbox (the `todo` Query).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyArchive } from '../activities/archive';
import { checkReceiptToken } from '../activities/email/receipt-link';
import { addDays } from '../workflows/shared/clock';
import type { Actor } from '../workflows/contracts/common';
import { formatDateZh } from '../workflows/shared/documents';
import { acknowledgeUpdate } from '../workflows/contracts/receipts';
import { todoQuery } from '../workflows/shared/todo';
import { type VisitCase } from '../workflows/contracts/visit';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, refusal, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

const KEY = randomBytes(32);
let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;

beforeEach(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  const queue = uniqueQueue('receipts');
  const deps = testActivityDeps(env, queue, testDirs(), sink.port);
  worker = await createTestWorker(env, queue, {
    ...deps,
    email: { ...deps.email, receiptLinks: { baseUrl: 'https://zhidao.example.cn/', key: KEY } },
  });
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterEach(async () => {
  worker.shutdown();
  await running;
  await sink.close();
  await env.teardown();
});

const countyActor = (code: string): Actor => ({ id: `${code}-user`, role: 'county', county: code });

/** Text bodies of the mails to `address` whose subject matches. */
async function mailsTo(address: string, subject: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const m of sink.messages) {
    if (!m.rcptTo.includes(address)) continue;
    const p = await simpleParser(m.raw);
    if (subject.test(p.subject ?? '')) out.push(p.text ?? '');
  }
  return out;
}

describe('receipts (time-skipping, loopback SMTP)', () => {
  it('links, one acknowledgement each, 送达回证 in the archive, a reminder and the inbox for what stays open', async () => {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year);
    const county = plan.counties[0]!;
    const other = plan.counties[1]!;
    const { h, s } = await d.toRectification(plan, 0, date);

    // The notice (R1) and the opinion letter (R2) each opened a receipt.
    expect(s.receipts!.map((r) => [r.id, r.kind, r.docNumber])).toEqual([
      ['R1', 'notice', s.notice!.docNumber],
      ['R2', 'opinion', s.letter!.docNumber],
    ]);
    // The opinion letter's email carries R2's signed link, good until the plan's 30 days after sending.
    const [opinionMail] = await mailsTo(county.emails[0]!, /意见书/);
    const token = /receipt\.html#([A-Za-z0-9_.-]+)/.exec(opinionMail!)?.[1];
    expect(token).toBeDefined();
    const check = checkReceiptToken(KEY, token!, s.letter!.issueDate);
    expect(check).toEqual({
      ok: true,
      ref: { caseId: s.caseId, receipt: 'R2', expires: addDays(s.receipts![1]!.sentAt, 30) },
    });
    expect(checkReceiptToken(randomBytes(32), token!, s.letter!.issueDate)).toMatchObject({
      ok: false,
      reason: 'signature',
    });
    expect(checkReceiptToken(KEY, token!, addDays(s.receipts![1]!.sentAt, 31))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    // One deadline (issue 22): the mail asks for the receipt by the case's 签收期限, the date the
    // case shows and the reminder counts from — not the link's last valid day.
    const flat = (text: string) => text.replace(/\s+/g, '');
    expect(flat(opinionMail!)).toContain(`请于${formatDateZh(s.receipts![1]!.dueBy)}前点击以下链接签收本文书`);
    expect(flat(opinionMail!).match(/请于[^：]*签收本文书[^：]*：/)?.[0]).not.toContain(
      formatDateZh(s.receipts![1]!.linkExpires),
    );

    // The notice went out before the visit; by the visit day its receipt was overdue and reminded once.
    expect(s.receipts![0]!.reminded).toBeDefined();
    const [reminderMail] = await mailsTo(county.emails[0]!, /签收提醒/);
    expect(await mailsTo(county.emails[0]!, /签收提醒/)).toHaveLength(1);
    // The reminder names the deadline that passed and asks for no date still to come.
    expect(flat(reminderMail!)).toContain(`本文书应于${formatDateZh(s.receipts![0]!.dueBy)}前签收，现已逾期`);
    expect(flat(reminderMail!)).not.toMatch(/请于\d{4}年\d{1,2}月\d{1,2}日前点击/);
    const supervisorTodo = (await h.query(todoQuery)).filter((i) => i.role === 'supervisor');
    expect(supervisorTodo).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'receiptOverdue', ref: 'R1' })]),
    );

    // Only the county itself (or staff, recorded as 代签 on the CLI) may acknowledge, once.
    const before = await d.state(h);
    expect(
      await refusal(
        h.executeUpdate(acknowledgeUpdate, {
          args: [{ actor: countyActor(other.code), receipt: 'R1', signer: '王五', via: 'portal' }],
        }),
      ),
    ).toMatchObject({ type: 'Forbidden' });
    expect(
      await refusal(
        h.executeUpdate(acknowledgeUpdate, {
          args: [{ actor: countyActor(county.code), receipt: 'R9', signer: '王五', via: 'portal' }],
        }),
      ),
    ).toMatchObject({ message: expect.stringContaining('R9') });
    await h.executeUpdate(acknowledgeUpdate, {
      args: [{ actor: countyActor(county.code), receipt: 'R1', signer: '张  三\n', via: 'portal' }],
    });
    const again = await refusal(
      h.executeUpdate(acknowledgeUpdate, {
        args: [{ actor: countyActor(county.code), receipt: 'R1', signer: '李四', via: 'link' }],
      }),
    );
    expect(again.message).toContain('不能重复签收');
    const acked = await d.waitFor(h, (x) => x.receipts![0]!.certificate !== undefined, 'the 送达回证 of R1');
    expect(acked.receipts![0]!.acknowledged).toMatchObject({
      signer: '张  三',
      via: 'portal',
      by: `${county.code}-user`,
    });
    expect(acked.receipts![1]!.acknowledged).toBeUndefined();
    expect(acked.audit.length).toBeGreaterThan(before.audit.length);
    const text = execFileSync('pdftotext', ['-layout', acked.receipts![0]!.certificate!.path, '-'], {
      encoding: 'utf8',
    });
    expect(text).toContain('送达回证');
    expect(text.replace(/\s+/g, '')).toContain('张三');
    expect(text.replace(/\s+/g, '')).toContain(s.notice!.docNumber);

    // R2 left open past its working days: one reminder, and the supervisors' inbox shows it.
    await d.skipTo(addDays(s.receipts![1]!.dueBy, 1), 12);
    await d.waitFor(h, (x) => x.receipts![1]!.reminded !== undefined, 'the reminder of R2');
    expect(await mailsTo(county.emails[0]!, /签收提醒/)).toHaveLength(2);
    const todo = await h.query(todoQuery);
    expect(todo).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'receiptOverdue', role: 'supervisor', ref: 'R2' }),
        expect.objectContaining({ kind: 'acknowledge', role: 'county', ref: 'R2' }),
        expect.objectContaining({ kind: 'report', role: 'county' }),
      ]),
    );
    expect(todo.some((i) => i.ref === 'R1')).toBe(false);

    // Through the link this time; then the report, its acceptance, the close.
    await h.executeUpdate(acknowledgeUpdate, {
      args: [{ actor: countyActor(county.code), receipt: 'R2', signer: '李四', via: 'link' }],
    });
    const now = await d.state(h);
    await h.executeUpdate(submitReportUpdate, {
      args: [
        {
          actor: countyActor(county.code),
          files: [{ sha256: 'a'.repeat(64), size: 10, mediaType: 'application/pdf', filename: '报告.pdf' }],
          items: now.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
        },
      ],
    });
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    const closed = (await h.result()) as VisitCase;
    expect(closed.stage).toBe('closed');
    expect(closed.receipts!.map((r) => r.acknowledged?.via)).toEqual(['portal', 'link']);
    const dir = closed.rectification!.archive!.dir;
    const pdfs = (await fs.readdir(dir)).filter((f) => f.includes('receipt'));
    expect(pdfs).toHaveLength(2);
    expect(await verifyArchive(dir)).toMatchObject({ ok: true });
    // A closed case takes no acknowledgement (its workflow has completed).
    await expect(
      h.executeUpdate(acknowledgeUpdate, {
        args: [{ actor: countyActor(county.code), receipt: 'R2', signer: '李四', via: 'portal' }],
      }),
    ).rejects.toThrow();
  });
});
