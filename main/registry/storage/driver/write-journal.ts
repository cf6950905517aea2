// A write-ahead journal for the filesystem driver's small writes, moves and deletes, so an
// acknowledged change survives power loss at the cost of one append + fdatasync instead of a
// file fsync and a directory fsync per file. A change is appended to the journal and synced
// first, then applied to the store with plain tmp+rename writes (no syncs); changes that arrive
// while a sync runs are appended together and share the next one (group commit). A record may
// depend on other work (the sync of an upload's bytes that it moves into place): it is written
// and synced meanwhile, and applied only once that work is done. Its move then names the bytes'
// sha256, and a replay skips the move, with the rest of its record, when the source lacks them.
//
// Once the journal has been quiet for a second (or 30 s after a segment was started, or at
// 16 MiB) it is checkpointed: the segment being written is sealed, the whole filesystem is
// synced once (syncfs through `sync -f` on Linux; elsewhere an fsync of each file and folder the
// segment touched), and the segment is removed. A checkpoint makes the syncs of requests that
// run at the same moment wait behind it (syncfs also writes back other files' dirty data), so
// under steady load it is put off (measured: a checkpoint every second raised the p99 of
// back-to-back manifest PUTs from 8.8 to 12.6 ms). At start, segments left by
// a process that died are replayed in order when the machine has restarted since they were
// written (a power loss may have dropped applied changes from the page cache); after a plain
// process crash on a running machine the page cache still holds everything that was applied,
// and a change that was journaled but not applied was never acknowledged, so they are only
// synced and removed. Segments of another live process (a second Berth on the same folder)
// are left alone.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { syncDir } from '../../../lib/atomic-file';
import { isMissingFile } from './errors';
import type { StorageChange } from './types';

/**
 * A change as the journal keeps it: a driver key (not a file path), so the folder may move. A
 * checked move (one with `sha256`) also counts the changes after it in its record, which a
 * replay drops with it when the check fails.
 */
export type JournalOp = StorageChange & { dependents?: number };

export interface JournalTarget {
  /** Applies one change to the store, without syncing. */
  apply(op: JournalOp): Promise<void>;
  /**
   * Whether a checked move may be replayed: its source holds the content it names, or it was
   * made before the restart (the source is gone and the destination is there).
   */
  moveIntact(op: JournalOp & { op: 'move'; sha256: string }): Promise<boolean>;
  /** Makes every applied change durable; `touched` are the keys the sealed segment changed. */
  syncAll(touched: ReadonlySet<string>): Promise<void>;
}

/** When a segment is sealed and checkpointed. */
export interface CheckpointTiming {
  /** Once it holds this much, */
  maxBytes: number;
  /** or once no batch came for this long, */
  idleMs: number;
  /** or at the latest this long after it was started. */
  maxMs: number;
}

const CHECKPOINT: CheckpointTiming = { maxBytes: 16 * 1024 * 1024, idleMs: 1000, maxMs: 30_000 };
const HASH_BYTES = 8;
const FRAME_HEAD = 4 + HASH_BYTES;

export interface SegmentHeader {
  op: 'segment';
  pid: number;
  /** Which journal of its process wrote it (a process may open the same folder twice). */
  instance: string;
  boot: string;
}

/** Instances open in this process, whose segments are live. */
const openHere = new Set<string>();

/** A `record` call's changes while they are applied, and the keys they touch. */
interface Applying {
  keys: string[];
  done: Promise<void>;
}

/** One `record` call: changes applied one after the other, all acknowledged together. */
interface Pending {
  ops: readonly JournalOp[];
  /** The keys the changes touch (keysOf), for the checkpoint's list and the apply's ordering. */
  keys: string[];
  frames: Buffer[];
  /** What must be done before the changes are applied (`record`'s `after`). */
  after: Promise<void> | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

class Segment {
  bytes = 0;
  /** The applies of every batch written to this segment. */
  applied: Promise<void> = Promise.resolve();
  readonly touched = new Set<string>();
  readonly startedAt = Date.now();
  constructor(readonly file: string, readonly fh: FileHandle) {}
}

export class WriteJournal {
  private segment: Promise<Segment> | undefined;
  private queue: Pending[] = [];
  /** The loop writing queued batches, while there are any. */
  private writer: Promise<void> | undefined;
  /** Changes being applied, of any batch: a change waits only for earlier ones it overlaps. */
  private readonly applying = new Set<Applying>();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private sealWanted = false;
  private checkpointing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly instance = randomUUID();

  private constructor(
    private readonly dir: string,
    private readonly target: JournalTarget,
    private readonly boot: string,
    private readonly timing: CheckpointTiming,
  ) {}

  /** Opens the journal in `dir`, first replaying or discarding what dead processes left there. */
  static async open(dir: string, target: JournalTarget, timing: CheckpointTiming = CHECKPOINT): Promise<WriteJournal> {
    await mkdir(dir, { recursive: true });
    const journal = new WriteJournal(dir, target, await bootId(), timing);
    await journal.recover();
    openHere.add(journal.instance);
    return journal;
  }

