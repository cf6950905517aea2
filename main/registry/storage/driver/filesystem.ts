// The default driver: plain files under a root directory, in distribution's layout, so a
// volume moves between Berth and registry:2/3. Small objects are replaced atomically
// (temporary file, rename); their durability, and that of moves and deletes, comes from the
// write journal (write-journal.ts): one append + fdatasync per change, shared by concurrent
// changes, instead of an fsync of the file and of its folder. Large objects are written
// through an appending writer that coalesces chunks into large writes, keeps one write in
// flight while the caller hashes the next chunk, syncs itself, and past DIRECT_AFTER writes
// straight to the disk (DirectIo).
import type { ServerResponse } from 'node:http';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as giveWay } from 'node:timers/promises';
import { syncDir } from '../../../lib/atomic-file';
import { BULK_SIZE, giveBack, takeBuffer, takePooled } from '../../../lib/bulk-buffers';
import { checkPath } from './check-path';
import { DriverError, InvalidOffsetError, InvalidPathError, isMissingFile, PathNotFoundError, StorageFullError } from './errors';
import type { CommitOptions, DirectBody, FileInfo, FileWriter, ReadRange, StorageChange, StorageDriver, WriteOptions } from './types';
import { VolumeSyncer } from './volume-syncer';
import { DirectApply, moveNow, putNow } from './direct-apply';
import { keysOf, WriteJournal } from './write-journal';

const NAME = 'filesystem';
// Measured on the bench machine (100 MiB pushes over loopback, median of 12): 4 MiB writes
// with a datasync every 32 MiB took ≈ 215 ms per push; 1 MiB writes with a datasync every
// 4 MiB ≈ 130 ms. Large dirty backlogs make the next write() wait on writeback; frequent
// background syncs keep the backlog, and the acknowledging sync, short.
const WRITE_BUFFER = 1024 * 1024;
const SYNC_EVERY = 4 * 1024 * 1024;
/**
 * A syncing writer switches to direct I/O (DirectIo) past this. Below it direct writes gained
 * nothing measurable (10 MiB pushes are bound by their round trips, not the CPU), and they cost
 * the pulls that follow: a file whose cached pages came from reads rather than writes takes
 * ≈ 20 % more kernel time to read from the cache (measured with 10 MiB files; the cache keeps
 * larger pages for what was written through it). A driver that does not sync (tests) writes
 * through the cache throughout.
 */
export const DIRECT_AFTER = 16 * 1024 * 1024;
/** Aligned buffers per writer: four keep the disk busy while the next is filled (measured, one upload at a time: 555 MB/s with two, 700 with four). */
const DIRECT_BUFFERS = 4;
/** Direct writes are aligned to this in memory, offset and length: a page, which covers 512 and 4096-byte sectors. */
const BLOCK = 4096;
const READ_BUFFER = BULK_SIZE;
/** A pull reading directly lets the event loop run after this many reads (see FileBody). */
const GIVE_WAY_EVERY = 4;
const TMP_PREFIX = randomBytes(4).toString('hex');
let tmpSeq = 0;
/**
 * A temporary name beside `target`, so the rename into place is atomic; the suffix marks strays
 * for fsck. A counter after a per-process random prefix: unique without asking the OS for randomness.
 */
const tmpPath = (target: string) => `${target}.${TMP_PREFIX}${(tmpSeq++).toString(36)}.tmp`;
/** Larger contents are synced in place rather than copied through the journal. */
const JOURNAL_MAX_CONTENT = 1024 * 1024;
/**
 * A move that names its source's content (`sha256`) is journaled while the source is still being
 * synced, up to this size; a larger one waits for the sync first. A replay after a power loss
 * re-hashes the source of each such move, and the overlap saves one journal sync per push, which
 * matters for small pushes only (measured: 1 MiB pushes' median p50 down 1.5–2.5 ms, 10 MiB unchanged).
 */
const CHECKED_MOVE_MAX = 4 * 1024 * 1024;
/** The journal's folder in the root, beside distribution's `docker/` (which registry:2/3 alone read). */
export const JOURNAL_DIR = 'berth-journal';

