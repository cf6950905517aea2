// npm run bench [-- --scenario NAME]... [--quick] [--rounds N] [--out DIR] [--workers N] [--list]
// Starts Berth and distribution's docker-registry side by side on loopback, runs each scenario
// against one and then the other (never both at once: they share two cores with the load
// generator), prints a table per scenario and a summary, and writes JSON results.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCleanups } from '../test/support/cleanup';
import { makeTarget, type Target } from './http';
import { measureMachine } from './machine';
import { armMeasureHooks } from './load';
import { cpuSeconds, hwmBytes, kernelThreadCpuSeconds, machineCpuSeconds, rssBytes, RssSampler } from './proc-stats';
import {
  formatScenario, formatSummary, medianResult, toServerResult, withRatios, writeReport, type BenchReport, type ScenarioRecord, type ServerResult, type StartupRecord,
} from './report';
import { defaultCacheDir } from './scale/fixture-cache';
import { parseParts, parseSizes, runScale } from './scale/run';
import { allScenarios, selectScenarios } from './scenarios/index';
import { runS3 } from './s3';
import { runSoak } from './soak';
import type { Scenario, ScenarioContext } from './scenarios/types';
import { SERVER_KINDS, startServer, stopAuxServers, type RunningServer, type ServerKind, type StartOptions } from './servers';

const MiB = 1024 * 1024;
const START_TRIALS = 3;
/** How long both servers sit idle after starting before their idle RSS is read. */
const IDLE_SETTLE_MS = 10_000;

interface Entry { server: RunningServer; target: Target; memo: Map<string, Promise<unknown>>; maxRss: number }
type Pair = Map<ServerKind, Entry>;

const USAGE = `npm run bench -- [options]   (details: bench/README.md)
  --scenario NAME       run scenarios named NAME or starting with NAME- (repeatable, or a,b)
  --quick               1/5 of every time and op budget
  --rounds N            run each scenario N times, alternating which server goes first; report
                        the median of each figure (throughput, p50, p99, ...) over the rounds
  --out DIR             where the JSON results go (default bench/results)
  --workers N           load-generator processes for high-concurrency small requests (default 1)
  --verify-sha256       hash pulled blob bodies instead of comparing them byte for byte
  --blobdescriptor-cache  add storage.cache.blobdescriptor: inmemory to both configs
  --list                list the scenarios
  --soak [--minutes N]  the mixed c=16 load for N minutes (default 10) per server, RSS every second
  --soak-only KIND      the soak on one server only (berth or reference)
  --scale               the scale bench instead: generated stores of --sizes repositories
  --sizes A,B,...       store sizes for --scale (default 1000,10000,100000); --seed S (default 1)
  --scale-parts P,...   what --scale runs besides start/memory/listings: gc,fsck,pull (default all)
  --s3                  the S3 bench instead: reference, one Berth node and two on one bucket, on a
                        Ceph RADOS Gateway and Redis it starts (with --quick, --verify-sha256, --out)
env: BENCH_BERTH_CMD, BENCH_REFERENCE_CMD override a server's command ({config} or appended)
`;

const started: RunningServer[] = [];
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function cli() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true, default: [] },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(import.meta.dirname, 'results') },
      workers: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '1' },
      'blobdescriptor-cache': { type: 'boolean', default: false },
      'verify-sha256': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      minutes: { type: 'string', default: '10' },
      'soak-only': { type: 'string' },
      scale: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'scale-parts': { type: 'string' },
      s3: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers must be 1..16');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds must be 1..20');
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be a positive number of minutes');
  return { ...values, minutes, rounds, scenario: values.scenario.flatMap((s) => s.split(',')).filter(Boolean), workers };
}

async function startPair(opts: StartOptions, authorization?: string): Promise<Pair> {
  const pair: Pair = new Map();
  for (const kind of SERVER_KINDS) {
    const server = await startServer(kind, opts);
    started.push(server);
    pair.set(kind, { server, target: makeTarget(kind, server.url, authorization), memo: new Map(), maxRss: 0 });
  }
  return pair;
}

interface RunOptions { quick: boolean; workers: number; verify: 'compare' | 'sha256'; rounds: number }

