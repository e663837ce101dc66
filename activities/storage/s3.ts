/**
 * The object store in an S3-compatible bucket (对象存储桶) through `@aws-sdk/client-s3`: AWS S3, or
 * a server of its own (MinIO, Ceph RGW, …) at `endpoint`, addressed by path (`/<bucket>/<key>`,
 * which every such server understands, where virtual-host names need DNS for each bucket).
 *
 * Checksums: each PutObject carries the bytes' sha256 (`ChecksumSHA256`, computed here over the
 * whole body and sent as a header), so a server that supports checksums refuses bytes damaged on
 * the way and keeps the checksum; the same sha256 is kept as object metadata (`x-amz-meta-sha256`)
 * for servers that ignore checksum headers. The SDK's own checksums are asked for only when an
 * operation requires them: its default for streamed bodies is an `aws-chunked` body with a
 * trailing checksum, which some S3-compatible servers store framing and all inside the object.
 * Bodies here are whole buffers, and reads are compared with the stored sha256 (`get` refuses a
 * mismatch with StorageIntegrityError): not every server checks a checksum it is sent (moto 5.2.6
 * stores a body whose ChecksumSHA256 is wrong, and reports that checksum back).
 *
 * putIfAbsent is a conditional PutObject (`If-None-Match: *`): the server creates the object only
 * if the key has none, atomically; 412 means another writer was first. AWS answers 409 to a
 * conditional write racing another in flight, to be retried.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkGivenSha256,
  checkPrefix,
  keySegments,
  sha256Hex,
  StorageIntegrityError,
  type ObjectHead,
  type ObjectStore,
  type PutObjectOptions,
} from './object-store';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server's address (`http://127.0.0.1:9000`); AWS's own when absent. */
  endpoint?: string;
  /** Otherwise the SDK's default chain (AWS_* variables, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prepended to every key (`prefix/`), so one bucket can hold several installations. */
  keyPrefix?: string;
}

const SHA_META = 'sha256';
const status = (e: unknown): number | undefined =>
  e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

export class S3Store implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly keyPrefix: string;

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.keyPrefix = opts.keyPrefix ? `${opts.keyPrefix.replace(/\/+$/, '')}/` : '';
    const config: S3ClientConfig = {
      region: opts.region,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
    this.client = new S3Client(config);
  }

  /** The object's name in the bucket (checked like every key). */
  objectKey(key: string): string {
    keySegments(key);
    return this.keyPrefix + key;
  }

  async put(key: string, bytes: Uint8Array, opts: PutObjectOptions = {}): Promise<void> {
    await this.client.send(this.putCommand(key, bytes, opts, false));
  }

  async putIfAbsent(key: string, bytes: Uint8Array, opts: PutObjectOptions = {}): Promise<boolean> {
    const command = this.putCommand(key, bytes, opts, true);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(command);
        return true;
      } catch (e) {
        if (status(e) === 412) return false;
        // 409 ConditionalRequestConflict: another conditional write on the key was in flight.
        if (status(e) === 409 && attempt < 10) {
          await sleep(20 * (attempt + 1));
          continue;
        }
        throw e;
      }
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    let out;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
    const bytes = await out.Body!.transformToByteArray();
    const expected = out.Metadata?.[SHA_META];
    if (expected !== undefined && sha256Hex(bytes) !== expected) {
      throw new StorageIntegrityError(`读取 ${key} 的内容与存储时的 sha256 不符（对象已损坏或被改动）`);
    }
    return bytes;
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    let out;
    try {
      out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ChecksumMode: 'ENABLED' }),
      );
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
    // The server's checksum when it keeps one (a multipart object's is a checksum of parts: "…-N").
    const fromServer =
      out.ChecksumSHA256 && !out.ChecksumSHA256.includes('-') ? base64ToHex(out.ChecksumSHA256) : undefined;
    const sha256 = fromServer ?? out.Metadata?.[SHA_META];
    return { size: out.ContentLength ?? 0, ...(sha256 ? { sha256 } : {}) };
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.keyPrefix + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.keyPrefix.length));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  private putCommand(key: string, bytes: Uint8Array, opts: PutObjectOptions, ifAbsent: boolean): PutObjectCommand {
    const objectKey = this.objectKey(key);
    const sha256 = checkGivenSha256(key, bytes, opts.sha256);
    return new PutObjectCommand({
      Bucket: this.bucket,
      Key: objectKey,
      Body: bytes,
      ContentLength: bytes.length,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: hexToBase64(sha256),
      Metadata: { [SHA_META]: sha256 },
      ...(opts.contentType ? { ContentType: opts.contentType } : {}),
      ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
    });
  }
}
