// Closed-loop concurrency runner: N lanes each run one operation at a time until the time
// bound or the op budget is hit, whichever comes first. Any failed operation aborts the run.
import { fork } from 'node:child_process';
import path from 'node:path';
import { Histogram, type HistogramJSON } from './histogram';

/** One unit of work; resolves to the payload bytes it moved (0 for request-count scenarios). */
export type Op = (seq: number) => Promise<number>;

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  maxOps: number;
  /** Unrecorded ops run first (opens keep-alive connections, warms caches). */
  warmupOps?: number;
  /**
   * Started as the measured part starts; the measured part then also ends when it settles (ops
   * in flight still finish and count), so the figures cover exactly the time it was running
   * (issue 10: latency while wrong-password guesses are being answered). Its failure fails the run.
   */
  during?: () => Promise<unknown>;
}

export interface LoadResult {
  ops: number;
  bytes: number;
  elapsedMs: number;
  hist: Histogram;
  /** CPU used by the load generator (all its processes) during the measured part. */
  clientCpuMs: number;
  clientProcesses: number;
}

/**
 * The orchestrator samples server CPU/RSS exactly around the measured part (after warm-up):
 * it arms these hooks, and the next runLoad/runLoadInWorkers call takes them.
 */
export interface MeasureHooks { start(): void; stop(): void }
let armed: MeasureHooks | undefined;
export function armMeasureHooks(h: MeasureHooks | undefined): void {
  armed = h;
}
function takeHooks(): MeasureHooks | undefined {
  const h = armed;
  armed = undefined;
  return h;
}

/** Seqs of warm-up ops start here so they never collide with measured ones. */
export const WARMUP_SEQ_BASE = 1_000_000_000;

async function lanes(op: Op, n: number, count: number, deadline: number, firstSeq: number, hist?: Histogram, stop?: { now: boolean }) {
  let next = 0;
  let bytes = 0;
  let failure: unknown;
  const lane = async () => {
    // Bounded: at most `count` ops in total, never past the deadline, and not once told to stop.
    while (failure === undefined && next < count && performance.now() < deadline && stop?.now !== true) {
      const seq = firstSeq + next++;
      const t0 = performance.now();
      try {
        // Not `bytes += await op()`: that reads `bytes` before awaiting and loses concurrent updates.
        const moved = await op(seq);
        bytes += moved;
      } catch (e) {
        failure ??= e;
        return;
      }
      hist?.record(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: n }, lane));
  if (failure !== undefined) throw failure;
  return { ops: next, bytes };
}

export async function runLoad(op: Op, o: LoadOptions, beforeMeasure?: () => Promise<void>): Promise<LoadResult> {
  const warm = o.warmupOps ?? 0;
  if (warm > 0) await lanes(op, o.concurrency, warm, performance.now() + o.durationMs, WARMUP_SEQ_BASE);
  if (beforeMeasure) await beforeMeasure();
  const hooks = takeHooks();
  const hist = new Histogram();
  hooks?.start();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stop = { now: false };
  const side = o.during?.().finally(() => (stop.now = true));
  // Not left unhandled while the lanes run: its outcome is awaited (and thrown) below.
  side?.catch(() => undefined);
  const { ops, bytes } = await lanes(op, o.concurrency, o.maxOps, t0 + o.durationMs, 0, hist, stop);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  hooks?.stop();
  await side;
  return { ops, bytes, elapsedMs, hist, clientCpuMs: (cpu.user + cpu.system) / 1000, clientProcesses: 1 };
}

// ---- several load-generator processes (for small-request scenarios where one node process
// would saturate a core before the server does) ----

export interface WorkerJob {
  /** Key in bench/worker-ops.ts. */
  op: string;
  params: unknown;
  baseUrl: string;
  targetName: string;
  authorization?: string;
  load: LoadOptions;
}

export interface WorkerReply {
  ops: number;
  bytes: number;
  elapsedMs: number;
  hist: HistogramJSON;
  cpuMs: number;
  error?: string;
}

/** Splits concurrency and op budget over `workers` child processes started together. */
export async function runLoadInWorkers(job: WorkerJob, workers: number): Promise<LoadResult> {
  // A function cannot cross the IPC channel: the workers would silently run without it.
  if (job.load.during) throw new Error('LoadOptions.during runs in-process only (runLoad)');
  const file = path.join(import.meta.dirname, 'load-worker.ts');
  const children = Array.from({ length: workers }, (_, i) => {
    const share = (total: number) => Math.floor(total / workers) + (i < total % workers ? 1 : 0);
    const load = { ...job.load, concurrency: share(job.load.concurrency), maxOps: share(job.load.maxOps) };
    const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.send({ ...job, load, seqOffset: i * 100_000_000 });
    return child;
  });
  const killAll = () => children.forEach((c) => c.exitCode === null && c.pid !== undefined && process.kill(c.pid));
  try {
    // Phase 1: every worker is built and warmed up; phase 2: all start measuring together.
    await Promise.all(children.map((c) => once(c, 'ready', job.load.durationMs + 60_000)));
    const hooks = takeHooks();
    hooks?.start();
    const t0 = performance.now();
    children.forEach((c) => c.send('go'));
    const replies = await Promise.all(children.map((c) => once(c, 'done', job.load.durationMs + 120_000)));
    const elapsedMs = performance.now() - t0;
    hooks?.stop();
    const hist = new Histogram();
    let ops = 0, bytes = 0, cpu = 0;
    for (const r of replies as WorkerReply[]) {
      if (r.error !== undefined) throw new Error(`load worker: ${r.error}`);
      ops += r.ops; bytes += r.bytes; cpu += r.cpuMs;
      hist.merge(Histogram.fromJSON(r.hist));
    }
    return { ops, bytes, elapsedMs, hist, clientCpuMs: cpu, clientProcesses: workers };
  } finally {
    killAll();
  }
}

function once(child: ReturnType<typeof fork>, type: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load worker: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: { type: string; reply?: unknown; error?: string }) => {
      if (m.type === 'error') { cleanup(); reject(new Error(`load worker: ${m.error}`)); }
      if (m.type !== type) return;
      cleanup();
      resolve(m.reply);
    };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`load worker exited (${code}) before '${type}'`)); };
    const cleanup = () => { clearTimeout(timer); child.off('message', onMsg); child.off('exit', onExit); };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}
