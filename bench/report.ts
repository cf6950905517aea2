// Readable tables (per scenario as it finishes, then a summary) and the JSON results file.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './load';
import type { MachineBounds } from './machine';
import type { ServerKind } from './servers';
import type { RatioTarget, Unit } from './scenarios/types';

const MiB = 1024 * 1024;
/** Short-lived helpers (sync, getconf) and rounding make a little "other" CPU normal. */
export const OTHER_CPU_WARN_PCT = 25;

export interface ServerResult {
  throughput: number;
  unit: Unit;
  ops: number;
  bytes: number;
  elapsedS: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  serverCpuS: number;
  /** Server CPU-seconds per GB (10^9 B) moved; byte scenarios only. */
  serverCpuSPerGB?: number;
  peakRssMiB: number;
  clientCpuS: number;
  /** Scenario-specific figures (proxy: time to first byte and baselines). */
  extra?: import('./scenarios/types').ExtraFigures;
  /** Load-generator CPU as % of one core, summed over its processes. */
  clientCpuPct: number;
  clientProcesses: number;
  /** CPU used by other user processes on the machine during the measurement, % of one core. */
  otherCpuPct: number;
  /** CPU of kernel threads (writeback, journal, softirq daemons) during the measurement. */
  kernelThreadCpuS: number;
}

export interface ScenarioRecord {
  name: string;
  description: string;
  unit: Unit;
  results: Partial<Record<ServerKind, ServerResult>>;
  /** With --rounds N > 1: each round's result; `results` then holds their medians. */
  rounds?: Partial<Record<ServerKind, ServerResult[]>>;
  /** berth / reference throughput (higher is better). */
  ratio?: number;
  cpuPerGBRatio?: number;
}

export interface StartupRecord {
  command: string[];
  startMs: number[];
  medianStartMs: number;
  /** RSS when the server first answered GET /v2/. */
  rssAfterStartMiB: number;
  /** RSS after it then sat idle for 10 s (what start-up dropped has been collected). */
  rssIdleMiB?: number;
  /** Filled at the end: highest RSS sampled during scenarios and the kernel's VmHWM. */
  maxSampledRssMiB?: number;
  vmHwmMiB?: number;
}

export interface BenchReport {
  startedAt: string;
  durationS: number;
  quick: boolean;
  options: { scenarios: string[]; workers: number; verify: 'compare' | 'sha256'; blobDescriptorCache: boolean; berthCmdOverride?: string };
  node: string;
  machine: MachineBounds;
  startup: Partial<Record<ServerKind, StartupRecord>>;
  pushVsMachine?: { berthMBps: number; boundMBps: number; ratio: number };
  scenarios: ScenarioRecord[];
}

export function toServerResult(
  r: LoadResult, unit: Unit, serverCpuS: number, peakRssBytes: number, countsBytes: boolean, otherCpuS: number, kernelThreadCpuS: number,
): ServerResult {
  const secs = r.elapsedMs / 1000;
  const out: ServerResult = {
    throughput: unit === 'MB/s' ? r.bytes / 1e6 / secs : r.ops / secs,
    unit, ops: r.ops, bytes: r.bytes, elapsedS: secs,
    p50Ms: r.hist.percentile(50), p90Ms: r.hist.percentile(90), p99Ms: r.hist.percentile(99),
    maxMs: r.hist.max, meanMs: r.hist.count ? r.hist.sum / r.hist.count : NaN,
    serverCpuS, peakRssMiB: peakRssBytes / MiB,
    clientCpuS: r.clientCpuMs / 1000, clientCpuPct: (r.clientCpuMs / r.elapsedMs) * 100, clientProcesses: r.clientProcesses,
    otherCpuPct: (otherCpuS / secs) * 100,
    kernelThreadCpuS,
  };
  if (countsBytes && r.bytes > 0) out.serverCpuSPerGB = serverCpuS / (r.bytes / 1e9);
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Each figure of several rounds' results as the median over the rounds (a tail of one run is noisy). */
export function medianResult(rounds: readonly ServerResult[]): ServerResult {
  const first = rounds[0]!;
  const out = { ...first } as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(first)) {
    if (typeof v === 'number') out[k] = median(rounds.map((r) => (r as unknown as Record<string, number>)[k]!));
  }
  if (first.extra) {
    const values: Record<string, number> = {};
    for (const k of Object.keys(first.extra.values)) values[k] = median(rounds.map((r) => r.extra?.values[k] ?? NaN));
    out.extra = { ...first.extra, values };
  }
  return out as unknown as ServerResult;
}

