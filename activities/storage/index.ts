/**
 * Object storage (对象存储): the one interface the engine's files go through, so that a cluster of
 * workers and dashboards on several hosts can share them (issue 24). Two implementations:
 * - LocalDiskStore (local.ts): a folder on this host, the embedded default, every write durable
 *   (durable.ts);
 * - S3Store (s3.ts): an S3-compatible bucket through `@aws-sdk/client-s3`.
 * Both pass the same contract test (test/storage.test.ts). Which one a process uses is
 * configuration (`GUIDANCE_STORAGE`, config/env.ts); `storeFromConfig` builds it.
 *
 * Keys are relative paths separated by '/', the same on both: on disk they become folders, in a
 * bucket they are object names. `putIfAbsent` is the atomic create that exactly-once across hosts
 * builds on: of any number of racing callers, on any hosts, exactly one gets true.
 */
import type { Config } from '../../config/env';
import { secret } from '../../config/env';
import { LocalDiskStore } from './local';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3';

export * from './object-store';
export { LocalDiskStore } from './local';
export { S3Store, type S3StoreOptions } from './s3';

/**
 * The store the configuration names: the data directory on this host, or the S3 bucket with the
 * secret key read by name (`GUIDANCE_S3_SECRET_ACCESS_KEY`), never kept in the configuration.
 */
export function storeFromConfig(
  config: Pick<Readonly<Config>, 'dataDir' | 'storage'>,
  env: Record<string, string | undefined> = process.env,
): ObjectStore {
  const s = config.storage;
  if (s.kind === 'local') return new LocalDiskStore(s.dir ?? config.dataDir);
  const secretAccessKey = secret(S3_SECRET_ENV, env);
  if (s.accessKeyId && !secretAccessKey) {
    throw new Error(`已设置 GUIDANCE_S3_ACCESS_KEY_ID，但缺少环境变量 ${S3_SECRET_ENV}`);
  }
  return new S3Store({
    bucket: s.bucket,
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.accessKeyId && secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey } } : {}),
  });
}

/** The variable the S3 secret key is read from. */
export const S3_SECRET_ENV = 'GUIDANCE_S3_SECRET_ACCESS_KEY';
