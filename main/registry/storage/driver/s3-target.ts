// What every request of the s3 driver shares: the client (built from storage.s3 as registry:3
// reads it), the bucket, the key prefix, the parameters each new object gets, and the one place
// S3's errors become storage errors.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, S3ServiceException, UploadPartCopyCommand, type CompletedPart, type ObjectCannedACL, type ServerSideEncryption, type StorageClass } from './s3-sdk';
import { eachLimited } from '../../../lib/each-limited';
import { s3Root } from '../../../config/storage-label';
import type { S3StorageConfig } from '../../../config/types';
import { DriverError, PathNotFoundError, StorageFullError } from './errors';

export const NAME = 's3';

// The SDK warns on Node 20 that its releases from 2027 on will need Node 22: a note for whoever
// upgrades the SDK here (the lockfile pins a version that works), not for someone running the registry.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Parameters given to every object the driver creates (PutObject, CopyObject, CreateMultipartUpload). */
export interface ObjectParams {
  ContentType: string;
  ACL?: ObjectCannedACL;
  StorageClass?: StorageClass;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
}

export class S3Target {
  readonly name = NAME;
  readonly client: S3Client;
  readonly bucket: string;
  /** Prepended to every key: `rootdirectory` without its slashes, plus '/', or nothing. */
  readonly prefix: string;
  readonly chunksize: number;
  readonly copyChunkSize: number;
  readonly copyConcurrency: number;
  readonly copyThreshold: number;
  readonly objectParams: ObjectParams;

  constructor(readonly config: S3StorageConfig) {
    this.bucket = config.bucket;
    const root = s3Root(config);
    this.prefix = root === '' ? '' : root + '/';
    this.chunksize = config.chunksize;
    this.copyChunkSize = config.multipartcopychunksize;
    this.copyConcurrency = config.multipartcopymaxconcurrency;
    this.copyThreshold = config.multipartcopythresholdsize;
    this.objectParams = {
      // What registry:3 stores every object as.
      ContentType: 'application/octet-stream',
      ...(config.objectacl ? { ACL: config.objectacl as ObjectCannedACL } : {}),
      ...(config.storageclass !== 'NONE' ? { StorageClass: config.storageclass as StorageClass } : {}),
      ...(config.encrypt ? { ServerSideEncryption: (config.keyid ? 'aws:kms' : 'AES256') as ServerSideEncryption } : {}),
      ...(config.encrypt && config.keyid ? { SSEKMSKeyId: config.keyid } : {}),
    };
    const agentOptions = { keepAlive: true, maxSockets: 64 };
    this.client = new S3Client({
      region: config.region,
      ...(config.regionendpoint ? { endpoint: config.regionendpoint } : {}),
      tls: config.secure,
      forcePathStyle: config.forcepathstyle,
      useDualstackEndpoint: config.usedualstack,
      useAccelerateEndpoint: config.accelerate,
      ...(config.useragent ? { customUserAgent: config.useragent } : {}),
      // Without keys, the SDK's standard chain (environment, shared files, instance roles).
      ...(config.accesskey
        ? { credentials: { accessKeyId: config.accesskey, secretAccessKey: config.secretkey ?? '', ...(config.sessiontoken ? { sessionToken: config.sessiontoken } : {}) } }
        : {}),
      // Checksums only where S3 demands them: S3-compatible servers (Ceph's gateway among them)
      // refuse the streaming "aws-chunked" uploads the SDK's default checksums turn PutObject into.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent({ ...agentOptions, rejectUnauthorized: !config.skipverify }),
        connectionTimeout: 10_000,
      },
    });
  }

  /** The bucket key of a driver path that checkPath has accepted ('/' is the root itself). */
  key(parts: readonly string[]): string {
    return this.prefix + parts.join('/');
  }

  /** The prefix that lists what is below a driver path. */
  dirPrefix(parts: readonly string[]): string {
    return parts.length === 0 ? this.prefix : this.key(parts) + '/';
  }

  /**
   * Copies bytes [0, size) of `src` into multipart upload `uploadId` of `dst` server-side, in
   * parts of `step` bytes numbered from `first`, `copyConcurrency` at a time.
   */
  async copyParts(path: string, src: string, dst: string, uploadId: string | undefined, size: number, step: number, first = 1): Promise<CompletedPart[]> {
    const ranges = Array.from({ length: Math.ceil(size / step) }, (_, i) => ({ n: first + i, start: i * step, end: Math.min(size, (i + 1) * step) - 1 }));
    const parts: CompletedPart[] = [];
    await eachLimited(ranges, this.copyConcurrency, async ({ n, start, end }) => {
      const r = await this.run(path, this.client.send(new UploadPartCopyCommand({
        Bucket: this.bucket, Key: dst, UploadId: uploadId, PartNumber: n, CopySource: this.copySource(src), CopySourceRange: `bytes=${start}-${end}`,
      })));
      parts[n - first] = { PartNumber: n, ETag: r.CopyPartResult?.ETag };
    });
    return parts;
  }

  /** CopyObject's source header: bucket and key, each key segment URL-encoded. */
  copySource(key: string): string {
    return `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Runs one request, turning S3's answers into storage errors. */
  async run<T>(path: string, request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (err) {
      throw this.storageError(path, err);
    }
  }

  storageError(path: string, err: unknown): Error {
    if (err instanceof PathNotFoundError || err instanceof DriverError) return err;
    if (isMissingKey(err)) return new PathNotFoundError(path, NAME);
    if (err instanceof S3ServiceException && (err.name === 'QuotaExceeded' || err.name === 'EntityTooLarge')) return new StorageFullError(path, NAME);
    // The SDK's message is often just "UnknownError" for S3-compatible servers; the code is what says something.
    if (err instanceof S3ServiceException) return new DriverError(NAME, new Error(`${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})${err.message && err.message !== 'UnknownError' ? `: ${err.message}` : ''}`, { cause: err }));
    return new DriverError(NAME, err);
  }

  close(): void {
    this.client.destroy();
  }
}

/** 404 for a key; a missing bucket is a configuration problem, never "not found". */
function isMissingKey(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  if (err.name === 'NoSuchBucket') return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
}
