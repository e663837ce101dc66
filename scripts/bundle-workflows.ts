/**
 * `npm run bundle -- <file>`: bundles the workflow code once, for production workers
 * (`GUIDANCE_WORKFLOW_BUNDLE=<file>`). A worker given a bundle skips webpack at start, which also
 * keeps webpack's few hundred MiB out of the worker's peak memory (docs/performance.md).
 */
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';

/** Writes the bundle to `file` and returns its size in bytes. */
export async function writeWorkflowBundle(file: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: {
      log: () => {},
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (m: string) => process.stderr.write(`${m}\n`),
    } satisfies Logger,
  });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, code);
  return Buffer.byteLength(code);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('用法：npm run bundle -- <输出文件>\n');
    process.exit(2);
  }
  writeWorkflowBundle(file).then(
    (bytes) => process.stdout.write(`${file}（${(bytes / 1024).toFixed(0)} KB）\n`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
