/**
 * The embedded default's retention: the CLI dev server creates its namespace keeping a closed
 * workflow 24 hours; `ensureDevServer` (what `npm start` runs) sets it to GUIDANCE_RETENTION_DAYS
 * on every start, also when it finds a server already listening.
 */
import { Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TemporalConfig } from '../config/temporal';
import { ensureDevServer } from '../worker/service';

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function retentionOf(address: string, namespace: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const d = await connection.workflowService.describeNamespace({ namespace });
    return Number(d.config!.workflowExecutionRetentionTtl!.seconds!.toString()) / 86_400;
  } finally {
    await connection.close();
  }
}

describe('the embedded dev server keeps closed workflows as long as configured', () => {
  it('sets the retention at start, and again when it finds the server already running', async () => {
    const port = await freePort();
    const config: TemporalConfig = {
      external: false,
      connection: { address: `127.0.0.1:${port}` },
      namespace: 'default',
      taskQueue: 'guidance',
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'retention-')),
      devServerPort: port,
      uiPort: await freePort(),
    };
    const service = await ensureDevServer(config, { retentionDays: 400 });
    try {
      expect(await retentionOf(config.connection.address!, 'default')).toBe(400);
      // Another start (a second `npm start`, a restarted worker) with another setting: applied to the running server.
      const again = await ensureDevServer(config, { retentionDays: 730 });
      await again.stop();
      expect(await retentionOf(config.connection.address!, 'default')).toBe(730);
    } finally {
      await service.stop();
    }
  });
});
