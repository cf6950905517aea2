// `npm run bench -- --s3` (issue 16): the registries on S3 storage, against a real Ceph RADOS
// Gateway and a Redis that the bench starts itself (test/support: one monitor, one OSD on
// memstore, so objects live in RAM and the disk is out of the picture). Three configurations,
// each on a bucket of its own and all with the same cache settings (storage.cache.blobdescriptor:
// redis, redis.addr on that one Redis), which is how either registry runs on several nodes:
//   reference  distribution 2.8.2 (Debian's docker-registry) with its s3 driver
//   berth-1    one Berth node in shared mode (the catalog in Redis, no cache another node could make stale)
//   berth-2    two Berth nodes on one bucket, the load spread over both, round-robin per operation
// Each scenario runs on the three in turn, never at once (they share two cores with the Ceph
// daemons, Redis and the load generator), then prints a table with berth-1/ref, berth-2/ref and
// the scaling berth-2/berth-1. Every response is verified as in the other scenarios.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCephGateway, type CephGateway } from '../test/support/ceph-gateway';
import { startRedis, type RedisServer } from '../test/support/redis-server';
import { BlobSource, type BlobVariant } from './blob-source';
import { closeTarget, makeTarget, roundRobin, type Target } from './http';
import { manifestFor, pushImage, smallImage } from './images';
import { armMeasureHooks, runLoad, type LoadResult } from './load';
import { cpuSeconds, kernelThreadCpuSeconds, machineCpuSeconds, processTree, rssBytes, RssSampler } from './proc-stats';
import { fetchManifest, OCI_MANIFEST, pullBlob, pushMonolithic, putManifest } from './registry-client';
import { num, OTHER_CPU_WARN_PCT, ratio, table, toServerResult, type ServerResult } from './report';
import { bounds, type Unit } from './scenarios/types';
import type { RegistryConfig, RunningServer, ServerKind, StartOptions } from './servers';

const MiB = 1024 * 1024;
const CONCURRENCY = 16;

export const S3_CONFIGS = ['reference', 'berth-1', 'berth-2'] as const;
export type S3ConfigName = (typeof S3_CONFIGS)[number];
/** [label, numerator, denominator] of every ratio the tables show. */
const RATIOS: ReadonlyArray<[string, S3ConfigName, S3ConfigName]> = [
  ['berth-1/ref', 'berth-1', 'reference'],
  ['berth-2/ref', 'berth-2', 'reference'],
  ['berth-2/berth-1', 'berth-2', 'berth-1'],
];

export interface S3Options {
  quick: boolean;
  out: string;
  verify: 'compare' | 'sha256';
  log: (msg: string) => void;
  /** Starts a server and registers it to be stopped (index.ts). */
  start: (kind: ServerKind, opts: StartOptions) => Promise<RunningServer>;
}

/** One configuration as the load sees it: its server processes and the node for each operation. */
interface Deployment {
  name: S3ConfigName;
  bucket: string;
  servers: RunningServer[];
  nodes: Target[];
  node: (seq: number) => Target;
}

export type S3Result = ServerResult & {
  /** CPU of everything else the bench started (RADOS Gateway, OSD, monitor, Redis) during the measurement. */
  storeCpuS: number;
  nodes: number;
};

export interface S3Record {
  name: string;
  description: string;
  unit: Unit;
  results: Partial<Record<S3ConfigName, S3Result>>;
  /** Throughput ratios, keyed by RATIOS' labels. */
  ratios: Record<string, number>;
}

export interface S3Report {
  startedAt: string;
  durationS: number;
  quick: boolean;
  node: string;
  cpus: number;
  cpuModel: string;
  verify: 'compare' | 'sha256';
  /** RSS of the gateway, OSD, monitor and Redis at the end (memstore holds every object in RAM). */
  storeRssMiB: number;
  configs: Partial<Record<S3ConfigName, { bucket: string; command: string[]; startMs: number[] }>>;
  scenarios: S3Record[];
}

