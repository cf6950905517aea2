// The s3 storage driver: distribution's layout as object keys in a bucket (the same keys
// registry:3's s3 driver writes, so a bucket moves between the two), for Amazon S3 and
// S3-compatible servers (Ceph's RADOS Gateway, MinIO…). Folders exist only as key prefixes.
// Every write is one request S3 acknowledges once durable, so there is no journal: `commit`
// applies its changes in order and a crash leaves a prefix of them.
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException,
  AbortMultipartUploadCommand, type ListObjectsV2CommandOutput,
} from './s3-sdk';
import type { S3StorageConfig } from '../../../config/types';
import { checkPath } from './check-path';
import { InvalidOffsetError, PathNotFoundError } from './errors';
import { S3Target, NAME } from './s3-target';
import { S3Writer } from './s3-writer';
import type { CommitOptions, FileInfo, FileWriter, ReadRange, StorageChange, StorageDriver } from './types';

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

export class S3Driver implements StorageDriver {
  readonly name = NAME;
  private readonly t: S3Target;

  constructor(config: S3StorageConfig) {
    this.t = new S3Target(config);
  }

  private key(path: string): string {
    return this.t.key(checkPath(path, NAME));
  }

  /**
   * Checks at start that the bucket answers with these credentials, so a wrong key, a missing
   * bucket or an unreachable endpoint stops the start with one clear message instead of failing
   * every request later.
   */
  async check(): Promise<void> {
    const c = this.t.config;
    const where = `bucket ${JSON.stringify(c.bucket)} at ${c.regionendpoint || `the ${c.region} region`}`;
    try {
      await this.t.client.send(new ListObjectsV2Command({ Bucket: c.bucket, Prefix: this.t.prefix, MaxKeys: 1 }));
    } catch (err) {
      throw new Error(`storage.s3: cannot use ${where}: ${describeStartError(err)}`, { cause: err });
    }
  }

  async getContent(path: string): Promise<Buffer> {
    const r = await this.t.run(path, this.t.client.send(new GetObjectCommand({ Bucket: this.t.bucket, Key: this.key(path) })));
    const bytes = await r.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    const Key = this.key(path);
    // A copy: the SDK may still hold the body after the caller changes its buffer on a retry.
    const Body = Buffer.from(content);
    await this.t.run(path, this.t.client.send(new PutObjectCommand({ Bucket: this.t.bucket, Key, Body, ContentLength: Body.length, ...this.t.objectParams })));
  }

  async reader(path: string, range: ReadRange = {}): Promise<Readable> {
    const Key = this.key(path);
    const start = range.start ?? 0;
    if (start < 0) throw new InvalidOffsetError(path, start, NAME);
    const Range = start > 0 || range.end !== undefined ? `bytes=${start}-${range.end ?? ''}` : undefined;
    try {
      const r = await this.t.client.send(new GetObjectCommand({ Bucket: this.t.bucket, Key, ...(Range ? { Range } : {}) }));
      return r.Body as Readable;
    } catch (err) {
      if (!(err instanceof S3ServiceException && err.name === 'InvalidRange')) throw this.t.storageError(path, err);
    }
    // Past the end: nothing at exactly the end, an error beyond it (S3 answers 416 to both).
    const { size } = await this.stat(path);
    if (start === size) return Readable.from([]);
    throw new InvalidOffsetError(path, start, NAME);
  }

  async writer(path: string, opts: { append: boolean }): Promise<FileWriter> {
    const Key = this.key(path);
    // Appending to a missing object starts it, as opening a file to append would.
    const existing = opts.append ? await this.head(path, Key).then((h) => h.size, (err: unknown) => {
      if (err instanceof PathNotFoundError) return undefined;
      throw err;
    }) : undefined;
    return new S3Writer(this.t, Key, path, existing);
  }

  async stat(path: string): Promise<FileInfo> {
    const parts = checkPath(path, NAME);
    if (parts.length > 0) {
      try {
        return { path, ...(await this.head(path, this.t.key(parts))), isDir: false };
      } catch (err) {
        if (!(err instanceof PathNotFoundError)) throw err;
      }
    }
    const l = await this.t.run(path, this.t.client.send(new ListObjectsV2Command({ Bucket: this.t.bucket, Prefix: this.t.dirPrefix(parts), MaxKeys: 1 })));
    const first = l.Contents?.[0];
    if (!first && parts.length > 0) throw new PathNotFoundError(path, NAME);
    // A folder has no time of its own; its first object's is the best there is.
    return { path, size: 0, modTime: first?.LastModified ?? new Date(0), isDir: true };
  }

  async list(path: string): Promise<string[]> {
    const parts = checkPath(path, NAME);
    const Prefix = this.t.dirPrefix(parts);
    const names: string[] = [];
    for await (const r of this.listPages(path, Prefix, '/')) {
      for (const p of r.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(Prefix.length, -1));
      for (const o of r.Contents ?? []) if (o.Key && o.Key.length > Prefix.length) names.push(o.Key.slice(Prefix.length));
    }
    if (names.length === 0 && parts.length > 0) throw new PathNotFoundError(path, NAME);
    return names;
  }

  async move(from: string, to: string): Promise<void> {
    const src = this.key(from);
    const dst = this.key(to);
    const { size } = await this.head(from, src);
    if (size > this.t.copyThreshold) await this.copyInParts(to, src, dst, size);
    else {
      await this.t.run(to, this.t.client.send(new CopyObjectCommand({
        Bucket: this.t.bucket, Key: dst, CopySource: this.t.copySource(src), MetadataDirective: 'REPLACE', ...this.t.objectParams,
      })));
    }
    await this.t.run(from, this.t.client.send(new DeleteObjectCommand({ Bucket: this.t.bucket, Key: src })));
  }

