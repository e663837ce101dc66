/**
 * Files an operator hands the CLI for an Update (evidence, a rectification report): put into the
 * content-addressed evidence store (`evidence/` of the configured object store: `<data>/evidence` on
 * this host, or the cluster's bucket), each pinned for its case exactly as an
 * HTTP upload is (client/http/uploads.ts), so the pins are settled by the Update's outcome
 * (client/visit.ts) and a refused file is released rather than left for the sweep.
 */
import path from 'node:path';
import { EvidenceError, EvidenceStore } from '../../activities/evidence/store';
import { storeFromConfig } from '../../activities/storage';
import { config } from '../../config/env';
import { cleanFilename, releaseFiles, type UploadedFile } from '../http/uploads';
import { EXIT, UserError } from '../programme';

/** The store the workers and the HTTP API share: in the object store the configuration names (GUIDANCE_STORAGE). */
export function evidenceStore(): EvidenceStore {
  return new EvidenceStore({ objects: storeFromConfig(config()) });
}

/**
 * Stores each file pinned for `caseId`. A file the store refuses (absent, empty, too large, a type
 * it does not take) releases every pin this call took and is a bad input (exit 2).
 */
export async function storeFiles(
  store: EvidenceStore,
  paths: readonly string[],
  caseId: string,
): Promise<UploadedFile[]> {
  const files: UploadedFile[] = [];
  try {
    for (const p of paths) {
      const filename = cleanFilename(path.basename(p));
      const stored = await store.put({ path: p }, filename, { pin: { caseId } });
      files.push({ ...stored, filename });
    }
    return files;
  } catch (err) {
    await releaseFiles(store, files);
    if (err instanceof EvidenceError) throw new UserError(err.message, EXIT.badInput, err.code);
    throw err;
  }
}