export interface FilesystemDriverOptions {
  rootdirectory: string;
  /** Make writes durable (on by default; tests of throughput may turn it off). */
  sync?: boolean;
  /** Durability through the write journal rather than per-file syncs (default: when syncing). */
  journal?: boolean;
  /** When the journal's applies are made directly (tests pass one that never does). */
  directApply?: DirectApply;
  /** When a pull's file reads are made directly (likewise). */
  directReads?: DirectApply;
}

export class FilesystemDriver implements StorageDriver {
  readonly name = NAME;
  private readonly root: string;
  private readonly sync: boolean;
  private readonly useJournal: boolean;
  /** Opened by the first call, which first replays what a crash left (see write-journal.ts). */
  private journal: Promise<WriteJournal | undefined> | undefined;
  private journalError: unknown;
  private readonly syncer: VolumeSyncer;
  private readonly directApply: DirectApply;
  private readonly directReads: DirectApply;
  private readonly directIo = new DirectIo();

  constructor(opts: FilesystemDriverOptions) {
    this.root = opts.rootdirectory;
    this.sync = opts.sync ?? true;
    this.useJournal = this.sync && (opts.journal ?? true);
    this.syncer = new VolumeSyncer(this.root);
    this.directApply = opts.directApply ?? new DirectApply();
    this.directReads = opts.directReads ?? new DirectApply();
  }

  private ready(): Promise<WriteJournal | undefined> {
    this.journal ??= this.useJournal
      ? WriteJournal.open(join(this.root, JOURNAL_DIR), {
        apply: (op) => this.applyJournaled(op),
        syncAll: (keys) => this.syncAll(keys),
        moveIntact: (op) => this.moveIntact(op.from, op.to, op.sha256),
      })
        .catch((err: unknown) => {
          // A store that cannot take a journal (a read-only volume) can still be read; its writes fail.
          this.journalError = err;
          return undefined;
        })
      : Promise.resolve(undefined);
    return this.journal;
  }

  async close(): Promise<void> {
    const journal = await this.journal?.catch(() => undefined);
    await journal?.close();
    this.syncer.close();
  }

  /** One change in place; `sync` makes it durable by itself (without the journal). */
  private async change(c: StorageChange, sync: boolean): Promise<void> {
    if (c.op === 'put') {
      await this.replace(this.full(c.path), c.content, sync);
    } else if (c.op === 'move') {
      const dst = this.full(c.to);
      await inParent(dirname(dst), () => rename(this.full(c.from), dst));
      if (sync) await syncDir(dirname(dst));
    } else {
      await rm(this.full(c.path), { recursive: true, force: true });
    }
  }

  /**
   * A journaled change, applied without syncing: a put or a move directly while that is quick
   * (direct-apply.ts); a delete, which may be a whole tree, always through the thread pool.
   */
  private async applyJournaled(c: StorageChange): Promise<void> {
    const direct = c.op !== 'delete' && this.directApply.run(() => {
      if (c.op === 'put') {
        const target = this.full(c.path);
        putNow(target, tmpPath(target), c.content);
      } else if (c.op === 'move') moveNow(this.full(c.from), this.full(c.to));
    });
    if (!direct) await this.change(c, false);
  }

  /** Makes every applied change durable: one syncfs where there is one, else each file and folder touched. */
  private async syncAll(keys: ReadonlySet<string>): Promise<void> {
    if (await this.syncer.sync()) return;
    const dirs = new Set<string>();
    for (const key of keys) {
      const file = this.full(key);
      await syncFile(file);
      for (let d = dirname(file); d.startsWith(this.root) && !dirs.has(d); d = dirname(d)) dirs.add(d);
    }
    for (const d of dirs) await syncDir(d).catch(() => undefined);
  }