  /**
   * Resolves once `ops` are on stable storage and applied, in order. With `after`, they are
   * written and synced while it runs, applied only once it is done, and fail if it fails.
   */
  record(ops: readonly StorageChange[], after?: Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the write journal is closed'));
    // Waited for when the batch is applied, which may be after it failed.
    after?.catch(() => undefined);
    const journaled = ops.map((op, i): JournalOp => (op.op === 'move' && op.sha256 !== undefined ? { ...op, dependents: ops.length - 1 - i } : op));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, keys: ops.flatMap(keysOf), frames: journaled.map(encodeFrame), after, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writer) return;
    this.writer = this.writeBatches().finally(() => {
      this.writer = undefined;
      // A record queued after the loop saw an empty queue, but before this ran.
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Checkpoints whatever is journaled and stops; later records are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.sealWanted = true;
    this.kick();
    await this.writer;
    await this.checkpointing;
    openHere.delete(this.instance);
  }

  // The loop below is the only code that switches segments, between two batches, so a batch is
  // never written to a segment that is being checkpointed.
  private async writeBatches(): Promise<void> {
    while (this.queue.length > 0 || this.sealWanted) {
      if (this.sealWanted) this.seal();
      if (this.queue.length === 0) break;
      const batch = this.queue;
      this.queue = [];
      let seg: Segment;
      try {
        seg = await this.activeSegment();
        const data = Buffer.concat(batch.flatMap((p) => p.frames));
        await writeAll(seg.fh, data);
        await seg.fh.datasync();
        seg.bytes += data.length;
      } catch (err) {
        for (const p of batch) p.reject(err);
        // A failed append may have left part of a frame, after which a replay would read
        // nothing: later batches go to a new segment; this one is checkpointed as it is.
        this.seal();
        continue;
      }
      for (const p of batch) for (const k of p.keys) seg.touched.add(k);
      seg.applied = Promise.all([seg.applied, this.applyBatch(batch)]).then(() => undefined);
      if (seg.bytes >= this.timing.maxBytes || Date.now() - seg.startedAt >= this.timing.maxMs) this.sealWanted = true;
      else if (this.timer) this.timer.refresh();
      else this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sealWanted = true;
        this.kick();
      }, this.timing.idleMs).unref();
    }
  }

  // Journal order matters only between changes to the same path (or a folder holding it): a
  // change waits for the earlier ones it overlaps, in this batch or an earlier one still being
  // applied, and runs beside the rest. Before, each batch waited for the whole batch before it,
  // so a slow file call in one request held up the requests journaled after it (manifest PUTs at
  // concurrency 16 were bound by that wait, not by the disk). Requests that depend on each other
  // are ordered anyway: a client sends the second only once the first was acknowledged, that is
  // applied.
  private applyBatch(batch: Pending[]): Promise<void> {
    const done: Array<Promise<void>> = [];
    for (const p of batch) {
      const before: Array<Promise<void>> = p.after ? [p.after] : [];
      for (const r of this.applying) if (r.keys.some((a) => p.keys.some((b) => overlaps(a, b)))) before.push(r.done);
      const entry: Applying = { keys: p.keys, done: Promise.resolve() };
      entry.done = Promise.all(before).then(async () => {
        for (const op of p.ops) await this.target.apply(op);
      }).then(p.resolve, p.reject).finally(() => this.applying.delete(entry));
      this.applying.add(entry);
      done.push(entry.done);
    }
    return Promise.all(done).then(() => undefined);
  }

  private activeSegment(): Promise<Segment> {
    this.segment ??= this.createSegment();
    return this.segment;
  }

  private async createSegment(): Promise<Segment> {
    const file = join(this.dir, segmentName(process.pid, Date.now(), this.seq++));
    const fh = await open(file, 'a');
    try {
      await writeAll(fh, encodeSegment({ op: 'segment', pid: process.pid, instance: this.instance, boot: this.boot }, []));
      await fh.sync();
      // The segment's own name must survive a power loss before anything relies on it.
      await syncDir(this.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(file).catch(() => undefined);
      this.segment = undefined;
      throw err;
    }
    return new Segment(file, fh);
  }

  /** Hands the active segment to a checkpoint: its applies finish, one sync, and it is removed. */
  private seal(): void {
    this.sealWanted = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const sealed = this.segment;
    if (!sealed) return;
    this.segment = undefined;
    this.checkpointing = this.checkpointing.then(async () => {
      let seg: Segment;
      try {
        seg = await sealed;
      } catch {
        return; // it was never created, so nothing was journaled in it
      }
      try {
        await seg.applied;
        await this.target.syncAll(seg.touched);
        await unlink(seg.file);
      } catch {
        // The segment stays and is handled at the next start; the store is still consistent.
      } finally {
        await seg.fh.close().catch(() => undefined);
      }
    });
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_NAME.test(n)).sort(bySegmentOrder);
    const done: string[] = [];
    const touched = new Set<string>();
    for (const name of names) {
      const file = join(this.dir, name);
      const { header, ops } = decodeSegment(await readFile(file));
      if (header && header.boot === this.boot && isLive(header)) continue;
      // Unknown header (a torn first write): nothing in it was ever acknowledged.
      if (header && header.boot !== this.boot) {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i]!;
          if (op.op === 'move' && op.sha256 !== undefined && !(await this.target.moveIntact({ ...op, sha256: op.sha256 }))) {
            // Its source's bytes did not reach the disk: the change was never acknowledged.
            i += op.dependents ?? 0;
            continue;
          }
          await this.target.apply(op).catch((err: unknown) => {
            if (op.op !== 'move' || !isMissingFile(err)) throw err;
            // The move was applied before the restart and its source is gone: nothing to redo.
          });
          for (const k of keysOf(op)) touched.add(k);
        }
      }
      done.push(file);
    }
    if (done.length === 0) return;
    await this.target.syncAll(touched);
    for (const file of done) await unlink(file);
  }
}

