// GC and fsck on a large store: offline `berth gc` vs `docker-registry garbage-collect` (each
// with its server stopped), `berth fsck` (Berth only), and pulls while Berth's online GC runs
// (`berth gc` against the serving Berth, through its maintenance channel). Each GC has garbage to
// find: orphan blobs (no link anywhere) written just before, old enough for any grace period,
// which the GC must delete and nothing else; so the cached fixture is the same after every run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { BLOBS } from '../../main/registry/storage/paths';
import { Histogram } from '../histogram';
import { BenchError, type Target } from '../http';
import { fetchManifest, pullBlob } from '../registry-client';
import { baseConfig, berthCommand, freePort, type RunningServer, type ServerKind } from '../servers';
import { ContentSource, imageOf, repositoryName, type Image, type ScaleSpec } from './fixture';
import { latency, type Latency } from './measure-serving';

const ORPHAN_AGE_MS = 2 * 3600_000;

export interface Orphans { root: string; files: string[] }

/** `count` blobs no repository links (distinct per `round`), dated two hours back. */
export async function writeOrphans(root: string, seed: string, round: string, count: number): Promise<Orphans> {
  const src = new ContentSource(`${seed}/orphans`);
  const files: string[] = [];
  const old = new Date(Date.now() - ORPHAN_AGE_MS);
  for (let i = 0; i < count; i++) {
    const bytes = src.bytes(`orphan ${round} ${i}`);
    const hex = createHash('sha256').update(bytes).digest('hex');
    const dir = path.join(root, `${BLOBS}/sha256/${hex.slice(0, 2)}/${hex}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'data'), bytes);
    await utimes(path.join(dir, 'data'), old, old);
    files.push(path.join(dir, 'data'));
  }
  return { root, files };
}

export async function orphansLeft(o: Orphans): Promise<number> {
  let n = 0;
  for (const f of o.files) if (await stat(f).then(() => true, () => false)) n++;
  return n;
}

interface Exit { code: number | null; stdout: string; stderr: string; ms: number; timedOut: boolean }

/** Runs a command to its end (or kills it at `timeoutMs`), REGISTRY_* variables stripped as for the servers. */
export function run(argv: string[], timeoutMs: number): Promise<Exit> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
  });
}

/** A config.yml for an offline command on `root`: the bench's shape, on a port nothing serves. */
export async function offlineConfig(workDir: string, root: string): Promise<string> {
  const file = path.join(workDir, 'offline.yml');
  await writeFile(file, stringify(baseConfig(root, `127.0.0.1:${await freePort()}`)));
  return file;
}

export interface GcResult {
  /** The command's wall time (process start included); null when it ran out of time. */
  wallMs: number | null;
  /** What the command reports of its own run (Berth's durationMs). */
  reportedMs?: number;
  orphans: number;
}

/** Offline GC of `kind` on the store (its server stopped); checks it deleted exactly the orphans. */
export async function offlineGc(kind: ServerKind, configFile: string, orphans: Orphans, timeoutMs: number): Promise<GcResult> {
  const argv = kind === 'berth' ? berthCommand(['gc', '--config', configFile, '--json']) : ['/usr/bin/docker-registry', 'garbage-collect', configFile];
  const r = await run(argv, timeoutMs);
  if (r.timedOut) return { wallMs: null, orphans: orphans.files.length };
  if (r.code !== 0) throw new BenchError(`${argv.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  let reportedMs: number | undefined;
  if (kind === 'berth') {
    const rep = JSON.parse(r.stdout) as { where: { mode: string }; blobsDeleted: number; durationMs: number };
    if (rep.where.mode !== 'offline') throw new BenchError(`berth gc ran ${rep.where.mode}, expected offline`);
    if (rep.blobsDeleted !== orphans.files.length) throw new BenchError(`berth gc deleted ${rep.blobsDeleted} blobs, expected the ${orphans.files.length} orphans`);
    reportedMs = rep.durationMs;
  } else {
    // "N blobs marked, M blobs and K manifests eligible for deletion" (on stdout or stderr).
    const m = /(\d+) blobs and (\d+) manifests eligible for deletion/.exec(r.stdout + r.stderr);
    if (!m || Number(m[1]) !== orphans.files.length || Number(m[2]) !== 0) {
      throw new BenchError(`docker-registry garbage-collect: expected ${orphans.files.length} blobs and 0 manifests eligible, got ${m?.[0] ?? (r.stdout + r.stderr).slice(-500)}`);
    }
  }
  const left = await orphansLeft(orphans);
  if (left !== 0) throw new BenchError(`${kind} gc left ${left} of ${orphans.files.length} orphan blobs`);
  return { wallMs: r.ms, ...(reportedMs !== undefined ? { reportedMs } : {}), orphans: orphans.files.length };
}

export interface FsckResult { wallMs: number | null; reportedMs?: number; blobs?: number }

export async function berthFsck(configFile: string, expectBlobs: number, timeoutMs: number): Promise<FsckResult> {
  const r = await run(berthCommand(['fsck', '--config', configFile, '--json']), timeoutMs);
  if (r.timedOut) return { wallMs: null };
  const rep = JSON.parse(r.stdout) as { errors: number; leftovers: number; blobs: number; durationMs: number; problems: unknown[] };
  if (r.code !== 0 || rep.errors !== 0 || rep.leftovers !== 0) throw new BenchError(`berth fsck found problems: ${JSON.stringify(rep.problems).slice(0, 1000)}`);
  if (rep.blobs !== expectBlobs) throw new BenchError(`berth fsck checked ${rep.blobs} blobs, expected ${expectBlobs}`);
  return { wallMs: r.ms, reportedMs: rep.durationMs, blobs: rep.blobs };
}

export interface PullDuringGc {
  quiet: Latency;
  duringGc: Latency;
  /** duringGc p99 / quiet p99; target ≤ 2. */
  p99Ratio: number;
  gcRuns: number;
  /** Each online run's own duration (its report). */
  gcMs: number[];
  concurrency: number;
}

interface Sample { start: number; end: number; ms: number }

/** Pulls (manifest GET + one layer GET, both verified) over images spread across the store. */
async function pullUntil(t: Target, images: { repo: string; img: Image }[], concurrency: number, done: () => boolean): Promise<Sample[]> {
  const out: Sample[] = [];
  let seq = 0;
  const worker = async () => {
    while (!done()) {
      const { repo, img } = images[seq++ % images.length]!;
      const layer = img.layers[seq % img.layers.length]!;
      const start = Date.now();
      const t0 = performance.now();
      await fetchManifest(t, 'GET', repo, 'latest', img.manifest.digest);
      await pullBlob(t, repo, layer.digest, layer.size, [layer.bytes]);
      out.push({ start, end: Date.now(), ms: performance.now() - t0 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export async function pullDuringOnlineGc(
  server: RunningServer, t: Target, spec: ScaleSpec, orphans: () => Promise<Orphans>, o: { phaseMs: number; concurrency: number; gcTimeoutMs: number },
): Promise<PullDuringGc> {
  const src = new ContentSource(spec.seed);
  const step = Math.max(1, Math.floor(spec.repositories / 256));
  const images = [];
  for (let i = 0; i < spec.repositories; i += step) images.push({ repo: repositoryName(i), img: imageOf(src, spec, i) });

  const quietEnd = performance.now() + o.phaseMs;
  const quiet = await pullUntil(t, images, o.concurrency, () => performance.now() > quietEnd);

  const garbage = await orphans();
  const runs: { start: number; end: number; ms: number }[] = [];
  let gcDone = false;
  const gcLoop = async () => {
    const phaseEnd = performance.now() + o.phaseMs;
    try {
      while (runs.length === 0 || performance.now() < phaseEnd) {
        const r = await run(berthCommand(['gc', '--config', server.configFile, '--json']), o.gcTimeoutMs);
        if (r.timedOut || r.code !== 0) throw new BenchError(`online berth gc ${r.timedOut ? 'timed out' : `exited ${r.code}`}: ${r.stderr.slice(-2000)}`);
        const rep = JSON.parse(r.stdout) as { where: { mode: string }; startedAt: string; durationMs: number };
        if (rep.where.mode !== 'online') throw new BenchError(`berth gc ran ${rep.where.mode}, expected online (in the serving Berth)`);
        const start = Date.parse(rep.startedAt);
        runs.push({ start, end: start + rep.durationMs, ms: rep.durationMs });
      }
    } finally {
      gcDone = true;
    }
  };
  const [, during] = await Promise.all([gcLoop(), pullUntil(t, images, o.concurrency, () => gcDone)]);
  const left = await orphansLeft(garbage);
  if (left !== 0) throw new BenchError(`online gc left ${left} of ${garbage.files.length} orphan blobs`);

  const hq = new Histogram();
  for (const s of quiet) hq.record(s.ms);
  const hg = new Histogram();
  // A pull counts as during GC when its interval overlaps a GC run's (the runs' own clock).
  for (const s of during) if (runs.some((g) => s.start <= g.end && s.end >= g.start)) hg.record(s.ms);
  const q = latency(hq);
  const g = latency(hg);
  return { quiet: q, duringGc: g, p99Ratio: g.p99Ms / q.p99Ms, gcRuns: runs.length, gcMs: runs.map((r) => r.ms), concurrency: o.concurrency };
}