async function runScenario(s: Scenario, pair: Pair, o: RunOptions): Promise<ScenarioRecord> {
  const rec: ScenarioRecord = { name: s.name, description: s.description, unit: s.unit, results: {} };
  const rounds: Partial<Record<ServerKind, ServerResult[]>> = {};
  for (let round = 0; round < o.rounds; round++) {
    // Alternate which server goes first, so neither always inherits the other's writeback.
    const order = round % 2 === 0 ? SERVER_KINDS : [...SERVER_KINDS].reverse();
    for (const kind of order) (rounds[kind] ??= []).push(await runOnce(s, kind, pair.get(kind)!, round, o));
  }
  for (const kind of SERVER_KINDS) {
    const rs = rounds[kind]!;
    rec.results[kind] = rs.length === 1 ? rs[0]! : medianResult(rs);
  }
  if (o.rounds > 1) rec.rounds = rounds;
  return withRatios(rec);
}

async function runOnce(s: Scenario, kind: ServerKind, e: Entry, round: number, o: RunOptions): Promise<ServerResult> {
  const ctx: ScenarioContext = {
    target: e.target, server: e.server, ...o, round,
    memo: <T>(key: string, make: () => Promise<T>) => {
      if (!e.memo.has(key)) e.memo.set(key, make());
      return e.memo.get(key) as Promise<T>;
    },
    log: (msg) => log(`${kind} ${s.name}: ${msg}`),
  };
  log(`${s.name} on ${kind}${o.rounds > 1 ? ` (round ${round + 1} of ${o.rounds})` : ''}`);
  const prepared = await s.prepare(ctx);
  // Flush the previous run's dirty pages so writeback does not land in this measurement.
  execFileSync('sync');
  e.server.assertAlive();
  const pids = e.server.pids();
  let sampler: RssSampler | undefined;
  let cpu0 = 0, mach0 = 0, kern0 = 0, cpu = NaN, mach = NaN, kern = NaN, peak = 0;
  armMeasureHooks({
    start: () => {
      sampler = new RssSampler(pids);
      cpu0 = cpuSeconds(pids);
      mach0 = machineCpuSeconds();
      kern0 = kernelThreadCpuSeconds();
    },
    stop: () => {
      cpu = cpuSeconds(pids) - cpu0;
      mach = machineCpuSeconds() - mach0;
      kern = kernelThreadCpuSeconds() - kern0;
      peak = sampler?.stop() ?? 0;
    },
  });
  const res = await prepared.measure();
  armMeasureHooks(undefined);
  if (!sampler) throw new Error(`${s.name}: measure() did not go through runLoad`);
  e.maxRss = Math.max(e.maxRss, peak);
  e.server.assertAlive();
  await prepared.cleanup?.();
  const other = Math.max(0, mach - kern - cpu - res.clientCpuMs / 1000);
  const result = toServerResult(res, s.unit, cpu, peak, s.countsBytes === true, other, kern);
  if (prepared.extra) result.extra = prepared.extra();
  return result;
}

