// SHA-256 of large byte streams, computed on a worker thread. A large push spends about 40 % of
// the event loop's time hashing (1.7 GB/s on one core with the CPU's SHA extensions, against
// ≈ 700 MB/s received); on a thread of its own the hashing overlaps the receiving and writing
// instead of taking turns with them. A stream's bytes are copied into 1 MiB batches whose memory
// is moved to the worker and back with each message, so nothing is copied twice and the batches
// are reused rather than left for the GC.
//
// The worker costs ≈ 12 MB while it runs, so it starts with the first stream and stops once no
// stream has been open for `idleMs`. A stream fed nothing for `staleMs` (an upload whose client
// went quiet between chunks) is given up, so one abandoned upload cannot keep the worker. A
// stream given up, or caught in a worker that failed, answers `undefined` for its digest: the
// caller then hashes the bytes again from where it stored them.
import { Worker } from 'node:worker_threads';
import { releaseBuffer } from './release-buffer';

const BATCH = 1024 * 1024;
/** Batches a stream may have on the worker before `update` asks its caller to wait. */
const MAX_IN_FLIGHT = 2;
/** Batches kept for reuse while the worker runs (the rest are freed when they come back). */
const KEEP_FREE = 8;

export interface HashThreadOptions {
  /** The worker stops this long after the last stream closed. */
  idleMs: number;
  /** A stream fed nothing for this long is given up. */
  staleMs: number;
  /** How often both are checked. */
  tickMs: number;
}

const DEFAULTS: HashThreadOptions = { idleMs: 5_000, staleMs: 30_000, tickMs: 1_000 };