export function withRatios(rec: ScenarioRecord): ScenarioRecord {
  const { reference: ref, berth } = rec.results;
  if (ref && berth) {
    rec.ratio = berth.throughput / ref.throughput;
    if (ref.serverCpuSPerGB !== undefined && berth.serverCpuSPerGB !== undefined) rec.cpuPerGBRatio = berth.serverCpuSPerGB / ref.serverCpuSPerGB;
  }
  return rec;
}

export const num = (x: number | undefined, digits?: number): string => {
  if (x === undefined || !Number.isFinite(x)) return '-';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toFixed(d);
};
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : '-';

/** Columns padded to their widest cell, the first left-aligned (every table of the bench). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function formatScenario(rec: ScenarioRecord): string {
  const header = ['', rec.unit, 'p50 ms', 'p99 ms', 'ops', 'srv CPU-s', 'CPU-s/GB', 'peak RSS MiB', 'client CPU%', 'other CPU%'];
  const rows = [header];
  const { reference: ref, berth } = rec.results;
  for (const [kind, r] of Object.entries(rec.results) as [ServerKind, ServerResult][]) {
    rows.push([kind, num(r.throughput), num(r.p50Ms), num(r.p99Ms), String(r.ops), num(r.serverCpuS), num(r.serverCpuSPerGB),
      num(r.peakRssMiB, 1), `${num(r.clientCpuPct, 0)}${r.clientProcesses > 1 ? ` (${r.clientProcesses}p)` : ''}`, num(r.otherCpuPct, 0)]);
  }
  if (ref && berth) {
    rows.push(['berth/ref', ratio(berth.throughput, ref.throughput), ratio(berth.p50Ms, ref.p50Ms), ratio(berth.p99Ms, ref.p99Ms), '',
      ratio(berth.serverCpuS, ref.serverCpuS), ratio(berth.serverCpuSPerGB, ref.serverCpuSPerGB), ratio(berth.peakRssMiB, ref.peakRssMiB), '', '']);
  }
  const warn = Object.entries(rec.results)
    .filter(([, r]) => r.clientCpuPct / r.clientProcesses > 90)
    .map(([k]) => `  ! load generator near one full core per process for ${k}: the figure may be client-bound`);
  const busy = Object.entries(rec.results)
    .filter(([, r]) => r.otherCpuPct > OTHER_CPU_WARN_PCT)
    .map(([k, r]) => `  ! other processes used ${r.otherCpuPct.toFixed(0)}% of a core during ${k}'s run: the machine was not quiet`);
  return [`${rec.name} — ${rec.description}`, table(rows), ...extraLines(rec), ...warn, ...busy].join('\n');
}

/** One line per server: its extra figures and their ratios, then one line per target. */
function extraLines(rec: ScenarioRecord): string[] {
  return Object.entries(rec.results).filter(([, r]) => r.extra).flatMap(([kind, r]) => {
    const { values, ratios = [], targets = [] } = r.extra!;
    const figures = Object.entries(values).map(([k, v]) => `${k} ${Number.isInteger(v) ? String(v) : num(v)}`);
    const x = ratios.map(([label, a, b]) => `${label} ${ratio(values[a], values[b])}`);
    return [`  ${kind}: ${[...figures, ...x].join('; ')}`, ...targets.map((t) => `  ${kind} target: ${targetText(values, t)}`)];
  });
}

/** Whether a ratio target is met; a ratio that could not be computed fails. */
function targetMet(values: Record<string, number>, t: RatioTarget): boolean {
  const a = values[t.numerator], b = values[t.denominator];
  return a !== undefined && b !== undefined && b > 0 && a / b <= t.max;
}

function targetText(values: Record<string, number>, t: RatioTarget): string {
  return `${t.label} ${ratio(values[t.numerator], values[t.denominator])} (target ≤ ${t.max}x): ${targetMet(values, t) ? 'pass' : 'FAIL'}`;
}

/** Every scenario target of the run, pass or FAIL. */
function targetLines(rep: BenchReport): string[] {
  const rows = rep.scenarios.flatMap((s) => (Object.entries(s.results) as [ServerKind, ServerResult][]).flatMap(([kind, r]) =>
    (r.extra?.targets ?? []).map((t) => [s.name, kind, targetText(r.extra!.values, t)])));
  if (rows.length === 0) return [];
  return ['', '== targets ==', table([['scenario', 'server', 'target'], ...rows])];
}