  /** A replayed move's source holds `sha256`, or the move was made (source gone, destination there). */
  private async moveIntact(from: string, to: string, sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.full(from))) hash.update(chunk as Buffer);
    } catch (err) {
      if (!isMissingFile(err)) throw err;
      return stat(this.full(to)).then(() => true, (e: unknown) => {
        if (isMissingFile(e)) return false;
        throw e;
      });
    }
    return `sha256:${hash.digest('hex')}` === sha256;
  }

  /** tmp + rename in the target's folder; `sync` also syncs the file and the folder. */
  private async replace(target: string, content: Uint8Array, sync: boolean): Promise<void> {
    const tmp = tmpPath(target);
    try {
      const fh = await inParent(dirname(target), () => open(tmp, 'w'));
      try {
        await fh.writeFile(content);
        if (sync) await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      if (sync) await syncDir(dirname(target));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private full(path: string): string {
    const parts = checkPath(path, NAME);
    // The journal's folder is the driver's own, not part of the key space.
    if (parts[0] === JOURNAL_DIR) throw new InvalidPathError(path, NAME);
    return join(this.root, ...parts);
  }

  private fail(err: unknown, path: string): never {
    // Already a tier-1 error (a refused path, or a writer's failure reaching a commit through
    // its `after`): wrapping it would hide it from the stores.
    if (err instanceof InvalidPathError || err instanceof StorageFullError || err instanceof DriverError) throw err;
    if (isMissingFile(err)) throw new PathNotFoundError(path, NAME);
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new StorageFullError(path, NAME);
    throw new DriverError(NAME, err);
  }

  async getContent(path: string): Promise<Buffer> {
    const file = this.full(path);
    await this.ready();
    try {
      return await readFile(file);
    } catch (err) {
      this.fail(err, path);
    }
  }

  async putContent(path: string, content: Uint8Array, opts: WriteOptions = {}): Promise<void> {
    if (this.sync && opts.durable !== false) return this.commit([{ op: 'put', path, content }]);
    const target = this.full(path);
    try {
      await this.ready();
      await this.replace(target, content, false);
    } catch (err) {
      this.fail(err, path);
    }
  }

  async commit(changes: readonly StorageChange[], opts: CommitOptions = {}): Promise<void> {
    opts.after?.catch(() => undefined); // waited for below, unless the commit fails first
    // Every key is checked before anything changes.
    for (const c of changes) for (const k of keysOf(c)) this.full(k);
    let at = '/';
    try {
      const journal = await this.ready();
      if (this.journalError !== undefined) throw this.journalError;
      // The journal's sync runs beside `after`; a change made in place waits for it.
      const { after } = opts;
      let run: StorageChange[] = [];
      for (const [i, change] of changes.entries()) {
        let c = change;
        at = keysOf(c)[0]!;
        if (journal && change.op === 'move') {
          // A journaled move of nothing would fail only when applied, after it was acknowledged.
          const made = changes.slice(0, i).some((e) => keysOf(e).at(-1) === change.from);
          const size = made ? Infinity : (await stat(this.full(change.from))).size;
          if (change.sha256 !== undefined && size > CHECKED_MOVE_MAX) {
            await after;
            c = { op: 'move', from: change.from, to: change.to };
          }
        }
        if (journal && (c.op !== 'put' || c.content.byteLength <= JOURNAL_MAX_CONTENT)) {
          run.push(c);
          continue;
        }
        if (run.length > 0) await journal?.record(run, after);
        run = [];
        await after;
        await this.change(c, this.sync);
      }
      if (run.length > 0) await journal?.record(run, after);
      await after;
    } catch (err) {
      this.fail(err, at);
    }
  }

  async reader(path: string, range: ReadRange = {}): Promise<Readable> {
    const file = this.full(path);
    await this.ready();
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
    return new FileBody(fh, start, range.end ?? Math.max(size - 1, 0), this.directReads);
  }

  async writer(path: string, opts: { append: boolean }): Promise<FileWriter> {
    const file = this.full(path);
    try {
      await this.ready();
      // Appending either way: a writer's plain writes land after its direct ones (FsWriter).
      const flags = opts.append ? 'a' : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;
      const fh = await inParent(dirname(file), () => open(file, flags));
      const size = opts.append ? (await fh.stat()).size : 0;
      return new FsWriter(fh, file, path, size, this.sync, this.directIo, (e) => this.fail(e, path));
    } catch (err) {
      this.fail(err, path);
    }
  }

  async stat(path: string): Promise<FileInfo> {
    const file = this.full(path);
    await this.ready();
    try {
      const s = await stat(file);
      return { path, size: s.size, modTime: s.mtime, isDir: s.isDirectory() };
    } catch (err) {
      this.fail(err, path);
    }
  }

  async list(path: string): Promise<string[]> {
    const dir = this.full(path);
    await this.ready();
    try {
      const names = await readdir(dir);
      return path === '/' ? names.filter((n) => n !== JOURNAL_DIR) : names;
    } catch (err) {
      this.fail(err, path);
    }
  }

  move(from: string, to: string): Promise<void> {
    return this.commit([{ op: 'move', from, to }]);
  }

  async delete(path: string, opts: WriteOptions = {}): Promise<void> {
    const file = this.full(path);
    try {
      await this.ready();
      await stat(file);
    } catch (err) {
      this.fail(err, path);
    }
    if (this.sync && opts.durable !== false) return this.commit([{ op: 'delete', path }]);
    try {
      await rm(file, { recursive: true, force: true });
    } catch (err) {
      this.fail(err, path);
    }
  }

  async pruneEmptyDirs(path: string, stopAt: string): Promise<void> {
    const stop = this.full(stopAt);
    let dir = this.full(path);
    await this.ready();
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

/** fsync of a file that may since have been removed or replaced by a folder. */
async function syncFile(file: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch (err) {
    // A folder that cannot be fsynced (Windows) is not a failed write; anything else is.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await fh.close();
  }
}

/**
 * Opens an upload's file a second time for direct I/O (O_DIRECT), while the filesystem takes it.
 * A large upload written through the page cache costs the kernel a fresh cache page per 4 KiB,
 * found (and on a full cache, reclaimed) one at a time, plus a copy into it, and the bytes are
 * synced before the upload is acknowledged anyway; it also pushes other files out of the cache.
 * Measured on the bench machine, writing 100 MiB files four at a time as pushes do: 1.4–2.3 CPU-s
 * of kernel time per GB through the cache, 0.15–0.23 direct (the cache's cost swings with the
 * machine's memory state). In whole 100 MiB pushes, where the hash and the network cost more,
 * against the build before: 0.80–0.91× the server CPU per GB, 0.98–1.11× the throughput.
 */
class DirectIo {
  private works = constants.O_DIRECT !== undefined;

  /** The second handle, or undefined: then the writer keeps writing through the cache. */
  async open(file: string): Promise<FileHandle | undefined> {
    if (!this.works) return undefined;
    try {
      return await open(file, constants.O_WRONLY | constants.O_DIRECT);
    } catch (err) {
      // A filesystem without direct I/O refuses the flag: through the cache from now on. Any
      // other failure (out of descriptors, say) costs this upload the speed-up, not its bytes.
      if ((err as NodeJS.ErrnoException).code === 'EINVAL') this.works = false;
      return undefined;
    }
  }

  /**
   * A direct write was refused as invalid (a filesystem that takes the flag but not the writes,
   * or blocks larger than a page): that upload fails, and later ones go through the cache.
   */
  refused(err: unknown): void {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') this.works = false;
  }
}

/**
 * Appends to one file. Chunks are coalesced into writes of WRITE_BUFFER through the page cache;
 * past DIRECT_AFTER bytes they are copied instead into aligned buffers that are written directly
 * to the disk (DirectIo), up to DIRECT_BUFFERS of them in flight. Direct writes take whole blocks
 * at block offsets: the bytes up to the first block boundary, and those in a last partial buffer
 * when the body ends (`flush`), go through the cache. A write through the cache is issued only
 * while no direct write is in flight, and the file is opened for appending, so each such write
 * lands at the end of what is there.
 */
class FsWriter implements FileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> = Promise.resolve();
  /** See FileWriter.writtenSize. */
  writtenSize: number;
  private error: unknown;
  private closed = false;
  private unsynced = 0;
  private syncing: Promise<unknown> = Promise.resolve();
  private syncRunning = false;
  /** The O_DIRECT handle, opened when first needed; null when the filesystem has none. */
  private dfh: FileHandle | null | undefined;
  /** Aligned buffers, held while a body streams in; the one being filled is `slot`. */
  private slabs: Buffer[] = [];
  private slabWrites: Array<Promise<void>> = [];
  private slot = 0;
  private fill = 0;
  /** File offset of the first byte of the buffer being filled. */
  private slabAt = 0;
  /** Bytes written with direct I/O (for tests). */
  directBytes = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly key: string,
    public size: number,
    private readonly sync: boolean,
    private readonly direct: DirectIo,
    private readonly fail: (err: unknown) => never,
  ) {
    this.writtenSize = size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed) throw new DriverError(NAME, new Error(`writer for ${this.key} is closed`));
    if (this.error) this.fail(this.error);
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.slabs.length === 0 && this.sync && this.size >= DIRECT_AFTER && this.dfh !== null) buf = await this.goDirect(buf);
    if (this.slabs.length > 0) return this.copyIn(buf);
    this.queue(buf);
    if (this.pendingBytes >= WRITE_BUFFER) {
      // Wait for the previous write only, so hashing of the next chunks overlaps this one.
      await this.inflight;
      if (this.error) this.fail(this.error);
      this.startFlush();
    }
  }

  private queue(buf: Buffer): void {
    if (buf.length === 0) return;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.size += buf.length;
  }

  /**
   * Switches to direct writes when the filesystem and the pool allow: the bytes up to the next
   * block boundary are written through the cache first. Returns what is left of `buf`.
   */
  private async goDirect(buf: Buffer): Promise<Buffer> {
    const head = (BLOCK - (this.size % BLOCK)) % BLOCK;
    if (head > buf.length) return buf; // the next chunk reaches the boundary
    if (this.dfh === undefined) {
      this.dfh = (await this.direct.open(this.file)) ?? null;
      if (this.dfh === null) return buf;
    }
    const slabs = takePooled(DIRECT_BUFFERS);
    if (slabs.length === 0) return buf; // every buffer is lent out: through the cache for now
    this.queue(buf.subarray(0, head));
    this.startFlush();
    await this.inflight;
    this.slabs = slabs;
    this.slabWrites = slabs.map(() => Promise.resolve());
    this.slot = 0;
    this.fill = 0;
    this.slabAt = this.size;
    if (this.error) this.fail(this.error);
    return buf.subarray(head);
  }

  private async copyIn(buf: Buffer): Promise<void> {
    while (buf.length > 0) {
      const n = buf.copy(this.slabs[this.slot]!, this.fill);
      this.fill += n;
      this.size += n;
      buf = buf.subarray(n);
      if (this.fill === BULK_SIZE) {
        this.slabWrites[this.slot] = this.writeDirect(this.slabs[this.slot]!, this.slabAt);
        this.slabAt += BULK_SIZE;
        this.fill = 0;
        this.slot = (this.slot + 1) % this.slabs.length;
        // The next buffer is filled only once its last write completed.
        await this.slabWrites[this.slot];
        if (this.error) this.fail(this.error);
      }
    }
    // Every byte of the caller's chunk is copied: nothing of it is held any more.
    this.writtenSize = this.size;
  }

  private async writeDirect(slab: Buffer, at: number): Promise<void> {
    try {
      let done = 0;
      while (done < slab.length) done += (await this.dfh!.write(slab, done, slab.length - done, at + done)).bytesWritten;
      this.directBytes += slab.length;
    } catch (err) {
      this.direct.refused(err);
      this.error ??= err;
    }
  }

  /** Waits for the direct writes, writes a last partial buffer through the cache, and lends the buffers back. */
  private async endDirect(): Promise<void> {
    if (this.slabs.length === 0) return;
    await Promise.all(this.slabWrites);
    const tail = this.slabs[this.slot]!.subarray(0, this.fill);
    this.fill = 0;
    if (tail.length > 0 && !this.error) {
      try {
        let done = 0;
        while (done < tail.length) done += (await this.fh.write(tail, done)).bytesWritten;
      } catch (err) {
        this.error = err;
      }
    }
    this.lendBack();
  }

  private lendBack(): void {
    giveBack(...this.slabs);
    this.slabs = [];
    this.slabWrites = [];
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
      this.writtenSize += total;
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
    await this.endDirect();
    this.startFlush();
    await this.inflight;
    await this.syncing;
    if (this.error) {
      await this.release();
      this.fail(this.error);
    }
  }

  /** Closes both handles; the writer is done. */
  private async release(): Promise<void> {
    this.closed = true;
    await this.dfh?.close().catch(() => undefined);
    await this.fh.close().catch(() => undefined);
  }

  async flush(): Promise<void> {
    if (this.closed) throw new DriverError(NAME, new Error(`writer for ${this.key} is closed`));
    // A background datasync may still run: the commit waits for it, a chunk need not.
    await this.endDirect();
    this.startFlush();
    await this.inflight;
    if (this.error) this.fail(this.error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await this.dfh?.close();
    await this.fh.close();
  }

  async commit(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    try {
      // One datasync covers the file whichever handle wrote it, the direct writes' new blocks
      // and size included, and flushes the disk's write cache.
      if (this.sync) await this.fh.datasync();
    } catch (err) {
      this.error = err;
    }
    await this.release();
    if (this.error) this.fail(this.error);
  }

  async cancel(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.inflight.catch(() => undefined);
      await Promise.all(this.slabWrites);
      this.lendBack();
      await this.release();
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
 *
 * `sendTo` reads directly (synchronously) while that is quick, as the journal's applies are
 * made (direct-apply.ts): a pull's file is nearly always in the page cache, where a 1 MiB read
 * is a copy of ≈ 0.25 ms, and a read through libuv's thread pool costs twice the CPU of the copy
 * (measured here, 500 MiB read in 1 MiB reads: 0.20–0.27 CPU-s, 0.12–0.13 directly). On the
 * bench machine that was 10–29 % less server CPU per GB of pulls. A file that has to come
 * from the disk makes the reads slow on average, and they go through the thread pool again.
 */
class FileBody extends Readable implements DirectBody {
  private pos: number;
  private started = false;

  constructor(private readonly fh: FileHandle, start: number, private readonly end: number, private readonly direct: DirectApply) {
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
    const bufs = [takeBuffer(Math.min(READ_BUFFER, total)), takeBuffer(Math.min(READ_BUFFER, Math.max(0, total - READ_BUFFER)))];
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
      let directReads = 0;
      for (let i = 0; this.pos <= this.end; i ^= 1) {
        const buf = bufs[i]!;
        await Promise.race([written[i], closed]);
        if (gone) throw gone;
        const want = Math.min(buf.length, this.end - this.pos + 1);
        let bytesRead = 0;
        const pos = this.pos;
        if (this.direct.run(() => (bytesRead = readSync(this.fh.fd, buf, 0, want, pos)))) {
          // A direct read, then a write the socket takes at once, complete without going back
          // to the event loop: a pull whose client keeps up would go on alone until its socket
          // filled, while the other pulls' writes waited (the slowest of eight 100 MiB pulls at
          // once took 1.3× as long as through the thread pool). So every few MiB it gives way.
          if (++directReads % GIVE_WAY_EVERY === 0) await giveWay();
        } else {
          ({ bytesRead } = await this.fh.read(buf, 0, want, pos));
        }
        if (bytesRead === 0) throw new DriverError(NAME, new Error('file shrank while being read'));
        this.pos += bytesRead;
        if (gone) throw gone;
        written[i] = new Promise<void>((resolve) => {
          res.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), () => resolve());
        });
      }
      res.end();
    } finally {
      res.off('close', onClose);
      this.destroy();
      // A buffer goes back once its last write completed (a write to a response that was
      // destroyed never completes: that buffer is left to the GC).
      for (const i of [0, 1]) void written[i]!.then(() => giveBack(bufs[i]!));
    }
  }
}