  async delete(path: string): Promise<void> {
    const parts = checkPath(path, NAME);
    const key = this.t.key(parts);
    const below = this.t.dirPrefix(parts);
    const keys: string[] = [];
    // Listing by the key itself finds the object and everything below it in one pass; keys
    // that merely start with the same text ("a/b-c" for "a/b") are left alone.
    for await (const r of this.listPages(path, parts.length > 0 ? key : below)) {
      for (const o of r.Contents ?? []) if (o.Key && (o.Key === key || o.Key.startsWith(below))) keys.push(o.Key);
    }
    if (keys.length === 0) throw new PathNotFoundError(path, NAME);
    // Only a folder can hold a killed writer's upload (an upload's data is in its folder); a
    // single object's delete (a link, a tag) need not ask.
    if (keys.some((k) => k !== key)) await this.abortUploads(path, below);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.deleteKeys(path, keys.slice(i, i + DELETE_BATCH));
  }

  async commit(changes: readonly StorageChange[], opts: CommitOptions = {}): Promise<void> {
    opts.after?.catch(() => undefined); // waited for below, unless a key is refused first
    // Every key is checked before anything changes.
    for (const c of changes) for (const p of c.op === 'move' ? [c.from, c.to] : [c.path]) checkPath(p, NAME);
    await opts.after;
    for (const c of changes) {
      if (c.op === 'put') await this.putContent(c.path, c.content);
      else if (c.op === 'move') await this.move(c.from, c.to);
      else await this.delete(c.path).catch((err: unknown) => {
        if (!(err instanceof PathNotFoundError)) throw err;
      });
    }
  }

  async close(): Promise<void> {
    this.t.close();
  }

  /** An object's size and time; PathNotFoundError when there is none. */
  private async head(path: string, Key: string): Promise<{ size: number; modTime: Date }> {
    const h = await this.t.run(path, this.t.client.send(new HeadObjectCommand({ Bucket: this.t.bucket, Key })));
    return { size: h.ContentLength ?? 0, modTime: h.LastModified ?? new Date(0) };
  }

  /** Every page of a listing under `Prefix` (the server gives at most 1000 keys a page). */
  private async *listPages(path: string, Prefix: string, Delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let ContinuationToken: string | undefined;
    do {
      const r = await this.t.run(path, this.t.client.send(new ListObjectsV2Command({ Bucket: this.t.bucket, Prefix, ContinuationToken, ...(Delimiter ? { Delimiter } : {}) })));
      yield r;
      ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  private async deleteKeys(path: string, keys: string[]): Promise<void> {
    if (keys.length === 1) {
      await this.t.run(path, this.t.client.send(new DeleteObjectCommand({ Bucket: this.t.bucket, Key: keys[0] })));
      return;
    }
    const r = await this.t.run(path, this.t.client.send(new DeleteObjectsCommand({
      Bucket: this.t.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    })));
    const failed = r.Errors?.[0];
    if (failed) throw new Error(`${NAME}: could not delete ${failed.Key}: ${failed.Code} ${failed.Message ?? ''}`.trim());
  }

  /** Multipart uploads a killed writer left below a folder being deleted would be billed forever. */
  private async abortUploads(path: string, Prefix: string): Promise<void> {
    const r = await this.t.run(path, this.t.client.send(new ListMultipartUploadsCommand({ Bucket: this.t.bucket, Prefix })));
    for (const u of r.Uploads ?? []) {
      await this.t.client.send(new AbortMultipartUploadCommand({ Bucket: this.t.bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => undefined);
    }
  }

  /** CopyObject stops at 5 GiB, and large copies go faster in parallel parts. */
  private async copyInParts(path: string, src: string, dst: string, size: number): Promise<void> {
    const up = await this.t.run(path, this.t.client.send(new CreateMultipartUploadCommand({ Bucket: this.t.bucket, Key: dst, ...this.t.objectParams })));
    const UploadId = up.UploadId;
    try {
      const parts = await this.t.copyParts(path, src, dst, UploadId, size, this.t.copyChunkSize);
      await this.t.run(path, this.t.client.send(new CompleteMultipartUploadCommand({ Bucket: this.t.bucket, Key: dst, UploadId, MultipartUpload: { Parts: parts } })));
    } catch (err) {
      await this.t.client.send(new AbortMultipartUploadCommand({ Bucket: this.t.bucket, Key: dst, UploadId })).catch(() => undefined);
      throw err;
    }
  }
}

/** What went wrong reaching the bucket, in words a person configuring it can act on. */
function describeStartError(err: unknown): string {
  if (err instanceof S3ServiceException) {
    switch (err.name) {
      case 'NoSuchBucket':
        return 'the bucket does not exist; create it first (registry:3 also expects it to exist)';
      case 'InvalidAccessKeyId':
        return 'the access key is not known to the server; check storage.s3.accesskey';
      case 'SignatureDoesNotMatch':
        return 'the secret key does not match the access key; check storage.s3.secretkey';
      case 'AccessDenied':
      case 'Forbidden':
        return 'access denied: these credentials may not list the bucket';
      default:
        return `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})`;
    }
  }
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT' || e.name === 'TimeoutError') {
    return `the endpoint cannot be reached (${e.code ?? e.name}: ${e.message}); check storage.s3.regionendpoint and that the service is running`;
  }
  return err instanceof Error ? err.message : String(err);
}
