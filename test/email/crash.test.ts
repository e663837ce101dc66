/**
 * A worker killed with SIGKILL around the moment the SMTP server accepted a copy, then restarted
 * (a fresh activity instance over the same sent-log directory), as Temporal's retry would run it.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailActivities, type EmailDeps } from '../../activities/email';
import type { SendLetterInput } from '../../workflows/shared/email';
import {
  BUREAU,
  COUNTY,
  ISSUE_FILENAME,
  LEADER,
  makePdf,
  sha256,
  startSmtpSink,
  tempDir,
  type SmtpSink,
} from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(__dirname, 'fixtures', 'send-and-die.ts');

let dir: string;
let s: SmtpSink;
let input: SendLetterInput;
let deps: EmailDeps;
let pdfSha: string;

beforeEach(async () => {
  dir = await tempDir('email-crash');
  s = await startSmtpSink();
  const pdf = await makePdf(dir);
  pdfSha = pdf.sha256;
  deps = {
    outboxDir: path.join(dir, 'outbox'),
    sentLogDir: path.join(dir, 'sent-log'),
  };
  input = {
    workflowId: 'visit-2027-heluo-xiangshan',
    step: 'letter',
    recipient: COUNTY.address,
    to: [COUNTY],
    cc: [LEADER],
    content: {
      subject: '漯应急指导〔2022〕3号 安全生产执法指导意见书',
      paragraphs: ['香山县应急管理局：', '请查收附件。'],
    },
    attachments: [{ path: pdf.path, sha256: pdf.sha256, filename: ISSUE_FILENAME }],
    sender: BUREAU,
    smtp: { host: '127.0.0.1', port: s.port, security: 'none' },
  };
});
afterEach(async () => {
  await s.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function runChild(
  dieAt: 'afterAccepted' | 'afterRecorded',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` runs the script in this very process, so the SIGKILL is seen here (the
    // tsx CLI would wrap it in a second process and report an exit code instead).
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ deps, input, dieAt })], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('kill -9 around acceptance', () => {
  it('killed after the sent-log write: the restarted worker sends no second copy', async () => {
    const child = await runChild('afterRecorded');
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(s.messages).toHaveLength(1);

    const retry = await createEmailActivities(deps).sendLetter(input);
    expect(retry).toMatchObject({ deduplicated: true, possibleDuplicate: false, attempts: 1 });
    expect(s.messages).toHaveLength(1);
    const p = await simpleParser(s.messages[0]!.raw);
    expect(p.messageId).toBe(retry.messageId);
    expect(p.attachments[0]!.filename).toBe(ISSUE_FILENAME);
    expect(sha256(p.attachments[0]!.content)).toBe(pdfSha);
  });

  it('killed between the 250 and the sent-log write (the residual window): one identical resend, flagged', async () => {
    const child = await runChild('afterAccepted');
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(s.messages).toHaveLength(1);

    const retry = await createEmailActivities(deps).sendLetter(input);
    expect(retry).toMatchObject({ deduplicated: false, possibleDuplicate: true, attempts: 2 });
    expect(s.messages).toHaveLength(2);
    expect(s.messages[1]!.raw.equals(s.messages[0]!.raw)).toBe(true); // same Message-ID, Date, bytes
    // A third attempt finds the accepted record.
    expect((await createEmailActivities(deps).sendLetter(input)).deduplicated).toBe(true);
    expect(s.messages).toHaveLength(2);
  });
});