/** The keys a change touches: its path, or a move's source and then its destination. */
export function keysOf(op: JournalOp): string[] {
  return op.op === 'move' ? [op.from, op.to] : [op.path];
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
}

// A frame: u32 payload length, the first 8 bytes of the payload's sha256, the payload. The
// payload: u32 length of a JSON description, the JSON, then a put's content.
function encodeFrame(op: JournalOp): Buffer {
  if (op.op !== 'put') return frameOf(Buffer.from(JSON.stringify(op)), Buffer.alloc(0));
  const { content, ...meta } = op;
  return frameOf(Buffer.from(JSON.stringify(meta)), content);
}

/** A whole segment: its header frame, then one frame per change. */
export function encodeSegment(header: SegmentHeader, ops: JournalOp[]): Buffer {
  return Buffer.concat([frameOf(Buffer.from(JSON.stringify(header)), Buffer.alloc(0)), ...ops.map(encodeFrame)]);
}

function frameOf(json: Buffer, content: Uint8Array): Buffer {
  const payload = Buffer.allocUnsafe(4 + json.length + content.byteLength);
  payload.writeUInt32LE(json.length, 0);
  json.copy(payload, 4);
  payload.set(content, 4 + json.length);
  const head = Buffer.allocUnsafe(FRAME_HEAD);
  head.writeUInt32LE(payload.length, 0);
  createHash('sha256').update(payload).digest().copy(head, 4, 0, HASH_BYTES);
  return Buffer.concat([head, payload]);
}

/** The frames of a segment up to the first torn or damaged one (a write the crash cut short). */
export function decodeSegment(data: Buffer): { header: SegmentHeader | undefined; ops: JournalOp[] } {
  const ops: JournalOp[] = [];
  let header: SegmentHeader | undefined;
  for (let at = 0; at + FRAME_HEAD <= data.length;) {
    const len = data.readUInt32LE(at);
    const end = at + FRAME_HEAD + len;
    if (len < 4 || end > data.length) break;
    const payload = data.subarray(at + FRAME_HEAD, end);
    if (!createHash('sha256').update(payload).digest().subarray(0, HASH_BYTES).equals(data.subarray(at + 4, at + FRAME_HEAD))) break;
    const jsonLen = payload.readUInt32LE(0);
    if (4 + jsonLen > payload.length) break;
    let meta: { op: string };
    try {
      meta = JSON.parse(payload.subarray(4, 4 + jsonLen).toString('utf8')) as { op: string };
    } catch {
      break;
    }
    if (at === 0) {
      if (meta.op !== 'segment') break;
      header = meta as SegmentHeader;
    } else if (meta.op === 'put') {
      ops.push({ ...(meta as { op: 'put'; path: string }), content: Buffer.from(payload.subarray(4 + jsonLen)) });
    } else {
      ops.push(meta as JournalOp);
    }
    at = end;
  }
  return { header, ops };
}

/** A segment's file name: the writer's pid, its creation time (base 36) and a sequence number. */
export const SEGMENT_NAME = /^(\d+)-([0-9a-z]+)-(\d{6})\.log$/;

function segmentName(pid: number, time: number, seq: number): string {
  return `${String(pid)}-${time.toString(36)}-${String(seq).padStart(6, '0')}.log`;
}

/** Segments by creation: the writer's start time, then its sequence number. */
function bySegmentOrder(a: string, b: string): number {
  const key = (n: string) => {
    const [, , time = '', seq = ''] = SEGMENT_NAME.exec(n) ?? [];
    return `${time.padStart(12, '0')}-${seq}`;
  };
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** What tells one boot of the machine from the next: Linux's boot id, else the boot time. */
async function bootId(): Promise<string> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    // Rounded, so the same boot reads the same value a few seconds apart.
    return `boot-at-${String(Math.round((Date.now() / 1000 - uptime()) / 60))}`;
  }
}

function isLive(header: SegmentHeader): boolean {
  if (header.pid === process.pid) return openHere.has(header.instance);
  try {
    process.kill(header.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
}
