// Proxy mode (issue 4): both servers run as pull-through caches of one plain docker-registry
// upstream that these scenarios start, so the berth/ref ratio compares Berth's cache with
// registry:2's. Each server's own figures compare it with what it replaces:
// - miss: a pull of an uncached 100 MiB blob (streamed to the client while it is cached) against
//   the same pull straight from the upstream: time to first byte and throughput;
// - hit: a pull of a cached 100 MiB blob against a normal pull of a blob that was never proxied
//   (pushed to Berth itself; registry:2 refuses pushes in proxy mode, so for it a pull from the
//   plain upstream registry of the same kind).
import { rm } from 'node:fs/promises';
import { BlobSource, type BlobVariant } from '../blob-source';
import { makeTarget, type Target } from '../http';
import { runLoad, type LoadResult } from '../load';
import { pullBlobReply, pushMonolithic } from '../registry-client';
import { startAuxServer, type ConfigTransform, type RunningServer } from '../servers';
import { blobDir } from './push';
import { bounds, type ScenarioContext, type ServerVariant, type Scenario } from './types';

const MiB = 1024 * 1024;
const SIZE = 100 * MiB;

let upstream: Promise<RunningServer> | undefined;
function theUpstream(): Promise<RunningServer> {
  upstream ??= startAuxServer('reference');
  return upstream;
}

// Berth accepts pushes in proxy mode only under a local namespace (registry:2 ignores the
// `berth:` section, and refuses every push in proxy mode).
const LOCAL = 'bench-local';
const toUpstream: ConfigTransform = async (cfg) => ({ ...cfg, proxy: { remoteurl: (await theUpstream()).url }, berth: { proxy: { localnamespaces: [LOCAL] } } });
const PROXY: ServerVariant = { key: 'proxy', configure: toUpstream };

let source: BlobSource | undefined;
function variant(label: string, seq: number): BlobVariant {
  source ??= new BlobSource(SIZE);
  return source.variant(label, seq);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

const mbps = (r: LoadResult) => r.bytes / 1e6 / (r.elapsedMs / 1000);

/** A load of blob pulls that also records each pull's time to first byte. */
function pulls(t: Target, repo: string, blobs: (seq: number) => BlobVariant, ctx: ScenarioContext, ttfb: number[], limits: [number, number]) {
  return runLoad(async (seq) => {
    const v = blobs(seq);
    const r = await pullBlobReply(t, repo, v.digest, v.size, ctx.verify === 'compare' ? v.parts : undefined);
    ttfb.push(r.firstByteMs ?? NaN);
    return r.bytes;
  }, { concurrency: 1, ...bounds(ctx.quick, ...limits) });
}

const missScenario: Scenario = {
  name: 'proxy-miss-100MiB-c1',
  description: 'pull of an uncached 100 MiB blob through the proxy (upstream: docker-registry), each a new blob; vs the same pull straight from the upstream',
  unit: 'MB/s',
  countsBytes: true,
  variant: PROXY,
  async prepare(ctx) {
    const up = await theUpstream();
    const direct = makeTarget('upstream', up.url);
    const repo = `bench/proxy-miss-${ctx.target.name}`;
    // 16 pulls a side: with 6 the ratio moved 1.15-1.37x between runs, and the upstream's own
    // direct speed once differed 1.8x between the two sides of one run.
    const [durationMs, maxOps] = [30_000, 16];
    const { maxOps: ops } = bounds(ctx.quick, durationMs, maxOps);
    // Distinct blobs per server, all on the upstream before anything is timed.
    const blobs = Array.from({ length: ops }, (_, i) => variant(`miss-${ctx.target.name}-r${ctx.round}`, i));
    for (const v of blobs) await pushMonolithic(direct, repo, v.parts, v.digest);
    // Baseline: the same pulls straight from the upstream (untimed by the harness).
    const directTtfb: number[] = [];
    const base = await pulls(direct, repo, (seq) => blobs[seq % ops]!, ctx, directTtfb, [durationMs, maxOps]);
    const ttfb: number[] = [];
    let result: LoadResult | undefined;
    return {
      // Each op pulls the next blob nobody has pulled through the proxy yet: a miss every time.
      measure: async () => (result = await pulls(ctx.target, repo, (seq) => blobs[seq]!, ctx, ttfb, [durationMs, ops])),
      extra: () => ({
        values: {
          'ttfb p50 ms': median(ttfb),
          'direct ttfb p50 ms': median(directTtfb),
          'MB/s': result ? mbps(result) : NaN,
          'direct MB/s': mbps(base),
        },
        ratios: [['miss/direct throughput', 'MB/s', 'direct MB/s'], ['miss/direct ttfb', 'ttfb p50 ms', 'direct ttfb p50 ms']],
      }),
      cleanup: async () => {
        for (const v of blobs) {
          await rm(blobDir(ctx.server.root, v.digest), { recursive: true, force: true });
          await rm(blobDir(up.root, v.digest), { recursive: true, force: true });
        }
      },
    };
  },
};

const hitScenario: Scenario = {
  name: 'proxy-hit-100MiB-c1',
  description: 'pull of a cached 100 MiB blob through the proxy; vs a normal pull of a blob that was never proxied',
  unit: 'MB/s',
  countsBytes: true,
  variant: PROXY,
  async prepare(ctx) {
    const up = await theUpstream();
    const direct = makeTarget('upstream', up.url);
    const repo = `bench/proxy-hit-${ctx.target.name}`;
    const cached = variant(`hit-${ctx.target.name}-r${ctx.round}`, 0);
    await pushMonolithic(direct, repo, cached.parts, cached.digest);
    // Fill the cache: the first pull is the miss; the second makes sure the copy is committed.
    const expect = ctx.verify === 'compare' ? cached.parts : undefined;
    for (let i = 0; i < 2; i++) await pullBlobReply(ctx.target, repo, cached.digest, cached.size, expect);
    // The normal pull to compare with: pushed to Berth itself (to its local namespace);
    // registry:2's proxy refuses pushes, so for it the plain upstream registry serves it.
    const plain = variant(`plain-${ctx.target.name}-r${ctx.round}`, 0);
    const normalTarget = ctx.target.name === 'berth' ? ctx.target : direct;
    await pushMonolithic(normalTarget, `${LOCAL}/plain`, plain.parts, plain.digest);
    const normalTtfb: number[] = [];
    const limits: [number, number] = [5000, 60];
    const normal = await pulls(normalTarget, `${LOCAL}/plain`, () => plain, ctx, normalTtfb, limits);
    const ttfb: number[] = [];
    let result: LoadResult | undefined;
    return {
      measure: async () => (result = await pulls(ctx.target, repo, () => cached, ctx, ttfb, limits)),
      extra: () => ({
        values: {
          'ttfb p50 ms': median(ttfb),
          'normal ttfb p50 ms': median(normalTtfb),
          'MB/s': result ? mbps(result) : NaN,
          'normal MB/s': mbps(normal),
        },
        ratios: [['hit/normal throughput', 'MB/s', 'normal MB/s']],
      }),
      cleanup: async () => {
        for (const root of [ctx.server.root, up.root]) {
          for (const d of [cached.digest, plain.digest]) await rm(blobDir(root, d), { recursive: true, force: true });
        }
      },
    };
  },
};

export function proxyScenarios(): Scenario[] {
  return [missScenario, hitScenario];
}
