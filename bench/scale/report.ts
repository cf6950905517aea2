// The --scale bench's output: a table per store size (reference, Berth, Berth/reference), the
// curves (each metric against size, per server), issue 15's scale targets marked pass/FAIL from
// what was measured, and the JSON file.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ServerKind } from '../servers';
import type { ServerScale } from './run';

export interface SizeRecord {
  repositories: number;
  tags: number;
  blobs: number;
  /** Generation time of the fixture (from the run that generated it, if it was cached). */
  generateMs: number;
  fixtureReused: boolean;
  results: Partial<Record<ServerKind, ServerScale>>;
}

export interface ScaleReport {
  kind: 'scale'; startedAt: string; node: string; quick: boolean; seed: string; sizes: SizeRecord[];
  /** 1-minute load average at the start and end of each size: other work on the machine skews every figure. */
  loadAverage: number[];
}

/** A metric: its label, unit, and how to read it from one server's results (undefined = not measured). */
interface Metric { label: string; get: (r: ServerScale) => number | null | undefined }

const METRICS: Metric[] = [
  { label: 'start → GET /v2/ (ms)', get: (r) => r.startMs },
  { label: 'start → 1st correct _catalog (ms)', get: (r) => r.firstCatalogMs },
  { label: 'RSS after start (MiB)', get: (r) => r.rssAfterStartMiB },
  { label: 'peak RSS before online GC (MiB)', get: (r) => r.peakRssServingMiB },
  { label: 'peak RSS at end, VmHWM (MiB)', get: (r) => r.peakRssMiB },
  { label: '_catalog?n=100 p50 (ms)', get: (r) => r.catalogPage.p50Ms },
  { label: '_catalog?n=100 p99 (ms)', get: (r) => r.catalogPage.p99Ms },
  { label: 'full catalog walk, n=1000 (ms)', get: (r) => r.catalogWalkMs },
  { label: 'tags/list 10k full p50 (ms)', get: (r) => r.tagsFull.p50Ms },
  { label: 'tags/list 10k full p99 (ms)', get: (r) => r.tagsFull.p99Ms },
  { label: 'tags/list n=100&last= p50 (ms)', get: (r) => r.tagsPage.p50Ms },
  { label: 'tags/list n=100&last= p99 (ms)', get: (r) => r.tagsPage.p99Ms },
  { label: 'offline GC, wall (ms)', get: (r) => r.gc?.wallMs },
  { label: 'fsck, wall (ms)', get: (r) => r.fsck?.wallMs },
  { label: 'pull p99 quiet (ms)', get: (r) => r.pullDuringGc?.quiet.p99Ms },
  { label: 'pull p99 during online GC (ms)', get: (r) => r.pullDuringGc?.duringGc.p99Ms },
];

