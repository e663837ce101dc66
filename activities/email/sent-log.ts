/**
 * The sent-log (发送记录): one JSON file per message copy, named by its key, written atomically
 * (temp file, fsync, rename, fsync of the directory), so a record is either the old one or the new
 * one, never half of each, and survives a kill -9 or a power cut once `write` has returned.
 *
 * States: `intent` (about to hand the copy to the server), `accepted` (the server said 2xx),
 * `failed` (a transient failure; will be retried), `rejected` (a permanent failure).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MailTransportKind } from '../../workflows/shared/email';
import { writeFileDurable } from '../durable';

export const SentLogRecordSchema = z.object({
  version: z.literal(1),
  key: z.string(),
  messageId: z.string(),
  workflowId: z.string(),
  step: z.string(),
  recipient: z.string(),
  state: z.enum(['intent', 'accepted', 'failed', 'rejected']),
  transport: MailTransportKind,
  attempts: z.number().int(),
  /** The Date header, fixed at the first attempt so a re-sent copy is byte-identical. */
  date: z.string(),
  firstAttemptAt: z.string(),
  lastAttemptAt: z.string(),
  acceptedAt: z.string().optional(),
  response: z.string().optional(),
  accepted: z.array(z.string()).optional(),
  rejected: z.array(z.string()).optional(),
  lastError: z
    .object({
      message: z.string(),
      code: z.string().optional(),
      responseCode: z.number().optional(),
      command: z.string().optional(),
    })
    .optional(),
  /**
   * The connection broke after the whole message had been handed to the server and before its
   * reply (RFC 1047): the server may have accepted it.
   */
  ambiguous: z.boolean().optional(),
  /** Set on the accepted record when an earlier attempt may already have delivered a copy. */
  possibleDuplicate: z.boolean().optional(),
});
export type SentLogRecord = z.infer<typeof SentLogRecordSchema>;

/** Thrown when a record on disk cannot be read back; the caller maps it to IntegrityError. */
export class SentLogCorrupt extends Error {
  override name = 'SentLogCorrupt';
}

/**
 * Where the sent-log lives: this directory (SentLog, one host) or a shared database
 * (PgSentLog in sent-log-pg.ts, several hosts). The mail activity's protocol is the same on both.
 */
export interface SentLogStore {
  /** The record for `key`, or undefined when this copy was never attempted; SentLogCorrupt if unreadable. */
  read(key: string): Promise<SentLogRecord | undefined>;
  /** Replaces the record atomically and durably. */
  write(record: SentLogRecord): Promise<void>;
  /** Runs `fn` with no other attempt on the same copy running (here: in this process; shared: anywhere). */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Every readable record of one workflow's mail (the programme archive's deliveries.json). */
  listWorkflow(workflowId: string): Promise<SentLogRecord[]>;
}

// Serialises attempts on one copy inside this process (two activity attempts can overlap when a
// start-to-close timeout fires while the first is still running). Module-level so two factories
// over the same directory share it.
const locks = new Map<string, Promise<void>>();

export class SentLog implements SentLogStore {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`bad sent-log key ${key}`);
    return path.join(this.dir, `${key}.json`);
  }

  /** The record for `key`, or undefined when this copy was never attempted. */
  async read(key: string): Promise<SentLogRecord | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SentLogCorrupt(`发送记录损坏（不是 JSON）：${key}.json`);
    }
    const parsed = SentLogRecordSchema.safeParse(json);
    if (!parsed.success) throw new SentLogCorrupt(`发送记录损坏（字段不符）：${key}.json`);
    return parsed.data;
  }

  /** Replaces the record atomically and durably. */
  async write(record: SentLogRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileDurable(this.file(record.key), `${JSON.stringify(record, null, 2)}\n`);
  }

  async listWorkflow(workflowId: string): Promise<SentLogRecord[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const out: SentLogRecord[] = [];
    for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
      const parsed = SentLogRecordSchema.safeParse(
        await fs.readFile(path.join(this.dir, name), 'utf8').then(JSON.parse, () => undefined),
      );
      if (parsed.success && parsed.data.workflowId === workflowId) out.push(parsed.data);
    }
    return out;
  }

  /** Runs `fn` with no other attempt on the same copy running in this process. */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const id = `${path.resolve(this.dir)}\0${key}`;
    const before = locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    locks.set(id, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(id) === tail) locks.delete(id);
    }
  }
}