interface S3Scenario {
  name: string;
  description: string;
  unit: Unit;
  countsBytes?: boolean;
  /** Untimed set-up on one deployment; resolves to its measured load. */
  prepare(d: Deployment, quick: boolean, verify: 'compare' | 'sha256'): Promise<() => Promise<LoadResult>>;
}

// One source per size for all three (filled and hashed once); the label keeps digests distinct.
const sources = new Map<number, BlobSource>();
function source(mib: number): BlobSource {
  let s = sources.get(mib);
  if (!s) sources.set(mib, (s = new BlobSource(mib * MiB)));
  return s;
}

function pushScenario(mib: number, durationMs: number, maxOps: number): S3Scenario {
  const name = `s3-push-${mib}MiB-c${CONCURRENCY}`;
  return {
    name,
    description: `monolithic push (POST + PUT) of distinct ${mib} MiB blobs, concurrency ${CONCURRENCY}`,
    unit: 'MB/s',
    countsBytes: true,
    prepare: async (d, quick) => {
      const src = source(mib);
      const repo = `bench/push-${mib}mib`;
      // Warm-up too, unlike the filesystem pushes: the first requests open each registry's
      // connections to the gateway, a cost of starting, not of pushing.
      return () => runLoad(async (seq) => {
        const v = src.variant(d.name, seq);
        await pushMonolithic(d.node(seq), repo, v.parts, v.digest);
        return v.size;
      }, { concurrency: CONCURRENCY, warmupOps: CONCURRENCY, ...bounds(quick, durationMs, maxOps) });
    },
  };
}

// One blob per size, the same bytes in every bucket.
const pulled = new Map<number, BlobVariant>();
function pullContent(mib: number): BlobVariant {
  let v = pulled.get(mib);
  if (!v) pulled.set(mib, (v = new BlobSource(mib * MiB).variant('s3-pull', mib)));
  return v;
}

function pullScenario(mib: number, durationMs: number, maxOps: number): S3Scenario {
  return {
    name: `s3-pull-${mib}MiB-c${CONCURRENCY}`,
    description: `GET of a ${mib} MiB blob, concurrency ${CONCURRENCY}; every body verified byte for byte (or by sha256)`,
    unit: 'MB/s',
    countsBytes: true,
    prepare: async (d, quick, verify) => {
      const repo = 'bench/pull';
      const v = pullContent(mib);
      // Pushed through the first node; with two, half the pulls then read what the other wrote.
      await pushMonolithic(d.nodes[0]!, repo, v.parts, v.digest);
      const expect = verify === 'compare' ? v.parts : undefined;
      return () => runLoad((seq) => pullBlob(d.node(seq), repo, v.digest, v.size, expect), {
        concurrency: CONCURRENCY, warmupOps: CONCURRENCY, ...bounds(quick, durationMs, maxOps),
      });
    },
  };
}

function manifestPutScenario(durationMs: number, maxOps: number): S3Scenario {
  return {
    name: `s3-manifest-put-c${CONCURRENCY}`,
    description: `PUT of distinct OCI manifests to distinct tags, concurrency ${CONCURRENCY}; 201 and Docker-Content-Digest verified`,
    unit: 'req/s',
    prepare: async (d, quick) => {
      const repo = 'bench/manifest-put';
      const img = smallImage(`s3-manifest-put-${d.name}`, 4096, OCI_MANIFEST);
      await pushImage(d.nodes[0]!, repo, 'base', img);
      const config = { digest: img.configDigest, size: img.config.length };
      const layer = { digest: img.layerDigest, size: img.layer.length };
      return () => runLoad(async (seq) => {
        const body = manifestFor(OCI_MANIFEST, config, layer, { 'org.example.bench.seq': `${d.name}-${seq}` });
        await putManifest(d.node(seq), repo, `t${seq}`, body, OCI_MANIFEST);
        return 0;
      }, { concurrency: CONCURRENCY, warmupOps: CONCURRENCY, ...bounds(quick, durationMs, maxOps) });
    },
  };
}

