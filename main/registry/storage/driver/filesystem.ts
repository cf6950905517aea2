// The default driver: plain files under a root directory, in distribution's layout, so a
// volume moves between Berth and registry:2/3. Small objects are replaced atomically
// (temporary file, fsync, rename, fsync of the directory); large ones are written through an
// appending writer that coalesces chunks into large writes and keeps one write in flight
// while the caller hashes the next chunk.
import type { ServerResponse } from 'node:http';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { checkPath } from './check-path';
import { DriverError, InvalidOffsetError, InvalidPathError, PathNotFoundError, StorageFullError } from './errors';
import type { DirectBody, FileInfo, FileWriter, ReadRange, StorageDriver } from './types';

const NAME = 'filesystem';
// Measured on the bench machine (100 MiB pushes over loopback, median of 12): 4 MiB writes
// with a datasync every 32 MiB took ≈ 215 ms per push; 1 MiB writes with a datasync every
// 4 MiB ≈ 130 ms. Large dirty backlogs make the next write() wait on writeback; frequent
// background syncs keep the backlog, and the acknowledging sync, short.
const WRITE_BUFFER = 1024 * 1024;
const SYNC_EVERY = 4 * 1024 * 1024;
const READ_BUFFER = 1024 * 1024;

export interface FilesystemDriverOptions {
  rootdirectory: string;
  /** fsync files and directories on commit (on by default; tests of throughput may turn it off). */
  sync?: boolean;
}

export class FilesystemDriver implements StorageDriver {
  readonly name = NAME;
  private readonly root: string;
  private readonly sync: boolean;

  constructor(opts: FilesystemDriverOptions) {
    this.root = opts.rootdirectory;
    this.sync = opts.sync ?? true;
  }

  private full(path: string): string {
    return join(this.root, ...checkPath(path, NAME));
  }

  private fail(err: unknown, path: string): never {
    // A refused path is already a tier-1 error; wrapping it would hide it from the stores.
    if (err instanceof InvalidPathError) throw err;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new PathNotFoundError(path, NAME);
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new StorageFullError(path, NAME);
    throw new DriverError(NAME, err);
  }

  async getContent(path: string): Promise<Buffer> {
    try {
      return await readFile(this.full(path));
    } catch (err) {
      this.fail(err, path);
    }
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    const target = this.full(path);
    // Same directory as the target so rename is atomic; the suffix marks strays for fsck.
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const fh = await inParent(dirname(target), () => open(tmp, 'w'));
      try {
        await fh.writeFile(content);
        if (this.sync) await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      if (this.sync) await syncDir(dirname(target));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.fail(err, path);
    }
  }

  async reader(path: string, range: ReadRange = {}): Promise<Readable> {
    const file = this.full(path);
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      this.fail(err, path);
    }
    const size = (await fh.stat()).size;
    const start = range.start ?? 0;
    if (start < 0 || start > size) {
      await fh.close();
      throw new InvalidOffsetError(path, start, NAME);
    }
    if (start === size) {
      // Reading from the very end is valid and empty; createReadStream refuses start > end.
      await fh.close();
      return Readable.from([]);
    }
    return new FileBody(fh, start, range.end ?? Math.max(size - 1, 0));
  }

  async writer(path: string, opts: { append: boolean }): Promise<FileWriter> {
    const file = this.full(path);
    try {
      const fh = await inParent(dirname(file), () => open(file, opts.append ? 'a' : 'w'));
      const size = opts.append ? (await fh.stat()).size : 0;
      return new FsWriter(fh, file, path, size, this.sync, (e) => this.fail(e, path));
    } catch (err) {
      this.fail(err, path);
    }
  }

  async stat(path: string): Promise<FileInfo> {
    try {
      const s = await stat(this.full(path));
      return { path, size: s.size, modTime: s.mtime, isDir: s.isDirectory() };
    } catch (err) {
      this.fail(err, path);
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      return await readdir(this.full(path));
    } catch (err) {
      this.fail(err, path);
    }
  }

  async move(from: string, to: string): Promise<void> {
    const src = this.full(from);
    const dst = this.full(to);
    try {
      await inParent(dirname(dst), () => rename(src, dst));
      if (this.sync) await syncDir(dirname(dst));
    } catch (err) {
      this.fail(err, from);
    }
  }

  async delete(path: string): Promise<void> {
    const file = this.full(path);
    try {
      await stat(file);
      await rm(file, { recursive: true, force: true });
    } catch (err) {
      this.fail(err, path);
    }
  }

  async pruneEmptyDirs(path: string, stopAt: string): Promise<void> {
    const stop = this.full(stopAt);
    let dir = this.full(path);
    while (dir.startsWith(stop + '/') && dir !== stop) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      dir = dirname(dir);
    }
  }
}

/**
 * Creates `dir` and runs `op` in it; again when the directory vanished in between, which happens
 * when garbage collection prunes empty directories while the registry writes (ENOENT from `op`).
 */