export function formatSummary(rep: BenchReport): string {
  const m = rep.machine;
  const lines = [
    '',
    '== summary (ratio = berth / reference throughput; CPU/GB ratio lower is better) ==',
    table([
      ['scenario', 'unit', 'reference', 'berth', 'ratio', 'CPU/GB ratio'],
      ...rep.scenarios.map((s) => [s.name, s.unit, num(s.results.reference?.throughput), num(s.results.berth?.throughput),
        s.ratio === undefined ? '-' : `${s.ratio.toFixed(2)}x`, s.cpuPerGBRatio === undefined ? '-' : `${s.cpuPerGBRatio.toFixed(2)}x`]),
    ]),
    ...authLines(rep),
    ...targetLines(rep),
    ...cpuPerGBLines(rep),
    '',
    '== servers ==',
    table([
      ['server', 'start→GET /v2/ ms (median; trials)', 'RSS after start MiB', 'idle 10 s later MiB', 'max sampled RSS MiB', 'VmHWM MiB', 'command'],
      ...(Object.entries(rep.startup) as [ServerKind, StartupRecord][]).map(([k, s]) => [k,
        `${num(s.medianStartMs, 0)} (${s.startMs.map((x) => x.toFixed(0)).join(', ')})`, num(s.rssAfterStartMiB, 1),
        num(s.rssIdleMiB, 1), num(s.maxSampledRssMiB, 1), num(s.vmHwmMiB, 1), s.command.join(' ')]),
    ]),
    '',
    `== machine == ${m.cpus} x ${m.cpuModel}; node ${rep.node}; tmpdir ${m.tmpdir}`,
    `  sha256 (one core, 100 MiB):       ${num(m.sha256MBps, 0)} MB/s`,
    `  write 100 MiB + fsync:            ${num(m.writeFsyncMBps, 0)} MB/s`,
    `  push bound = min of the two:      ${num(m.pushBoundMBps, 0)} MB/s`,
    `  1 MiB write + fdatasync p50/p99:  ${num(m.write1MiBSyncMs.p50, 2)} / ${num(m.write1MiBSyncMs.p99, 2)} ms (a small push's bytes)`,
    `  200 B append + fdatasync p50/p99: ${num(m.appendSyncMs.p50, 2)} / ${num(m.appendSyncMs.p99, 2)} ms (one journal commit)`,
  ];
  if (rep.pushVsMachine) {
    const p = rep.pushVsMachine;
    lines.push(`  berth push-monolithic-100MiB-c1:  ${num(p.berthMBps, 0)} MB/s = ${(p.ratio * 100).toFixed(0)}% of the bound`);
  }
  lines.push(`run took ${rep.durationS.toFixed(0)} s${rep.quick ? ' (--quick)' : ''}`);
  return lines.join('\n');
}

/** Issue 3: each server's throughput with htpasswd auth on, relative to the same scenario without. */
function authLines(rep: BenchReport): string[] {
  const rows = rep.scenarios.filter((s) => s.name.startsWith('auth-')).flatMap((a) => {
    const plain = rep.scenarios.find((s) => s.name === a.name.slice('auth-'.length));
    if (!plain) return [];
    const r = (k: ServerKind) => ratio(a.results[k]?.throughput, plain.results[k]?.throughput);
    return [[a.name, r('reference'), r('berth')]];
  });
  if (rows.length === 0) return [];
  return ['', '== with auth / without (same run; 1.00x = auth costs nothing) ==', table([['scenario', 'reference', 'berth'], ...rows])];
}

/** Server CPU-seconds per GB over all push and all pull scenarios of the run. */
function cpuPerGBLines(rep: BenchReport): string[] {
  const sum = (prefix: string, k: ServerKind) => {
    let cpu = 0, bytes = 0;
    for (const s of rep.scenarios) {
      const r = s.results[k];
      if (!s.name.startsWith(prefix) || r?.serverCpuSPerGB === undefined) continue;
      cpu += r.serverCpuS;
      bytes += r.bytes;
    }
    return bytes > 0 ? cpu / (bytes / 1e9) : undefined;
  };
  const rows = ['push-', 'pull-blob-'].map((p) => {
    const ref = sum(p, 'reference'), berth = sum(p, 'berth');
    return [`${p}*`, num(ref), num(berth), ratio(berth, ref)];
  }).filter((r) => r[1] !== '-');
  if (rows.length === 0) return [];
  return ['', '== server CPU-s per GB, all scenarios of a kind together ==', table([['scenarios', 'reference', 'berth', 'berth/ref'], ...rows])];
}

export async function writeReport(dir: string, rep: BenchReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${rep.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(rep, null, 2) + '\n');
  return file;
}
