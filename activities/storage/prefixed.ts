/**
 * One part of a store seen as a store of its own (对象存储的子目录): key `k` is the inner store's
 * `<prefix>/k`. The archive is the process store's `archive/` part, S3 outbox copies its `outbox/`
 * part, so code that reads and writes one part never spells the others' keys.
 */
import { checkPrefix, keySegments, type ObjectHead, type ObjectStore, type PutObjectOptions } from './object-store';

export class PrefixedStore implements ObjectStore {
  readonly inner: ObjectStore;
  /** Without the trailing '/'. */
  readonly prefix: string;

  constructor(inner: ObjectStore, prefix: string) {
    this.prefix = prefix.replace(/\/+$/, '');
    keySegments(this.prefix);
    this.inner = inner;
  }

  /** The inner store's key of `key`. */
  keyOf(key: string): string {
    keySegments(key);
    return `${this.prefix}/${key}`;
  }

  put(key: string, bytes: Uint8Array, opts?: PutObjectOptions): Promise<void> {
    return this.inner.put(this.keyOf(key), bytes, opts);
  }

  putIfAbsent(key: string, bytes: Uint8Array, opts?: PutObjectOptions): Promise<boolean> {
    return this.inner.putIfAbsent(this.keyOf(key), bytes, opts);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.inner.get(this.keyOf(key));
  }

  head(key: string): Promise<ObjectHead | undefined> {
    return this.inner.head(this.keyOf(key));
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    const cut = this.prefix.length + 1;
    return (await this.inner.list(`${this.prefix}/${prefix}`)).map((k) => k.slice(cut));
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.keyOf(key));
  }
}

/** The part of `store` under `prefix/`. */
export function withPrefix(store: ObjectStore, prefix: string): ObjectStore {
  return new PrefixedStore(store, prefix);
}
