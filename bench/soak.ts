// `npm run bench -- --soak [--minutes N]` (issue 15): the mixed c=16 load (scenarios/mixed.ts) for
// N minutes against each server in turn (one at a time, as the scenarios run), with the server's
// RSS sampled every second. Prints per-minute min/max/last RSS and throughput, and the RSS slope
// fitted over the second half only: the first minutes hold the heap growing to its working size,
// a leak is what keeps climbing after that.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTarget } from './http';
import { runLoad, type Op } from './load';
import { rssBytes } from './proc-stats';
import { MIXED_CONCURRENCY, mixedOp, pushMixedPool } from './scenarios/mixed';
import { SERVER_KINDS, type RunningServer, type ServerKind } from './servers';

const MiB = 1024 * 1024;
const SAMPLE_MS = 1000;

export interface SoakMinute { minute: number; minMiB: number; maxMiB: number; lastMiB: number; imagesPerS: number }

export interface SoakCurve {
  command: string[];
  rssAfterStartMiB: number;
  /** [seconds since the load started, RSS MiB], one per second. */
  samples: Array<[number, number]>;
  minutes: SoakMinute[];
  /** Least-squares slope of RSS over the second half of the run. */
  slopeMiBPerMin: number;
  ops: number;
  imagesPerS: number;
}

export interface SoakReport {
  startedAt: string;
  node: string;
  minutes: number;
  concurrency: number;
  servers: Partial<Record<ServerKind, SoakCurve>>;
}

/** Slope (y per minute) of the least-squares line through the samples at or after `fromS`. */
export function slopePerMinute(samples: ReadonlyArray<[number, number]>, fromS: number): number {
  const pts = samples.filter(([t]) => t >= fromS);
  if (pts.length < 2) return NaN;
  const n = pts.length;
  const mt = pts.reduce((a, [t]) => a + t, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0, den = 0;
  for (const [t, y] of pts) {
    num += (t - mt) * (y - my);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

async function soakOne(server: RunningServer, minutes: number, log: (m: string) => void): Promise<SoakCurve> {
  const target = makeTarget(server.kind, server.url);
  const pool = await pushMixedPool(target);
  const pids = server.pids();
  const durationMs = minutes * 60_000;
  const opsPerMinute = Array.from({ length: Math.ceil(minutes) }, () => 0);
  const samples: Array<[number, number]> = [];
  const t0 = performance.now();
  const sample = () => {
    server.assertAlive();
    samples.push([Math.round((performance.now() - t0) / 100) / 10, rssBytes(pids) / MiB]);
  };
  const op = mixedOp(target, pool);
  const counted: Op = async (seq) => {
    const moved = await op(seq);
    const m = Math.floor((performance.now() - t0) / 60_000);
    if (m < opsPerMinute.length) opsPerMinute[m]!++;
    return moved;
  };
  sample();
  const timer = setInterval(() => {
    sample();
    const s = samples.at(-1)!;
    if (Math.round(s[0]) % 60 === 0) log(`${server.kind}: ${s[0].toFixed(0)} s, RSS ${s[1].toFixed(1)} MiB`);
  }, SAMPLE_MS);
  let res;
  try {
    res = await runLoad(counted, { concurrency: MIXED_CONCURRENCY, durationMs, maxOps: Number.MAX_SAFE_INTEGER });
  } finally {
    clearInterval(timer);
  }
  sample();
  const perMinute: SoakMinute[] = opsPerMinute.map((ops, minute) => {
    const inMinute = samples.filter(([t]) => t >= minute * 60 && t <= (minute + 1) * 60).map(([, y]) => y);
    const secs = Math.min(60, minutes * 60 - minute * 60);
    return { minute: minute + 1, minMiB: Math.min(...inMinute), maxMiB: Math.max(...inMinute), lastMiB: inMinute.at(-1) ?? NaN, imagesPerS: ops / secs };
  });
  return {
    command: server.command, rssAfterStartMiB: server.rssAfterStartBytes / MiB, samples, minutes: perMinute,
    slopeMiBPerMin: slopePerMinute(samples, (minutes * 60) / 2), ops: res.ops, imagesPerS: res.ops / (res.elapsedMs / 1000),
  };
}

export function formatSoak(rep: SoakReport): string {
  const f = (x: number) => x.toFixed(1);
  const lines = [`== soak: mixed c=${rep.concurrency}, ${rep.minutes} min per server, RSS MiB sampled every second ==`];
  const kinds = SERVER_KINDS.filter((k) => rep.servers[k]);
  lines.push(['minute'.padEnd(7), ...kinds.map((k) => `${k} min / max / last   images/s`.padStart(36))].join(''));
  for (let i = 0; i < Math.ceil(rep.minutes); i++) {
    lines.push([String(i + 1).padEnd(7), ...kinds.map((k) => {
      const m = rep.servers[k]!.minutes[i]!;
      return `${f(m.minMiB)} / ${f(m.maxMiB)} / ${f(m.lastMiB)}   ${f(m.imagesPerS).padStart(8)}`.padStart(36);
    })].join(''));
  }
  for (const k of kinds) {
    const c = rep.servers[k]!;
    lines.push(`${k}: after start ${f(c.rssAfterStartMiB)} MiB; slope over the second half ${c.slopeMiBPerMin.toFixed(2)} MiB/min; ${c.ops} images, ${f(c.imagesPerS)} images/s`);
  }
  return lines.join('\n');
}

/** Runs the soak on freshly started servers (`start` registers them to be stopped); writes soak-<time>.json. */
export async function runSoak(o: {
  minutes: number; out: string; start: (kind: ServerKind) => Promise<RunningServer>; log: (m: string) => void;
  /** Default both; one server alone halves a long run while its memory is being worked on. */
  kinds?: readonly ServerKind[];
}): Promise<string> {
  const rep: SoakReport = { startedAt: new Date().toISOString(), node: process.version, minutes: o.minutes, concurrency: MIXED_CONCURRENCY, servers: {} };
  for (const kind of o.kinds ?? SERVER_KINDS) {
    const server = await o.start(kind);
    o.log(`soak on ${kind} for ${o.minutes} min`);
    rep.servers[kind] = await soakOne(server, o.minutes, o.log);
    // Stopped now so it does not share the cores with the next server's run; its storage (up to
    // GBs of small files after a long soak) is removed at the end, with everything started.
    await server.stopProcess();
  }
  process.stdout.write('\n' + formatSoak(rep) + '\n');
  await mkdir(o.out, { recursive: true });
  const file = path.join(o.out, `soak-${rep.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(rep) + '\n');
  return file;
}