const num = (x: number | null | undefined): string => {
  if (x === undefined) return '—';
  if (x === null) return 'over budget';
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function formatSize(rec: SizeRecord): string {
  const ref = rec.results.reference;
  const berth = rec.results.berth;
  const rows = [['metric', 'reference', 'berth', 'berth/ref']];
  for (const m of METRICS) {
    const a = ref ? m.get(ref) : undefined;
    const b = berth ? m.get(berth) : undefined;
    const ratio = typeof a === 'number' && typeof b === 'number' && a > 0 ? (b / a).toFixed(2) + '×' : '';
    rows.push([m.label, num(a), num(b), ratio]);
  }
  const head = `== scale: ${rec.repositories.toLocaleString('en')} repositories + 1 with ${rec.tags.toLocaleString('en')} tags, ${rec.blobs.toLocaleString('en')} blobs ` +
    `(generated in ${(rec.generateMs / 1000).toFixed(1)} s${rec.fixtureReused ? ', cached' : ''}) ==`;
  const notes: string[] = [];
  if (ref?.tagsPageIgnoresN) notes.push('reference: ignores n/last on tags/list (2.8.2), so its "page" is the full list');
  for (const [k, r] of Object.entries(rec.results)) {
    if (r?.catalogWalkMs === null) notes.push(`${k}: catalog walk over budget after ${r.catalogWalkPages} pages (${r.catalogWalkNames} names)`);
    if (r?.gc?.reportedMs !== undefined) notes.push(`${k}: offline GC ${r.gc.reportedMs} ms by its own report (wall includes process start), ${r.gc.orphans} orphan blobs deleted`);
    if (r?.fsck?.reportedMs !== undefined) notes.push(`${k}: fsck ${r.fsck.reportedMs} ms by its own report, ${r.fsck.blobs} blobs re-hashed`);
    const p = r?.pullDuringGc;
    if (p) {
      notes.push(`${k}: pulls (manifest + layer, c=${p.concurrency}) quiet p50/p99 ${num(p.quiet.p50Ms)}/${num(p.quiet.p99Ms)} ms (${p.quiet.count}), ` +
        `during online GC ${num(p.duringGc.p50Ms)}/${num(p.duringGc.p99Ms)} ms (${p.duringGc.count}, ${p.gcRuns} GC runs of ${p.gcMs.map((x) => x.toFixed(0)).join('/')} ms): ` +
        `${p.p99Ratio.toFixed(2)}× (target ≤ 2×: ${p.p99Ratio <= 2 ? 'pass' : 'FAIL'})`);
    }
  }
  return [head, table(rows), ...notes.map((n) => `  ${n}`)].join('\n');
}

export function formatCurves(rep: ScaleReport): string {
  const sizes = rep.sizes;
  const out = ['== scale curves (each metric against store size; reference | berth) =='];
  const rows = [['metric', ...sizes.map((s) => `${s.repositories.toLocaleString('en')} repos`)]];
  for (const m of METRICS) {
    const cell = (s: SizeRecord) => {
      const a = s.results.reference ? m.get(s.results.reference) : undefined;
      const b = s.results.berth ? m.get(s.results.berth) : undefined;
      return `${num(a)} | ${num(b)}`;
    };
    rows.push([m.label, ...sizes.map(cell)]);
  }
  out.push(table(rows), `  1-minute load average during the run: ${rep.loadAverage.map((x) => x.toFixed(1)).join(', ')} (on ${os.cpus().length} cores)`, '', ...targetLines(rep));
  return out.join('\n');
}

/** Issue 15's scale targets, judged from Berth's figures. "Flat" = the largest size within 1.5× of the smallest. */
function targetLines(rep: ScaleReport): string[] {
  const lines = ['== scale targets (berth) =='];
  const berth = rep.sizes.filter((s) => s.results.berth).map((s) => ({ n: s.repositories, r: s.results.berth! }));
  if (berth.length === 0) return lines;
  const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const first = berth[0]!;
  const last = berth[berth.length - 1]!;
  if (berth.length > 1) {
    for (const [label, get] of [['first _catalog page p50', (r: ServerScale) => r.catalogPage.p50Ms], ['tags/list page p50', (r: ServerScale) => r.tagsPage.p50Ms]] as const) {
      const k = get(last.r) / get(first.r);
      lines.push(`  ${label} flat in store size: ${num(get(first.r))} ms at ${first.n} → ${num(get(last.r))} ms at ${last.n} repositories, ${k.toFixed(2)}× (≤ 1.5×): ${mark(k <= 1.5)}`);
    }
  }
  const big = berth.find((b) => b.n >= 100_000);
  if (big) {
    lines.push(`  start → first request ≤ 1 s at ${big.n} repositories: ${num(big.r.startMs)} ms (first correct _catalog page ${num(big.r.firstCatalogMs)} ms): ${mark(big.r.startMs <= 1000)}`);
    const gcNote = big.r.pullDuringGc ? ' (an online GC included)' : ' (no online GC in this run: --scale-parts)';
    lines.push(`  RSS ≤ 300 MiB at ${big.n} repositories: peak ${num(big.r.peakRssMiB)} MiB${gcNote}, serving ${num(big.r.peakRssServingMiB)} MiB, after start ${num(big.r.rssAfterStartMiB)} MiB: ${mark(big.r.peakRssMiB <= 300)}`);
  } else {
    lines.push('  start ≤ 1 s and RSS ≤ 300 MiB are targets at 100,000 repositories: not run (--sizes)');
  }
  for (const b of berth) {
    const p = b.r.pullDuringGc;
    if (p) lines.push(`  pull p99 during online GC ≤ 2× quiet at ${b.n}: ${num(p.duringGc.p99Ms)} vs ${num(p.quiet.p99Ms)} ms, ${p.p99Ratio.toFixed(2)}×: ${mark(p.p99Ratio <= 2)}`);
  }
  return lines;
}

export async function writeScaleReport(dir: string, rep: ScaleReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `scale-${rep.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(rep, null, 2) + '\n');
  return file;
}
