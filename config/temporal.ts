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
import { config, loadConfig } from './env';

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

/**
 * The Temporal side of the configuration (config/env.ts) plus the connection settings
 * @temporalio/envconfig reads from the same environment; a bad value fails with its name.
 */
export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const c = env === process.env ? config() : loadConfig(env);
  const external = Boolean(c.temporalAddress);
  const connect = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  const connection: NativeConnectionOptions = external
    ? connect.connectionOptions
    : { ...connect.connectionOptions, address: `127.0.0.1:${c.devServerPort}` };
  return {
    external,
    connection,
    namespace: connect.namespace ?? 'default',
    taskQueue: c.taskQueue,
    dataDir: c.dataDir,
    devServerPort: c.devServerPort,
    uiPort: c.uiPort,
  };
}

/** The numbering workflows' task queue for a worker's `taskQueue` (a practice or demo queue gets its own too). */
export function numberingTaskQueue(taskQueue: string, mode: 'shared' | 'own'): string {
  return mode === 'own' ? `${taskQueue}-numbers` : taskQueue;
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