function manifestGetScenario(durationMs: number, maxOps: number): S3Scenario {
  return {
    name: `s3-manifest-get-tag-c${CONCURRENCY}`,
    description: `GET manifest by tag, concurrency ${CONCURRENCY}; status and Docker-Content-Digest verified, body hashed`,
    unit: 'req/s',
    prepare: async (d, quick) => {
      const repo = 'bench/manifests';
      const img = smallImage(`s3-manifests-${d.name}`);
      await pushImage(d.nodes[0]!, repo, 'v1', img);
      return () => runLoad((seq) => fetchManifest(d.node(seq), 'GET', repo, 'v1', img.manifestDigest), {
        concurrency: CONCURRENCY, warmupOps: CONCURRENCY * 4, ...bounds(quick, durationMs, maxOps),
      });
    },
  };
}

/** Time and op bounds: a full run of all three configurations takes about 5 minutes on 2 cores. */
export function s3Scenarios(): S3Scenario[] {
  return [
    // Pushes are slow on S3 (≈ 1 s per 1 MiB push at c16 here): longer, for enough ops for a p99.
    pushScenario(1, 15_000, 1000),
    pushScenario(10, 15_000, 150),
    pullScenario(1, 8000, 20_000),
    pullScenario(10, 8000, 3000),
    manifestPutScenario(8000, 50_000),
    manifestGetScenario(8000, 200_000),
  ];
}

/** distribution's s3 keys as 2.8.2 reads them (v4auth; no forcepathstyle, which it does not know); Berth reads the same. */
function s3Storage(gw: CephGateway, bucket: string): Record<string, unknown> {
  return {
    region: gw.region, regionendpoint: gw.endpoint, bucket, accesskey: gw.accessKey, secretkey: gw.secretKey,
    secure: false, v4auth: true, rootdirectory: '/',
  };
}

async function deploy(name: S3ConfigName, gw: CephGateway, redis: RedisServer, o: S3Options): Promise<Deployment> {
  const bucket = `bench-${name}`;
  await gw.createBucket(bucket);
  const transform = (cfg: RegistryConfig): RegistryConfig => ({
    ...cfg,
    // redirect.disable: distribution would answer blob GETs with a 307 to a presigned gateway
    // URL (Berth always serves the bytes itself); the bench measures serving through the registry.
    storage: { s3: s3Storage(gw, bucket), delete: { enabled: true }, cache: { blobdescriptor: 'redis' }, redirect: { disable: true } },
    redis: { addr: `127.0.0.1:${redis.port}` },
  });
  const kind: ServerKind = name === 'reference' ? 'reference' : 'berth';
  const servers: RunningServer[] = [];
  for (let i = 0; i < (name === 'berth-2' ? 2 : 1); i++) servers.push(await o.start(kind, { transform }));
  const nodes = servers.map((s, i) => makeTarget(servers.length > 1 ? `${name} node ${i + 1}` : name, s.url));
  o.log(`${name}: ${servers.map((s) => `${s.url} (up in ${s.startMs.toFixed(0)} ms)`).join(', ')} on bucket ${bucket}`);
  return { name, bucket, servers, nodes, node: roundRobin(nodes) };
}

