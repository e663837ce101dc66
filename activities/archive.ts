/**
 * The case archive (归档备查): when a case closes, its folder holds every PDF (already written there
 * by the renderer), the evidence manifest, the delivery records, the audit log, the whole case
 * record, and MANIFEST.sha256 over all of it. `verifyArchive` checks a folder against its manifest.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/shared/errors';
import type { VisitCase } from '../workflows/shared/visit';

export const MANIFEST = 'MANIFEST.sha256';
const SAFE = /^[A-Za-z0-9._-]+$/;

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Writes `data` as pretty JSON, atomically (temp + rename), so a crash never leaves half a file. */
async function writeJson(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await fs.rename(tmp, file);
}

/** Every delivery record of a case, in the order the letters went out. */
function deliveries(c: VisitCase): unknown[] {
  const out: unknown[] = [];
  if (c.notice?.delivery) out.push(c.notice.delivery);
  if (c.letter?.delivery) out.push(c.letter.delivery);
  for (const r of c.rectification?.reminders ?? []) if (r.delivery) out.push(r.delivery);
  for (const e of c.rectification?.escalations ?? []) if (e.delivery) out.push(e.delivery);
  for (const r of c.rectification?.reports ?? []) if (r.review?.letter?.delivery) out.push(r.review.letter.delivery);
  return out;
}

export interface ArchiveResult {
  dir: string;
  manifestSha256: string;
  files: number;
}

export interface VerifyResult {
  caseId: string;
  ok: boolean;
  changed: string[];
  missing: string[];
  /** Files in the folder that the manifest does not list. */
  unlisted: string[];
}

export function createArchiveActivities(deps: { archiveDir: string }) {
  return {
    /** Writes the case's records and its manifest; idempotent (a retry rewrites the same files). */
    async archiveCase({ caseId, state }: { caseId: string; state: VisitCase }): Promise<ArchiveResult> {
      if (!SAFE.test(caseId)) throw ApplicationFailure.nonRetryable(`案件编号不正确：${caseId}`, FailureType.InvalidInput);
      const dir = path.join(deps.archiveDir, caseId);
      await fs.mkdir(dir, { recursive: true });
      await writeJson(path.join(dir, 'case.json'), state);
      await writeJson(path.join(dir, 'audit-log.json'), state.audit);
      await writeJson(path.join(dir, 'evidence-manifest.json'), {
        evidence: state.evidence,
        rectificationReports: (state.rectification?.reports ?? []).map((r) => ({ no: r.no, date: r.date, by: r.by, files: r.files })),
      });
      await writeJson(path.join(dir, 'deliveries.json'), deliveries(state));
      const names = (await fs.readdir(dir)).filter((f) => f !== MANIFEST && !f.includes('.tmp-')).sort();
      const lines: string[] = [];
      for (const name of names) lines.push(`${await sha256File(path.join(dir, name))}  ${name}`);
      const text = `${lines.join('\n')}\n`;
      await fs.writeFile(path.join(dir, MANIFEST), text);
      return { dir, manifestSha256: createHash('sha256').update(text).digest('hex'), files: names.length };
    },
  };
}

/** Checks one case folder against its manifest; names every file that changed or went missing. */
export async function verifyArchive(dir: string): Promise<VerifyResult> {
  const caseId = path.basename(dir);
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST), 'utf8');
  } catch {
    return { caseId, ok: false, changed: [], missing: [MANIFEST], unlisted: [] };
  }
  const listed = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) listed.set(m[2]!, m[1]!);
  }
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [name, hash] of listed) {
    const file = path.join(dir, name);
    try {
      if ((await sha256File(file)) !== hash) changed.push(name);
    } catch {
      missing.push(name);
    }
  }
  const present = (await fs.readdir(dir)).filter((f) => f !== MANIFEST);
  const unlisted = present.filter((f) => !listed.has(f));
  return { caseId, ok: changed.length === 0 && missing.length === 0, changed, missing, unlisted };
}