async function main(): Promise<number> {
  const args = cli();
  const all = allScenarios();
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.list) {
    for (const s of all) process.stdout.write(`${s.name.padEnd(30)} ${s.description}\n`);
    return 0;
  }
  if (args.soak) {
    const opts: StartOptions = { blobDescriptorCache: args['blobdescriptor-cache'] };
    const only = args['soak-only'];
    if (only !== undefined && !SERVER_KINDS.includes(only as ServerKind)) throw new Error(`--soak-only must be one of ${SERVER_KINDS.join(', ')}`);
    const file = await runSoak({
      minutes: args.minutes, out: args.out, log, kinds: only === undefined ? undefined : [only as ServerKind],
      start: async (kind) => {
        const s = await startServer(kind, opts);
        started.push(s);
        return s;
      },
    });
    log(`results written to ${file}`);
    return 0;
  }
  if (args.scale) {
    return runScale({ sizes: parseSizes(args.sizes), parts: parseParts(args['scale-parts']), seed: args.seed, quick: args.quick, out: args.out, cacheDir: defaultCacheDir(), log });
  }
  if (args.s3) {
    const file = await runS3({
      quick: args.quick, out: args.out, verify: args['verify-sha256'] ? 'sha256' : 'compare', log,
      start: async (kind, opts) => {
        const s = await startServer(kind, opts);
        started.push(s);
        return s;
      },
    });
    log(`results written to ${file}`);
    return 0;
  }
  const scenarios = selectScenarios(all, args.scenario);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const opts: StartOptions = { blobDescriptorCache: args['blobdescriptor-cache'] };
  const verify = args['verify-sha256'] ? 'sha256' : 'compare';

  log('measuring the machine (sha256, write+fsync of 100 MiB)');
  const machine = await measureMachine();

  // Start-up time: throw-away starts first (each on a fresh root), then the pair that is kept.
  const startup: Partial<Record<ServerKind, StartupRecord>> = {};
  const trials: Record<string, number[]> = { reference: [], berth: [] };
  for (let i = 0; i < START_TRIALS - 1; i++) {
    for (const kind of SERVER_KINDS) {
      const s = await startServer(kind, opts);
      trials[kind]!.push(s.startMs);
      await s.stop();
    }
  }
  const shared = await startPair(opts);
  // Idle: both servers left alone for IDLE_SETTLE_MS after their first answer, so what start-up
  // allocated and dropped has been collected (V8's memory reducer runs ≈ 8 s after start).
  const idleAt = Math.max(...[...shared.values()].map((e) => e.server.spawnedAt + e.server.startMs)) + IDLE_SETTLE_MS;
  await new Promise((r) => setTimeout(r, Math.max(0, idleAt - performance.now())));
  for (const [kind, e] of shared) {
    const ms = [...trials[kind]!, e.server.startMs];
    startup[kind] = {
      command: e.server.command, startMs: ms, medianStartMs: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!,
      rssAfterStartMiB: e.server.rssAfterStartBytes / MiB,
      rssIdleMiB: rssBytes(e.server.pids()) / MiB,
    };
  }
  if (process.env.BENCH_BERTH_CMD) log(`note: "berth" is ${process.env.BENCH_BERTH_CMD} (BENCH_BERTH_CMD)`);

  const variants = new Map<string, Pair>();
  const records: ScenarioRecord[] = [];
  for (const s of scenarios) {
    let pair = shared;
    if (s.variant) {
      const v = s.variant;
      if (!variants.has(v.key)) variants.set(v.key, await startPair({ ...opts, transform: v.configure }, v.authorization));
      pair = variants.get(v.key)!;
    }
    const rec = await runScenario(s, pair, { quick: args.quick, workers: args.workers, verify, rounds: args.rounds });
    records.push(rec);
    process.stdout.write('\n' + formatScenario(rec) + '\n');
  }

  for (const [kind, e] of shared) {
    startup[kind]!.maxSampledRssMiB = e.maxRss / MiB;
    startup[kind]!.vmHwmMiB = hwmBytes(e.server.pids()) / MiB;
  }
  const report: BenchReport = {
    startedAt, durationS: (performance.now() - t0) / 1000, quick: args.quick, node: process.version, machine, startup, scenarios: records,
    options: { scenarios: args.scenario, workers: args.workers, verify, blobDescriptorCache: opts.blobDescriptorCache === true },
  };
  if (process.env.BENCH_BERTH_CMD) report.options.berthCmdOverride = process.env.BENCH_BERTH_CMD;
  const push = records.find((r) => r.name === 'push-monolithic-100MiB-c1')?.results.berth;
  if (push) report.pushVsMachine = { berthMBps: push.throughput, boundMBps: machine.pushBoundMBps, ratio: push.throughput / machine.pushBoundMBps };
  process.stdout.write(formatSummary(report) + '\n');
  const file = await writeReport(args.out, report);
  log(`results written to ${file}`);
  return 0;
}

async function stopAll(): Promise<void> {
  await Promise.allSettled([...started.map((s) => s.stop()), stopAuxServers()]);
  // The archives scenarios' dockerd and scratch files (test/support's cleanup stack).
  await runCleanups().catch((e: unknown) => log(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
}

process.once('SIGINT', () => {
  log('interrupted: stopping servers');
  void stopAll().finally(() => process.exit(130));
});

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    process.stderr.write(`\nbench FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    await stopAll();
    process.exit(1);
  });
