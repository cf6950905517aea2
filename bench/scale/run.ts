// `npm run bench -- --scale [--sizes 1000,10000,100000]`: for each store size, a generated store
// (cached, fixture-cache.ts) is served by distribution's docker-registry and then by Berth, one
// at a time, both with the bench's config shape (servers.ts). Per server: start time, memory,
// _catalog and tags/list latency, a full catalog walk, offline GC; Berth also fsck and pulls
// while its online GC runs. Prints a table per size and the curves, and writes JSON.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeTarget, makeTarget } from '../http';
import { hwmBytes } from '../proc-stats';
import { SERVER_KINDS, startServer, type RunningServer, type ServerKind } from '../servers';
import { DEFAULT_LAYERS_PER_IMAGE, catalogNames, tagNames, type ScaleSpec } from './fixture';
import { ensureFixture } from './fixture-cache';
import { berthFsck, offlineConfig, offlineGc, pullDuringOnlineGc, writeOrphans, type FsckResult, type GcResult, type PullDuringGc } from './maintenance';
import { measureServing, type ServingResult } from './measure-serving';
import { formatCurves, formatSize, writeScaleReport, type ScaleReport, type SizeRecord } from './report';

const MiB = 1024 * 1024;
export const DEFAULT_SIZES = [1000, 10_000, 100_000];
const TAGS = 10_000;

/** What --scale measures besides serving (start, memory, listings), which always runs. */
export const SCALE_PARTS = ['gc', 'fsck', 'pull'] as const;
export type ScalePart = (typeof SCALE_PARTS)[number];

export interface ScaleOptions {
  sizes: number[];
  /** Which of GC, fsck and pulls during online GC to run (each takes minutes at 100k). */
  parts: ReadonlySet<ScalePart>;
  seed: string;
  quick: boolean;
  out: string;
  cacheDir: string;
  log: (msg: string) => void;
}

export type ServerScale = ServingResult & { peakRssMiB: number; peakRssServingMiB: number; gc?: GcResult; fsck?: FsckResult; pullDuringGc?: PullDuringGc };

export function parseParts(s: string | undefined): Set<ScalePart> {
  if (s === undefined) return new Set(SCALE_PARTS);
  const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = parts.filter((x) => !(SCALE_PARTS as readonly string[]).includes(x));
  if (bad.length > 0) throw new Error(`--scale-parts takes ${SCALE_PARTS.join(', ')} (or nothing), not ${bad.join(', ')}`);
  return new Set(parts as ScalePart[]);
}

export function parseSizes(s: string | undefined): number[] {
  if (s === undefined || s === '') return DEFAULT_SIZES;
  const sizes = s.split(',').map((x) => Number(x.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes takes whole numbers ≥ 1 separated by commas, not ${JSON.stringify(s)}`);
  return sizes;
}

/** Time budgets: generous, since the reference walks the tree per request; a run past one is reported as such. */
function budgets(quick: boolean, size: number) {
  const k = quick ? 0.2 : 1;
  return {
    repeat: { repeats: quick ? 40 : 200, ms: 10_000 * k },
    walkMs: 600_000 * k,
    readyMs: 600_000,
    gcMs: Math.max(600_000, size * 20),
    pullPhaseMs: 8_000 * k + 2000,
  };
}

async function serveAndMeasure(kind: ServerKind, spec: ScaleSpec, root: string, o: ScaleOptions, names: string[], tags: string[]): Promise<ServerScale> {
  const b = budgets(o.quick, spec.repositories);
  execFileSync('sync');
  const server: RunningServer = await startServer(kind, { root, readyTimeoutMs: b.readyMs });
  const t = makeTarget(kind, server.url);
  try {
    o.log(`${kind}: answered GET /v2/ after ${server.startMs.toFixed(0)} ms`);
    const serving = await measureServing(server, t, { names, tags, budget: b.repeat, walkBudgetMs: b.walkMs, readyTimeoutMs: b.readyMs });
    o.log(`${kind}: first catalog page at ${serving.firstCatalogMs.toFixed(0)} ms; walk ${serving.catalogWalkMs === null ? `over budget after ${serving.catalogWalkPages} pages` : `${serving.catalogWalkMs.toFixed(0)} ms`}`);
    // The peak of serving alone, before the online GC (which holds the whole mark set) runs.
    const peakRssServingMiB = hwmBytes(server.pids()) / MiB;
    let pull: PullDuringGc | undefined;
    if (kind === 'berth' && o.parts.has('pull')) {
      o.log('berth: pulls quiet, then while the online GC runs');
      pull = await pullDuringOnlineGc(server, t, spec, () => writeOrphans(root, spec.seed, 'online', orphanCount(spec)), {
        phaseMs: b.pullPhaseMs, concurrency: 4, gcTimeoutMs: b.gcMs,
      });
    }
    server.assertAlive();
    const peakRssMiB = hwmBytes(server.pids()) / MiB;
    return { ...serving, peakRssMiB, peakRssServingMiB, ...(pull ? { pullDuringGc: pull } : {}) };
  } finally {
    closeTarget(t);
    await server.stop();
  }
}

const orphanCount = (spec: ScaleSpec) => Math.max(100, Math.floor(spec.repositories / 100));

export async function runScale(o: ScaleOptions): Promise<number> {
  const startedAt = new Date().toISOString();
  const records: SizeRecord[] = [];
  const loadAverage: number[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'berth-scale-run-'));
  try {
    for (const size of o.sizes) {
      const spec: ScaleSpec = { repositories: size, tags: TAGS, layersPerImage: DEFAULT_LAYERS_PER_IMAGE, seed: o.seed };
      const fixture = await ensureFixture(o.cacheDir, spec, o.log);
      o.log(`size ${size}: ${fixture.blobs} blobs at ${fixture.root}${fixture.reused ? ' (cached)' : ''}`);
      loadAverage.push(os.loadavg()[0]!);
      const names = catalogNames(spec);
      const tags = tagNames(spec);
      const results: Partial<Record<ServerKind, ServerScale>> = {};
      const b = budgets(o.quick, size);
      const config = await offlineConfig(work, fixture.root);
      for (const kind of SERVER_KINDS) {
        const r = await serveAndMeasure(kind, spec, fixture.root, o, names, tags);
        if (o.parts.has('gc')) {
          o.log(`${kind}: offline gc`);
          const orphans = await writeOrphans(fixture.root, spec.seed, 'offline', orphanCount(spec));
          execFileSync('sync');
          r.gc = await offlineGc(kind, config, orphans, b.gcMs);
        }
        if (kind === 'berth' && o.parts.has('fsck')) {
          o.log('berth: fsck');
          r.fsck = await berthFsck(config, fixture.blobs, b.gcMs);
        }
        results[kind] = r;
      }
      const rec: SizeRecord = { repositories: size, tags: TAGS, blobs: fixture.blobs, generateMs: fixture.generateMs, fixtureReused: fixture.reused, results };
      records.push(rec);
      loadAverage.push(os.loadavg()[0]!);
      process.stdout.write('\n' + formatSize(rec) + '\n');
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const report: ScaleReport = { kind: 'scale', startedAt, node: process.version, quick: o.quick, seed: o.seed, sizes: records, loadAverage };
  process.stdout.write('\n' + formatCurves(report) + '\n');
  const file = await writeScaleReport(o.out, report);
  o.log(`results written to ${file}`);
  return 0;
}