async function measure(s: S3Scenario, d: Deployment, store: readonly number[], o: S3Options): Promise<S3Result> {
  const run = await s.prepare(d, o.quick, o.verify);
  const registry = d.servers.flatMap((srv) => srv.pids());
  let sampler: RssSampler | undefined;
  let cpu0 = 0, store0 = 0, mach0 = 0, kern0 = 0, cpu = NaN, storeCpu = NaN, mach = NaN, kern = NaN, peak = 0;
  armMeasureHooks({
    start: () => {
      sampler = new RssSampler(registry);
      cpu0 = cpuSeconds(registry);
      store0 = cpuSeconds(store);
      mach0 = machineCpuSeconds();
      kern0 = kernelThreadCpuSeconds();
    },
    stop: () => {
      cpu = cpuSeconds(registry) - cpu0;
      storeCpu = cpuSeconds(store) - store0;
      mach = machineCpuSeconds() - mach0;
      kern = kernelThreadCpuSeconds() - kern0;
      peak = sampler?.stop() ?? 0;
    },
  });
  let res: LoadResult;
  try {
    res = await run();
  } catch (e) {
    // What the registry said about it (an S3 error, say) is in its log.
    const tails = d.servers.map((srv) => `--- ${d.name} ${srv.url} log ---\n${srv.logTail()}`).join('\n');
    throw new Error(`${s.name} on ${d.name}: ${e instanceof Error ? e.message : String(e)}\n${tails}`, { cause: e });
  } finally {
    armMeasureHooks(undefined);
  }
  for (const srv of d.servers) srv.assertAlive();
  const other = Math.max(0, mach - kern - cpu - storeCpu - res.clientCpuMs / 1000);
  return { ...toServerResult(res, s.unit, cpu, peak, s.countsBytes === true, other, kern), storeCpuS: storeCpu, nodes: d.servers.length };
}

function withS3Ratios(rec: S3Record): S3Record {
  for (const [label, a, b] of RATIOS) {
    const x = rec.results[a], y = rec.results[b];
    if (x && y && y.throughput > 0) rec.ratios[label] = x.throughput / y.throughput;
  }
  return rec;
}

export function formatS3Scenario(rec: S3Record): string {
  const header = ['', rec.unit, 'p50 ms', 'p99 ms', 'ops', 'srv CPU-s', 'CPU-s/GB', 'store CPU-s', 'peak RSS MiB', 'client CPU%', 'other CPU%'];
  const rows = [header];
  for (const name of S3_CONFIGS) {
    const r = rec.results[name];
    if (!r) continue;
    rows.push([name, num(r.throughput), num(r.p50Ms), num(r.p99Ms), String(r.ops), num(r.serverCpuS), num(r.serverCpuSPerGB),
      num(r.storeCpuS), num(r.peakRssMiB, 1), num(r.clientCpuPct, 0), num(r.otherCpuPct, 0)]);
  }
  for (const [label, a, b] of RATIOS) {
    const x = rec.results[a], y = rec.results[b];
    if (!x || !y) continue;
    rows.push([label, ratio(x.throughput, y.throughput), ratio(x.p50Ms, y.p50Ms), ratio(x.p99Ms, y.p99Ms), '', ratio(x.serverCpuS, y.serverCpuS),
      ratio(x.serverCpuSPerGB, y.serverCpuSPerGB), ratio(x.storeCpuS, y.storeCpuS), ratio(x.peakRssMiB, y.peakRssMiB), '', '']);
  }
  const warn = Object.entries(rec.results)
    .filter(([, r]) => r.clientCpuPct > 90)
    .map(([k]) => `  ! load generator near one full core for ${k}: the figure may be client-bound`);
  const busy = Object.entries(rec.results)
    .filter(([, r]) => r.otherCpuPct > OTHER_CPU_WARN_PCT)
    .map(([k, r]) => `  ! other processes used ${r.otherCpuPct.toFixed(0)}% of a core during ${k}'s run: the machine was not quiet`);
  return [`${rec.name} — ${rec.description}`, table(rows), ...warn, ...busy].join('\n');
}

