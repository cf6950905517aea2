// bcrypt compares on a few worker threads. bcryptjs is plain JavaScript: a cost-10 compare is
// ~60 ms of CPU, and on the event loop a burst of logins (or of guesses) would stall every other
// client for that long each. Here the loop only posts a message; a bounded queue in front of
// the workers turns a flood into a quick refusal instead of unbounded memory and latency.
//
// The worker is started from source text (`eval`), not from a file: the desktop app ships its
// bundles inside an asar archive, from which worker threads cannot load scripts. The bundles
// carry bcryptjs's source as text (scripts/bcrypt-source.mjs); run from source (tsx), the worker
// requires bcryptjs from node_modules.
import { Worker } from 'node:worker_threads';
import { berthDefault } from '../config/berth-section';

declare const __BCRYPTJS_SOURCE__: string | undefined;

// One compare per message; compareSync is right here: the thread has nothing else to do.
// On Linux the thread first lowers its own priority to nice 19 (setpriority on the calling
// thread changes that thread only there; elsewhere it would lower the whole process, so it is
// skipped): a burst of logins or guesses then takes only the CPU that serving requests leaves.
// At the same priority, 50 parallel wrong-password guesses on 2 cores took the manifest GET
// p99 of a logged-in client from ≈ 0.3 ms to ≈ 4 ms (npm run bench -- --scenario
// auth-guesses); at nice 19, ≈ 1.1-1.8x its quiet p99. The price: while the CPU is busy, the
// compares (and a login queued behind guesses) wait longer; on an idle core they run at full
// speed, and under the scheduler's autogroups a nice value only ranks Berth's own threads.
const WORKER_LOOP = `
const { parentPort } = require('node:worker_threads');
if (process.platform === 'linux') {
  try { require('node:os').setPriority(19); } catch { /* a sandbox may refuse: run at normal priority */ }
}
parentPort.on('message', (m) => {
  let ok = false;
  try { ok = bcrypt.compareSync(m.password, m.hash); } catch { ok = false; }
  parentPort.postMessage(ok);
});`;

function workerSource(): string {
  const bcrypt = typeof __BCRYPTJS_SOURCE__ === 'string' ? __BCRYPTJS_SOURCE__ : "require('bcryptjs')";
  return `'use strict';\nconst bcrypt = ${bcrypt};\n${WORKER_LOOP}`;
}

/** The queue in front of the workers is full: the caller should answer "try again shortly". */
export class BcryptBusyError extends Error {
  constructor() {
    super('too many logins are being checked; try again shortly');
  }
}

interface Job { password: string; hash: string; resolve(ok: boolean): void; reject(err: Error): void }

interface Slot { worker: Worker; job: Job | undefined }

/** Compares that may wait per worker: at ~60 ms each, about two seconds of work. */
const QUEUE_PER_WORKER = 32;

/** Idle workers exit after this long, so an idle server holds no threads. */
const IDLE_MS = 30_000;

export class BcryptPool {
  /** Compares handed to a worker so far (tests prove what the limiter saves with it). */
  started = 0;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /** `maxQueue`: compares allowed to wait for a worker; beyond it compare() throws BcryptBusyError. */
  constructor(private size: number, private readonly maxQueue?: number) {}

  resize(size: number): void {
    this.size = size;
    for (const s of this.slots.filter((x) => !x.job).slice(0, Math.max(0, this.slots.length - size))) this.retire(s);
  }

  /** Starts one worker ahead of the first compare (it exits again when left idle). */
  warm(): void {
    if (this.slots.length === 0) this.next(this.spawn());
  }

  compare(password: string, hash: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const job = { password, hash, resolve, reject };
      const free = this.slots.find((s) => !s.job);
      if (free) return this.run(free, job);
      if (this.slots.length < this.size) return this.run(this.spawn(), job);
      if (this.queue.length >= (this.maxQueue ?? QUEUE_PER_WORKER * this.size)) return reject(new BcryptBusyError());
      this.queue.push(job);
    });
  }

  /** Stops every worker; compares in flight or queued fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    for (const j of this.queue.splice(0)) j.reject(new Error('bcrypt pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => {
      s.job?.reject(new Error('bcrypt pool closed'));
      return s.worker.terminate();
    }));
  }

  private spawn(): Slot {
    // No execArgv: the source is plain JavaScript and needs none of the parent's loaders (tsx).
    const worker = new Worker(workerSource(), { eval: true, execArgv: [] });
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (ok: unknown) => {
      const job = slot.job;
      slot.job = undefined;
      job?.resolve(ok === true);
      this.next(slot);
    });
    // A worker that dies (it should not) fails its compare and is replaced on demand.
    const died = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.job?.reject(err);
      slot.job = undefined;
      const waiting = this.queue.shift();
      if (waiting) this.run(this.spawn(), waiting);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`bcrypt worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    clearTimeout(this.idleTimer);
    slot.job = job;
    this.started++;
    slot.worker.ref(); // a compare in flight keeps the process alive; an idle worker does not
    slot.worker.postMessage({ password: job.password, hash: job.hash });
  }

  private next(slot: Slot): void {
    if (this.slots.length > this.size) return this.retire(slot);
    const job = this.queue.shift();
    if (job) return this.run(slot, job);
    slot.worker.unref();
    if (this.slots.every((s) => !s.job)) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => { for (const s of [...this.slots]) if (!s.job) this.retire(s); }, IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }
}

let shared: BcryptPool | undefined;

/** The process's pool (controllers come and go with settings changes; the threads stay). */
export function sharedBcryptPool(size = berthDefault('berth.auth.bcryptworkers') as number): BcryptPool {
  if (!shared) shared = new BcryptPool(size);
  else shared.resize(size);
  return shared;
}
