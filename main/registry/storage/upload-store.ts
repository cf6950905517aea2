// Blob uploads in distribution's layout (`_uploads/<uuid>/{startedat,data}`). Bytes are hashed
// as they are written, in one pass (upload-hash.ts); the running hash lives in memory, and after
// a restart (or a failed write, or a lost hash thread) the commit re-hashes the file instead, so
// an upload survives a restart without distribution's HMAC `_state` or Go-specific hash-state
// files.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { KeyedLock } from '../../lib/keyed-lock';
import { LentChunks } from '../../lib/release-buffer';
import { hashFor } from '../digest';
import { RegistryError, uploadUnknown } from '../errors';
import { parseDigest, UPLOAD_ID_RE, type Digest } from '../reference';
import type { BlobStore } from './blob-store';
import { isNotFound, StorageFullError } from './driver/errors';
import { SCRATCH, type FileWriter, type StorageDriver } from './driver/types';
import { deleteIfExists, listIfExists } from './links';
import { paths } from './paths';
import { UploadHash } from './upload-hash';
import { UploadQuota, type UploadLimits } from './upload-quota';

interface Session {
  hash: UploadHash | undefined;
  size: number;
  startedAt: Date;
  /** When bytes last arrived (or the session started), in ms: what idle reclaiming looks at. */
  activeAt: number;
  /**
   * The upload's file, kept open between chunks (when the driver can flush without closing):
   * a chunked push then neither reopens the file per PATCH nor waits for the background sync
   * of each chunk. Closed by the commit, a cancel, or after WRITER_IDLE_MS without a chunk.
   */
  open?: { w: FileWriter; timer: NodeJS.Timeout };
  /** Set when closing an idle writer failed: its bytes may not be durable, so no commit. */
  broken?: unknown;
}

const WRITER_IDLE_MS = 30_000;

/**
 * A session that received nothing for this long is taken back when a cap refuses a new one.
 * Docker and the other clients retry a failed blob upload within seconds and never come back
 * to a session minutes later, so such a session is what an interrupted push (or a crash) left
 * behind; without this, those would hold the repository's places until upload purging (a
 * week by default). A session that is receiving data is never taken.
 */
const IDLE_RECLAIM_MS = 10 * 60_000;

export interface BodyOptions {
  /**
   * The body's chunks are its alone (an HTTP request's: node's parser copies each into a buffer
   * of its own), so each is freed as soon as the storage driver is done with it
   * (FileWriter.writtenSize) rather than when the GC gets to it.
   */
  ownedChunks?: boolean;
}

export interface AppendOptions extends BodyOptions {
  /** Content-Range start the client claims; must equal the current size. */
  start?: number;
  /** Content-Length the client announced; the body must match it. */
  length?: number;
}

export interface CommitOptions extends BodyOptions {
  /**
   * Called once the bytes are known to match the digest, which may be before they are synced
   * and linked: a reader that only needs the right bytes (the proxy's first client) need not
   * wait for the blob to become durable.
   */
  onVerified?: () => void;
  /**
   * Called as the body starts to be written, with a count of its bytes the storage driver has
   * finished with (FileWriter.writtenSize), so the caller may reuse their memory; not called
   * when the driver does not keep that count.
   */
  onStoring?: (stored: () => number) => void;
}

export class UploadStore {
  private readonly sessions = new Map<string, Session>();
  private readonly lock = new KeyedLock();
  private readonly quota: UploadQuota;