export function formatS3Summary(rep: S3Report): string {
  const rows = rep.scenarios.map((s) => [s.name, s.unit, ...S3_CONFIGS.map((c) => num(s.results[c]?.throughput)),
    ...RATIOS.map(([label]) => (s.ratios[label] === undefined ? '-' : `${s.ratios[label]!.toFixed(2)}x`))]);
  return [
    '',
    '== summary: S3 storage (Ceph RADOS Gateway on memstore) + Redis; ratios of throughput, higher = first is faster ==',
    table([['scenario', 'unit', ...S3_CONFIGS, ...RATIOS.map(([label]) => label)], ...rows]),
    '',
    '== servers ==',
    table([['config', 'bucket', 'start→GET /v2/ ms', 'command'], ...(Object.entries(rep.configs) as [S3ConfigName, NonNullable<S3Report['configs'][S3ConfigName]>][])
      .map(([c, x]) => [c, x.bucket, x.startMs.map((ms) => ms.toFixed(0)).join(', '), x.command.join(' ')])]),
    `berth-2 = two nodes, each operation to one of them in turn; srv CPU-s and peak RSS are summed over both. store CPU-s = gateway + OSD + monitor + Redis.`,
    `gateway + OSD + monitor + Redis RSS at the end: ${num(rep.storeRssMiB, 0)} MiB`,
    `run took ${rep.durationS.toFixed(0)} s${rep.quick ? ' (--quick)' : ''}; ${rep.cpus} x ${rep.cpuModel}; node ${rep.node}`,
  ].join('\n');
}

/** Runs every S3 scenario on the three configurations; writes s3-<time>.json and returns its path. */
export async function runS3(o: S3Options): Promise<string> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  o.log('starting a Ceph RADOS Gateway (memstore) and Redis');
  // Memstore takes RAM only as objects are written; this caps it above what the pushes' op
  // budgets can write, ≈ 8 GiB over the three, since nothing a run writes is freed before it
  // ends (what the registries delete, the gateway's garbage collection frees hours later).
  const [gw, redis] = await Promise.all([startCephGateway({ memstoreBytes: 12 * 1024 ** 3 }), startRedis()]);
  const deployments: Deployment[] = [];
  try {
    o.log(`gateway ${gw.endpoint}, Redis 127.0.0.1:${redis.port}`);
    // Taken before any registry starts: the bench's children now are the monitor, the OSD, the
    // gateway and Redis, whose CPU is the storage's cost of each measurement ("store CPU-s").
    const store = processTree(process.pid).filter((p) => p !== process.pid);
    for (const name of S3_CONFIGS) deployments.push(await deploy(name, gw, redis, o));
    const records: S3Record[] = [];
    for (const [i, s] of s3Scenarios().entries()) {
      const rec: S3Record = { name: s.name, description: s.description, unit: s.unit, results: {}, ratios: {} };
      // Each scenario starts with the next configuration, so none always runs right after the
      // others' pushes, in whatever state those leave the gateway.
      for (const d of [...deployments.slice(i % deployments.length), ...deployments.slice(0, i % deployments.length)]) {
        o.log(`${s.name} on ${d.name}`);
        rec.results[d.name] = await measure(s, d, store, o);
      }
      records.push(withS3Ratios(rec));
      process.stdout.write('\n' + formatS3Scenario(rec) + '\n');
    }
    // Mostly the memstore OSD holding every object pushed: the RAM a run needs.
    const storeRssMiB = rssBytes(store) / MiB;
    const cpus = os.cpus();
    const rep: S3Report = {
      startedAt, durationS: (performance.now() - t0) / 1000, quick: o.quick, node: process.version, cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown', verify: o.verify, storeRssMiB, scenarios: records,
      configs: Object.fromEntries(deployments.map((d) => [d.name, { bucket: d.bucket, command: d.servers[0]!.command, startMs: d.servers.map((s) => s.startMs) }])),
    };
    process.stdout.write(formatS3Summary(rep) + '\n');
    await mkdir(o.out, { recursive: true });
    const file = path.join(o.out, `s3-${startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify(rep, null, 2) + '\n');
    return file;
  } finally {
    for (const d of deployments) d.nodes.forEach(closeTarget);
    // The registries first: they would log errors for a gateway that went away under them.
    await Promise.allSettled(deployments.flatMap((d) => d.servers.map((s) => s.stop())));
    await Promise.allSettled([redis.stop(), gw.stop()]);
  }
}