// Plain JavaScript, run with `eval`: the worker needs no file of its own in the bundle or the
// packaged app. It keeps one hash per stream id and sends each batch's memory straight back.
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'drop') { hashes.delete(m.id); return; }
  let h = hashes.get(m.id);
  if (h === undefined) { h = createHash('sha256'); hashes.set(m.id, h); }
  if (m.op === 'update') {
    h.update(new Uint8Array(m.buf, 0, m.len));
    parentPort.postMessage({ id: m.id, buf: m.buf }, [m.buf]);
  } else {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  }
});
`;

interface Reply {
  id: number;
  /** A batch the worker has hashed, back for reuse. */
  buf?: ArrayBuffer;
  /** The digest a stream asked for, in hex. */
  hex?: string;
}

export class HashThread {
  private worker: Worker | undefined;
  private readonly streams = new Map<number, ThreadHash>();
  private free: ArrayBuffer[] = [];
  private nextId = 1;
  private ticker: NodeJS.Timeout | undefined;
  private lastClosed = 0;
  /** Messages whose answer has not come back yet. */
  private awaited = 0;
  private readonly opts: HashThreadOptions;

  constructor(opts: Partial<HashThreadOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** A new stream; the worker starts if it is not running. */
  open(): ThreadHash {
    const s = new ThreadHash(this, this.nextId++);
    this.streams.set(s.id, s);
    this.start();
    return s;
  }

  /** Whether the worker is running (for tests and the bench). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the worker now: its open streams are lost, as when it fails. */
  async stop(): Promise<void> {
    const w = this.worker;
    this.lose();
    await w?.terminate();
  }

  /** @internal */
  batch(): ArrayBuffer {
    return this.free.pop() ?? new ArrayBuffer(BATCH);
  }

  /** @internal A batch the stream no longer needs. */
  recycle(buf: ArrayBuffer): void {
    if (this.worker && this.free.length < KEEP_FREE) this.free.push(buf);
    else releaseBuffer(new Uint8Array(buf));
  }

  /** @internal */
  post(msg: { op: 'update'; id: number; buf: ArrayBuffer; len: number } | { op: 'digest' | 'drop'; id: number }): void {
    const w = this.worker;
    if (!w) return;
    if (msg.op === 'update') w.postMessage(msg, [msg.buf]);
    else w.postMessage(msg);
    // A process waiting only for a digest (a CLI import, say) must not exit before it arrives;
    // an idle worker must not keep the process.
    if (msg.op !== 'drop' && this.awaited++ === 0) w.ref();
  }

  /** @internal */
  close(s: ThreadHash): void {
    if (this.streams.delete(s.id) && this.streams.size === 0) this.lastClosed = Date.now();
  }

  private start(): void {
    if (this.worker) return;
    // None of the parent's node options: a loader (`--import`) or `--input-type=module` would
    // turn the CommonJS source above into something else.
    const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    w.on('message', (m: Reply) => {
      if (w === this.worker) this.reply(m);
    });
    w.on('error', () => this.lose(w));
    w.on('exit', () => this.lose(w));
    // Kept alive only while a batch or a digest is out (see post). After the listeners: adding
    // one refs it again.
    w.unref();
    this.worker = w;
    this.ticker = setInterval(() => this.tick(), this.opts.tickMs).unref();
  }

  private reply(m: Reply): void {
    if (--this.awaited === 0) this.worker?.unref();
    const s = this.streams.get(m.id);
    if (m.buf) {
      this.recycle(m.buf);
      s?.hashed();
    }
    if (m.hex !== undefined) s?.settle(m.hex);
  }

  private tick(): void {
    const now = Date.now();
    for (const s of this.streams.values()) {
      if (!s.digesting && now - s.fedAt >= this.opts.staleMs) s.discard();
    }
    if (this.streams.size === 0 && now - this.lastClosed >= this.opts.idleMs) void this.stop();
  }

  /** The worker is gone (stopped, failed, or exited): every open stream is lost. */
  private lose(w?: Worker): void {
    if (w && w !== this.worker) return;
    this.worker = undefined;
    this.awaited = 0;
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const buf of this.free) releaseBuffer(new Uint8Array(buf));
    this.free = [];
    const lost = [...this.streams.values()];
    this.streams.clear();
    for (const s of lost) s.lost();
  }
}

/** One byte stream's running SHA-256 on the worker. */
export class ThreadHash {
  private buf: ArrayBuffer | undefined;
  private len = 0;
  private inFlight = 0;
  private gone = false;
  private wake: (() => void) | undefined;
  private answer: ((hex: string | undefined) => void) | undefined;
  /** When bytes last arrived, in ms. */
  fedAt = Date.now();

  constructor(private readonly thread: HashThread, readonly id: number) {}

  get digesting(): boolean {
    return this.answer !== undefined;
  }

  /**
   * Adds `bytes`, copying them: the caller may reuse their memory as soon as this returns. Returns
   * a promise when the worker is behind; waiting for it bounds the memory a stream holds.
   */
  update(bytes: Uint8Array): Promise<void> | undefined {
    if (this.gone) return undefined;
    this.fedAt = Date.now();
    let at = 0;
    while (at < bytes.length) {
      this.buf ??= this.thread.batch();
      const n = Math.min(BATCH - this.len, bytes.length - at);
      new Uint8Array(this.buf, this.len, n).set(bytes.subarray(at, at + n));
      this.len += n;
      at += n;
      if (this.len === BATCH) this.flush();
    }
    if (this.inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** Sends the bytes held so far, so that no batch waits while the stream is between bodies. */
  flush(): void {
    if (this.gone || !this.buf || this.len === 0) return;
    this.thread.post({ op: 'update', id: this.id, buf: this.buf, len: this.len });
    this.buf = undefined;
    this.len = 0;
    this.inFlight++;
  }

  /** The hex digest of every byte added, or `undefined` if the stream was lost. Ends the stream. */
  digest(): Promise<string | undefined> {
    if (this.gone) return Promise.resolve(undefined);
    this.flush();
    const answer = new Promise<string | undefined>((resolve) => (this.answer = resolve));
    this.thread.post({ op: 'digest', id: this.id });
    return answer;
  }

  /** Ends the stream without a digest. */
  discard(): void {
    if (this.gone) return;
    this.thread.post({ op: 'drop', id: this.id });
    this.end();
  }

  /** @internal A batch came back. */
  hashed(): void {
    this.inFlight--;
    if (this.inFlight < MAX_IN_FLIGHT) this.resume();
  }

  /** @internal */
  settle(hex: string): void {
    const answer = this.answer;
    this.end();
    answer?.(hex);
  }

  /** @internal The worker went away. */
  lost(): void {
    const answer = this.answer;
    this.end();
    answer?.(undefined);
  }

  private end(): void {
    this.gone = true;
    this.answer = undefined;
    if (this.buf) this.thread.recycle(this.buf);
    this.buf = undefined;
    this.thread.close(this);
    this.resume();
  }

  private resume(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The process's hash thread. */
export const hashThread = new HashThread();
