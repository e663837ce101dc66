/**
 * How every process finds Temporal. One source of truth for the worker, the CLI and the HTTP API.
 *
 * - External cluster (self-hosted or Temporal Cloud): set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE,
 *   TEMPORAL_API_KEY, TEMPORAL_TLS_* or a TEMPORAL_PROFILE in the Temporal config file); these are
 *   read by @temporalio/envconfig exactly as the `temporal` CLI reads them, and nothing starts locally.
 * - Embedded default: the project's own dev server on 127.0.0.1:GUIDANCE_TEMPORAL_PORT (7233).
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../workflows/shared/definitions';

const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  GUIDANCE_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  GUIDANCE_DATA_DIR: z.string().min(1).default('data'),
  GUIDANCE_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  GUIDANCE_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
});

export interface TemporalConfig {
  /** True when TEMPORAL_ADDRESS names an external cluster; nothing is started locally then. */
  external: boolean;
  connection: NativeConnectionOptions;
  namespace: string;
  taskQueue: string;
  dataDir: string;
  devServerPort: number;
  uiPort: number;
}

/** Reads the environment once into a typed configuration; a bad value fails with its name. */
export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`环境变量配置错误：${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
  }
  const e = parsed.data;
  const external = Boolean(e.TEMPORAL_ADDRESS);
  const connect = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  const connection: NativeConnectionOptions = external
    ? connect.connectionOptions
    : { ...connect.connectionOptions, address: `127.0.0.1:${e.GUIDANCE_TEMPORAL_PORT}` };
  return {
    external,
    connection,
    namespace: connect.namespace ?? 'default',
    taskQueue: e.GUIDANCE_TASK_QUEUE,
    dataDir: path.resolve(e.GUIDANCE_DATA_DIR),
    devServerPort: e.GUIDANCE_TEMPORAL_PORT,
    uiPort: e.GUIDANCE_UI_PORT,
  };
}

/** A client for the configured service. */
export async function connectClient(config: TemporalConfig = loadTemporalConfig()): Promise<Client> {
  const connection = await Connection.connect({
    address: config.connection.address,
    tls: config.connection.tls,
    apiKey: config.connection.apiKey,
    metadata: config.connection.metadata,
    connectTimeout: '5 seconds',
  });
  return new Client({ connection, namespace: config.namespace });
}