  /**
   * `shared`: other nodes serve the same bucket, so the next chunk of an upload may have gone
   * through one of them; each request then checks the upload's size in storage first.
   */
  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    limits: UploadLimits = { perRepository: 0, perClient: 0 },
    private readonly shared = false,
  ) {
    this.quota = new UploadQuota(driver, limits);
  }

  /**
   * Starts a session; `client` is the key the per-client cap counts under. Throws
   * TOOMANYREQUESTS when the repository or the client has as many open sessions as allowed.
   */
  async create(name: string, client?: string): Promise<string> {
    const id = randomUUID();
    const startedAt = new Date();
    const crowding = await this.quota.crowding(name, client);
    if (crowding.length > 0) await this.reclaimIdle(crowding, startedAt.getTime());
    await this.quota.reserve(name, id, client);
    try {
      // Seconds precision, UTC: what Go's time.Parse(time.RFC3339, …) in registry:3 expects.
      // An upload does not outlive a power cut (its client has gone too): no sync for its files.
      await this.driver.putContent(paths.uploadStartedAt(name, id), Buffer.from(startedAt.toISOString().replace(/\.\d+Z$/, 'Z')), SCRATCH);
      const w = await this.driver.writer(paths.uploadData(name, id), { append: false });
      await w.close();
    } catch (err) {
      await deleteIfExists(this.driver, paths.uploadDir(name, id), SCRATCH).catch(() => undefined);
      this.quota.release(name, id);
      throw err;
    }
    this.sessions.set(`${name}/${id}`, { hash: new UploadHash(), size: 0, startedAt, activeAt: startedAt.getTime() });
    return id;
  }

  /** Removes those of `list` that have been idle for IDLE_RECLAIM_MS; a busy one is skipped, not waited for. */
  private async reclaimIdle(list: ReadonlyArray<{ name: string; id: string }>, now: number): Promise<void> {
    for (const { name, id } of list) {
      const key = `${name}/${id}`;
      if (this.lock.busy(key)) continue;
      await this.lock.run(key, async () => {
        const s = await this.session(name, id).catch(() => undefined);
        if (s && now - s.activeAt > IDLE_RECLAIM_MS) await this.remove(name, id);
      });
    }
  }

  /** The repository's uploads were deleted with it. */
  forgetRepository(name: string): void {
    for (const [key, s] of this.sessions) {
      if (!key.startsWith(name + '/') || !UPLOAD_ID_RE.test(key.slice(name.length + 1))) continue;
      dropHash(s);
      this.sessions.delete(key);
    }
    this.quota.forgetRepository(name);
  }

  /** Current size of an upload; BLOB_UPLOAD_UNKNOWN if there is none. */
  async size(name: string, id: string): Promise<number> {
    return (await this.session(name, id)).size;
  }

  async append(name: string, id: string, body: Readable, opts: AppendOptions = {}): Promise<number> {
    return this.lock.run(`${name}/${id}`, async () => {
      const s = await this.session(name, id);
      if (opts.start !== undefined && opts.start !== s.size) {
        throw new RegistryError('range-invalid', `chunk starts at ${opts.start}, upload is at ${s.size}`, { offset: s.size });
      }
      await this.write(name, id, s, body, opts);
      return s.size;
    });
  }

  /**
   * Appends an optional final body, verifies the digest, moves the bytes into the blob store and
   * links the blob into the repository. A mismatch cancels the upload (as distribution does).
   */
  async commit(name: string, id: string, digest: Digest, body?: Readable, length?: number, opts: CommitOptions = {}): Promise<number> {
    return this.lock.run(`${name}/${id}`, async () => {
      const s = await this.session(name, id);
      if (body) await this.write(name, id, s, body, { ...opts, length });
      if (s.broken !== undefined) throw s.broken;
      const data = paths.uploadData(name, id);
      // The running hash covers exactly the bytes written, so it can vouch for them before they
      // are synced (a failed write drops it, and the file is then re-hashed below).
      const running = await s.hash?.digest();
      s.hash = undefined;
      const verifiedEarly = running !== undefined && running === digest.value;
      const w = this.takeWriter(s) ?? (await this.driver.writer(data, { append: true }));
      let sha256: string;
      if (verifiedEarly) {
        sha256 = running;
        opts.onVerified?.();
      } else {
        // The file is read back to be checked, so its bytes are written (and synced) first.
        await w.commit();
        sha256 = running ?? (await this.rehash(data, 'sha256'));
        const claimed = digest.algorithm === 'sha256' ? sha256 : await this.rehash(data, digest.algorithm);
        if (claimed !== digest.value) {
          await this.remove(name, id);
          throw new RegistryError('digest-invalid', undefined, { expected: digest.value, actual: claimed });
        }
        opts.onVerified?.();
      }
      const canonical = parseDigest(sha256)!;
      // Check and write (move, links) as one guarded operation, so an online GC cannot delete
      // the blob between them. The bytes reach stable storage before the blob becomes visible:
      // a writer still open is committed by `adopt`, its sync beside the commit's.
      await this.blobs.guard.run(() =>
        this.blobs.adopt(data, canonical, s.size, name, digest.algorithm === 'sha256' ? [digest] : [digest, canonical], verifiedEarly ? w : undefined));
      await this.remove(name, id);
      return s.size;
    });
  }

  async cancel(name: string, id: string): Promise<void> {
    await this.lock.run(`${name}/${id}`, async () => {
      await this.session(name, id);
      await this.remove(name, id);
    });
  }

  /** Removes uploads that started more than `maxAgeMs` ago (distribution's upload purging). */
  async purge(repositories: readonly string[], maxAgeMs: number): Promise<number> {
    const now = Date.now();
    let purged = 0;
    for (const name of repositories) {
      for (const id of await listIfExists(this.driver, paths.uploadsDir(name))) {
        if (!UPLOAD_ID_RE.test(id)) continue;
        const s = await this.session(name, id).catch(() => undefined);
        if (s && now - s.startedAt.getTime() > maxAgeMs) {
          await this.lock.run(`${name}/${id}`, () => this.remove(name, id));
          purged++;
        }
      }
    }
    return purged;
  }

  private async session(name: string, id: string): Promise<Session> {
    if (!UPLOAD_ID_RE.test(id)) throw uploadUnknown(id);
    const key = `${name}/${id}`;
    const known = this.sessions.get(key);
    if (known && !this.shared) return known;
    if (known) return this.reconcile(key, known, name, id);
    // Not in memory: an upload from before a restart, or one registry:3 started.
    try {
      const started = (await this.driver.getContent(paths.uploadStartedAt(name, id))).toString('utf8').trim();
      const info = await this.driver.stat(paths.uploadData(name, id));
      const startedAt = new Date(started);
      const s: Session = {
        hash: undefined, size: info.size, startedAt: isNaN(startedAt.getTime()) ? new Date() : startedAt, activeAt: info.modTime.getTime(),
      };
      this.sessions.set(key, s);
      return s;
    } catch (err) {
      if (isNotFound(err)) throw uploadUnknown(id);
      throw err;
    }
  }

  /**
   * A session another node may have moved on: its size is taken from storage, and a running
   * hash that no longer covers every byte is dropped (the commit re-hashes the file instead).
   */
  private async reconcile(key: string, s: Session, name: string, id: string): Promise<Session> {
    let size: number;
    try {
      size = (await this.driver.stat(paths.uploadData(name, id))).size;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Finished or cancelled through another node.
      this.sessions.delete(key);
      this.quota.release(name, id);
      throw uploadUnknown(id);
    }
    if (size !== s.size) {
      s.size = size;
      dropHash(s);
    }
    return s;
  }

  private async write(name: string, id: string, s: Session, body: Readable, opts: BodyOptions & { length?: number; onStoring?: CommitOptions['onStoring'] }): Promise<void> {
    const { length, onStoring } = opts;
    const lent = opts.ownedChunks ? new LentChunks() : undefined;
    let w: FileWriter | undefined;
    let received = 0;
    try {
      w = this.takeWriter(s) ?? (await this.driver.writer(paths.uploadData(name, id), { append: true }));
      if (w.size !== s.size) dropHash(s); // the file changed under us: re-hash at commit
      s.hash?.begin(length);
      if (onStoring && w.writtenSize !== undefined) {
        const writer = w;
        const start = w.size;
        onStoring(() => writer.writtenSize! - start);
      }
      // A failed write must not destroy the request stream: that would cut the connection before
      // the client hears why (a full disk, say); the dispatcher drains what is left instead.
      for await (const chunk of body.iterator({ destroyOnReturn: false })) {
        const buf = chunk as Buffer;
        received += buf.length;
        const hashing = s.hash?.update(buf);
        await w.write(buf);
        if (hashing) await hashing;
        lent?.add(buf, w.size);
        lent?.release(w.writtenSize);
        s.size = w.size;
        s.activeAt = Date.now();
      }
      s.hash?.end();
      if (w.flush) {
        await w.flush();
        this.keepWriter(s, w);
      } else {
        await w.close();
      }
      lent?.release(w.writtenSize);
    } catch (err) {
      // The file may now hold bytes the hash has not seen (or the reverse); re-hash at commit.
      dropHash(s);
      await w?.close().catch(() => undefined);
      if (w) s.size = (await this.driver.stat(paths.uploadData(name, id)).catch(() => ({ size: s.size }))).size;
      if (err instanceof StorageFullError) {
        // Out of space: drop the partial data so the disk is not left fuller than before.
        await this.remove(name, id);
        throw new RegistryError('storage-full');
      }
      throw err;
    }
    if (length !== undefined && received !== length) {
      throw new RegistryError('size-invalid', `received ${received} bytes, Content-Length was ${length}`);
    }
  }

  private async rehash(path: string, algorithm: Digest['algorithm']): Promise<string> {
    const h = hashFor(algorithm);
    for await (const chunk of await this.driver.reader(path)) h.update(chunk as Buffer);
    return `${algorithm}:${h.digest('hex')}`;
  }

  private takeWriter(s: Session): FileWriter | undefined {
    const open = s.open;
    if (!open) return undefined;
    clearTimeout(open.timer);
    s.open = undefined;
    return open.w;
  }

  private keepWriter(s: Session, w: FileWriter): void {
    const entry = {
      w,
      timer: setTimeout(() => {
        if (s.open !== entry) return;
        s.open = undefined;
        w.close().catch((err: unknown) => {
          s.broken ??= err;
        });
      }, WRITER_IDLE_MS).unref(),
    };
    s.open = entry;
  }

  private async remove(name: string, id: string): Promise<void> {
    const s = this.sessions.get(`${name}/${id}`);
    const w = s && this.takeWriter(s);
    if (w) await w.close().catch(() => undefined);
    if (s) dropHash(s);
    this.sessions.delete(`${name}/${id}`);
    await deleteIfExists(this.driver, paths.uploadDir(name, id), SCRATCH);
    this.quota.release(name, id);
  }
}

/** Forgets a session's running hash: its commit re-hashes the file. */
function dropHash(s: Session): void {
  s.hash?.discard();
  s.hash = undefined;
}
