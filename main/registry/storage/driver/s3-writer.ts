// The s3 driver's appending writer. S3 has no append, so an upload's file is one object that
// every close or commit replaces whole: the bytes stream into a multipart upload (parts of
// `chunksize`, one part in flight while the next fills, so at most two parts are in memory),
// and completing it swaps the object atomically. An append starts from the existing object:
// one of 5 MiB or more becomes part 1 of the new upload by a server-side copy; a smaller one is
// read back into the first part (S3 refuses non-final parts under 5 MiB). Nothing survives
// between requests but the object itself, so any node can take the next chunk of an upload,
// and a process killed mid-chunk leaves the object as the last completed chunk left it.
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, PutObjectCommand, UploadPartCommand, type CompletedPart,
} from './s3-sdk';
import type { FileWriter } from './types';
import type { S3Target } from './s3-target';

/** S3's smallest part, except for the last one. */
export const MIN_PART = 5 * 1024 * 1024;
/** S3's largest part, and the largest object one UploadPartCopy may copy. */
const MAX_PART = 5 * 1024 * 1024 * 1024;

type State = 'open' | 'closed' | 'cancelled';

export class S3Writer implements FileWriter {
  private state: State = 'open';
  /** Bytes of the object before this writer, not yet carried into the new content. */
  private carried: number;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> | undefined;
  private failed: unknown;
  private written = 0;

  /** `existing`: the object's size when appending, or undefined when the writer starts it anew. */
  constructor(private readonly t: S3Target, private readonly key: string, private readonly path: string, private readonly existing: number | undefined) {
    this.carried = existing ?? 0;
  }

  get size(): number {
    return (this.existing ?? 0) + this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`${this.t.name}: writer for ${this.path} is closed`);
    if (this.failed !== undefined) throw this.failed;
    if (this.carried > 0) await this.carryExisting();
    // Copied: the caller may reuse its buffer once this resolves, while the part is still queued.
    this.pending.push(Buffer.from(chunk));
    this.pendingBytes += chunk.byteLength;
    this.written += chunk.byteLength;
    while (this.pendingBytes >= this.t.chunksize) await this.sendPart(this.take(this.t.chunksize));
  }

  async close(): Promise<void> {
    await this.finish();
  }

  /** S3 acknowledges a write only once it is durable: completing is committing. */
  async commit(): Promise<void> {
    await this.finish();
  }

  async cancel(): Promise<void> {
    if (this.state === 'cancelled') return;
    this.state = 'cancelled';
    await this.inflight?.catch(() => undefined);
    await this.abort();
    await this.t.run(this.path, this.t.client.send(new DeleteObjectCommand({ Bucket: this.t.bucket, Key: this.key })));
  }

  private async finish(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closed';
    try {
      await this.inflight;
    } catch (err) {
      this.failed ??= err;
    }
    if (this.failed !== undefined) {
      // The object keeps what the last completed write left; the partial parts go.
      await this.abort();
      throw this.failed;
    }
    if (this.uploadId === undefined) {
      // Small enough for one request. A writer that wrote nothing still creates (or, started
      // anew, empties) the object, as opening a file for writing would.
      if (this.written > 0 || this.existing === undefined) await this.putWhole(this.take(this.pendingBytes));
      return;
    }
    try {
      if (this.pendingBytes > 0) await this.sendPart(this.take(this.pendingBytes));
      await this.inflight;
      await this.t.run(this.path, this.t.client.send(new CompleteMultipartUploadCommand({
        Bucket: this.t.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts },
      })));
      this.uploadId = undefined;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Brings the object's earlier bytes into the new content before the first new byte. */
  private async carryExisting(): Promise<void> {
    const size = this.carried;
    this.carried = 0;
    if (size < MIN_PART) {
      const r = await this.t.run(this.path, this.t.client.send(new GetObjectCommand({ Bucket: this.t.bucket, Key: this.key })));
      const bytes = Buffer.from(await r.Body!.transformToByteArray());
      if (bytes.length !== size) throw new Error(`${this.t.name}: ${this.path} changed while being appended to`);
      this.pending.unshift(bytes);
      this.pendingBytes += bytes.length;
      return;
    }
    await this.startUpload();
    // Equal parts, each at most S3's largest: a last part under 5 MiB could not be followed by
    // the new bytes' parts.
    const step = Math.ceil(size / Math.ceil(size / MAX_PART));
    this.parts.push(...(await this.t.copyParts(this.path, this.key, this.key, this.uploadId, size, step, this.parts.length + 1)));
  }

  private async startUpload(): Promise<void> {
    if (this.uploadId !== undefined) return;
    const r = await this.t.run(this.path, this.t.client.send(new CreateMultipartUploadCommand({ Bucket: this.t.bucket, Key: this.key, ...this.t.objectParams })));
    this.uploadId = r.UploadId;
  }

  /** Queues one part; waits for the one before it, so at most one is in flight. */
  private async sendPart(body: Buffer): Promise<void> {
    await this.inflight;
    await this.startUpload();
    const PartNumber = this.parts.length + 1;
    const part: CompletedPart = { PartNumber };
    this.parts.push(part);
    this.inflight = this.t
      .run(this.path, this.t.client.send(new UploadPartCommand({ Bucket: this.t.bucket, Key: this.key, UploadId: this.uploadId, PartNumber, Body: body, ContentLength: body.length })))
      .then((r) => {
        part.ETag = r.ETag;
      });
    // A failed part fails the next write (or the close), not an unhandled rejection.
    this.inflight.catch((err: unknown) => {
      this.failed ??= err;
    });
  }

  private async putWhole(body: Buffer): Promise<void> {
    await this.t.run(this.path, this.t.client.send(new PutObjectCommand({ Bucket: this.t.bucket, Key: this.key, Body: body, ContentLength: body.length, ...this.t.objectParams })));
  }

  /** Removes and returns the first `n` pending bytes as one buffer. */
  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  private async abort(): Promise<void> {
    if (this.uploadId === undefined) return;
    const UploadId = this.uploadId;
    this.uploadId = undefined;
    await this.t.run(this.path, this.t.client.send(new AbortMultipartUploadCommand({ Bucket: this.t.bucket, Key: this.key, UploadId }))).catch(() => undefined);
  }
}