async function inParent<T>(dir: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dir, { recursive: true });
    try {
      return await op();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

/** The part of `bufs` after the first `skip` bytes (after a short writev). */
function remaining(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (skip >= b.length) { skip -= b.length; continue; }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

class FsWriter implements FileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> = Promise.resolve();
  private error: unknown;
  private closed = false;
  private unsynced = 0;
  private syncing: Promise<unknown> = Promise.resolve();
  private syncRunning = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly key: string,
    public size: number,
    private readonly sync: boolean,
    private readonly fail: (err: unknown) => never,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed) throw new DriverError(NAME, new Error(`writer for ${this.key} is closed`));
    if (this.error) this.fail(this.error);
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    this.size += chunk.byteLength;
    if (this.pendingBytes >= WRITE_BUFFER) {
      // Wait for the previous write only, so hashing of the next chunks overlaps this one.
      await this.inflight;
      if (this.error) this.fail(this.error);
      this.startFlush();
    }
  }

  private startFlush(): void {
    if (this.pendingBytes === 0) return;
    // writev hands the chunks to the kernel as they are: no copy into one large buffer.
    const bufs = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.unsynced += total;
    this.inflight = this.inflight.then(async () => {
      let { bytesWritten } = await this.fh.writev(bufs);
      while (bytesWritten < total) bytesWritten += (await this.fh.writev(remaining(bufs, bytesWritten))).bytesWritten;
    }).catch((err) => {
      this.error = err;
    });
    if (this.sync && this.unsynced >= SYNC_EVERY && !this.syncRunning) {
      // Flush to disk in the background while more arrives, so the sync that acknowledges
      // the upload only has the last few megabytes left to write. One sync at a time: on a
      // slow disk they become fewer and larger instead of queueing up.
      this.unsynced = 0;
      this.syncRunning = true;
      this.syncing = this.inflight.then(() => this.fh.datasync()).catch((err) => {
        this.error ??= err;
      }).finally(() => {
        this.syncRunning = false;
      });
    }
  }

  private async drain(): Promise<void> {
    this.startFlush();
    await this.inflight;
    await this.syncing;
    if (this.error) {
      await this.fh.close().catch(() => undefined);
      this.closed = true;
      this.fail(this.error);
    }
  }

  async flush(): Promise<void> {
    if (this.closed) throw new DriverError(NAME, new Error(`writer for ${this.key} is closed`));
    // A background datasync may still run: the commit waits for it, a chunk need not.
    this.startFlush();
    await this.inflight;
    if (this.error) this.fail(this.error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await this.fh.close();
  }

  async commit(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    try {
      if (this.sync) await this.fh.datasync();
    } catch (err) {
      this.error = err;
    }
    this.closed = true;
    await this.fh.close();
    if (this.error) this.fail(this.error);
  }

  async cancel(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.inflight.catch(() => undefined);
      await this.fh.close().catch(() => undefined);
    }
    await rm(this.file, { force: true });
  }
}

/**
 * A byte range of an open file. As a Readable it reads READ_BUFFER-sized chunks into fresh
 * buffers (whoever consumes them may keep them). `sendTo` instead writes the range to an HTTP
 * response from two reused buffers, reading the next chunk while the previous one is written:
 * no allocation, page faults or GC per chunk, which is most of what a large pull costs beyond
 * the copies themselves. A buffer is reused only after the write of its last use completed.
 */
class FileBody extends Readable implements DirectBody {
  private pos: number;
  private started = false;

  constructor(private readonly fh: FileHandle, start: number, private readonly end: number) {
    super({ highWaterMark: READ_BUFFER });
    this.pos = start;
  }

  override _read(): void {
    this.started = true;
    const left = this.end - this.pos + 1;
    if (left <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(Math.min(READ_BUFFER, left));
    this.fh.read(buf, 0, buf.length, this.pos).then(({ bytesRead }) => {
      if (bytesRead === 0) {
        this.destroy(new DriverError(NAME, new Error('file shrank while being read')));
        return;
      }
      this.pos += bytesRead;
      this.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }, (err: unknown) => this.destroy(err as Error));
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.fh.close().then(() => cb(err), () => cb(err));
  }

  async sendTo(res: ServerResponse): Promise<void> {
    if (this.started) throw new Error('FileBody.sendTo after reading');
    this.started = true;
    const total = this.end - this.pos + 1;
    const bufs = [Buffer.allocUnsafe(Math.min(READ_BUFFER, total)), Buffer.allocUnsafe(Math.min(READ_BUFFER, Math.max(0, total - READ_BUFFER)))];
    const written: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
    let gone: Error | undefined;
    // A write to a destroyed response never calls back: 'close' ends every wait instead.
    let onClose!: () => void;
    const closed = new Promise<void>((resolve) => {
      onClose = () => {
        gone ??= Object.assign(new Error('client went away'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        resolve();
      };
    });
    res.once('close', onClose);
    try {
      for (let i = 0; this.pos <= this.end; i ^= 1) {
        const buf = bufs[i]!;
        await Promise.race([written[i], closed]);
        if (gone) throw gone;
        const want = Math.min(buf.length, this.end - this.pos + 1);
        const { bytesRead } = await this.fh.read(buf, 0, want, this.pos);
        if (bytesRead === 0) throw new DriverError(NAME, new Error('file shrank while being read'));
        this.pos += bytesRead;
        if (gone) throw gone;
        written[i] = new Promise<void>((resolve) => {
          res.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), () => resolve());
        });
      }
      // The buffers stay referenced by queued writes until they are done; nothing reuses them now.
      res.end();
    } finally {
      res.off('close', onClose);
      this.destroy();
    }
  }
}
