// A real S3 service for storage tests: a throwaway single-node Ceph cluster (Debian's Ceph 16)
// with one monitor, one OSD on memstore (objects live in RAM) and the RADOS Gateway's beast
// frontend; no manager. Every port is picked free at start and bound on 127.0.0.1, every path
// Ceph has a default for is set in our own ceph.conf and every tool gets --conf, so test files
// can run clusters side by side and none of them touches a Ceph the machine may run, nor
// /etc/ceph, /var/lib/ceph, /var/log/ceph or /var/run/ceph.
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { open, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './cleanup';
import {
  describeExit,
  freePort,
  outputTail,
  requireExecutable,
  runCommand,
  sleep,
  spawnProcess,
  type CommandResult,
  type ManagedProcess,
} from './processes';

export interface S3Keys {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface CephGateway extends S3Keys {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** 'us-east-1': the gateway checks signatures for any region; this one sends no LocationConstraint. */
  readonly region: string;
  /** The cluster's folder: ceph.conf, keyring, mon/osd/rgw data, run/ (sockets, pids), log/. */
  readonly dir: string;
  /**
   * Settings for an S3Client against this gateway (these keys, or another user's). They carry
   * the gateway's quirks: path-style addressing, and checksums only where S3 requires them
   * (otherwise the SDK streams PutObject aws-chunked and the gateway answers 411).
   */
  clientConfig(keys?: S3Keys): S3ClientConfig;
  /**
   * The `storage:` lines (indented two spaces) of a config.yml on `bucket` that both Berth and
   * docker-registry 2.8.2 read (it needs `v4auth` and has no `forcepathstyle`); `over` replaces
   * a value, e.g. a wrong key for a start-up error test.
   */
  storageLines(bucket: string, over?: { accesskey?: string; secretkey?: string; endpoint?: string; rootdirectory?: string }): string[];
  /** S3 CreateBucket with the gateway's own keys. */
  createBucket(name: string): Promise<void>;
  /** Adds another S3 user (radosgw-admin) with fresh keys, e.g. for permission tests. */
  addUser(uid: string): Promise<S3Keys>;
  /** Stops the gateway, the OSD and the monitor (SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

export interface CephGatewayOptions {
  /**
   * The OSD's capacity (memstore device bytes, default 4 GiB). Not taken up front: objects take
   * RAM as they are written, and the OSD keeps it after deletes.
   */
  memstoreBytes?: number;
  /** Time limit for the gateway to answer S3 once the daemons run (each set-up command has its own). */
  readyTimeoutMs?: number;
}

const REGION = 'us-east-1';
// Fixed keys: a failing test's output names them, and its requests can be replayed by hand.
const ACCESS_KEY = 'BERTHTESTACCESSKEY01';
const SECRET_KEY = 'berth-test-secret-key-0000000000000000000';
// SIGTERM stops each daemon in well under a second; one that hangs this long is killed.
const STOP_GRACE_MS = 10_000;

interface Tools {
  ceph: string;
  monmaptool: string;
  cephMon: string;
  cephOsd: string;
  radosgw: string;
  radosgwAdmin: string;
}

/** One of our Ceph daemons: its process (run in the foreground, so its pid is ours) and its log. */
interface Daemon {
  /** Ceph's name for it (mon.a, osd.0, client.rgw.a): what the log file is named after. */
  readonly name: string;
  readonly proc: ManagedProcess;
  readonly log: string;
}

interface Layout {
  dir: string;
  conf: string;
  keyring: string;
  monmap: string;
  rgwPort: number;
}

export async function startCephGateway(opts: CephGatewayOptions = {}): Promise<CephGateway> {
  const tools = requireTools();
  const layout = await prepareCluster(tools, opts.memstoreBytes ?? 4 * 1024 ** 3);
  const endpoint = `http://127.0.0.1:${layout.rgwPort}`;
  const daemons: Daemon[] = [];
  try {
    await bootCluster(tools, layout, daemons, endpoint, opts.readyTimeoutMs ?? 60_000);
    await radosgwAdmin(tools, layout, daemons, ['user', 'create', '--uid=berth-test', '--display-name=berth-test', `--access-key=${ACCESS_KEY}`, `--secret=${SECRET_KEY}`]);
  } catch (err) {
    // A failed start must not leave daemons running until the test file's cleanups.
    await stopDaemons(daemons);
    throw err;
  }
  return gatewayHandle(tools, layout, daemons, endpoint);
}

function requireTools(): Tools {
  return {
    ceph: requireExecutable('ceph', 'ceph-common'),
    monmaptool: requireExecutable('monmaptool', 'ceph-base'),
    cephMon: requireExecutable('ceph-mon', 'ceph-mon'),
    cephOsd: requireExecutable('ceph-osd', 'ceph-osd'),
    radosgw: requireExecutable('radosgw', 'radosgw'),
    radosgwAdmin: requireExecutable('radosgw-admin', 'ceph-common'),
  };
}

/** The folder, ceph.conf, keyring and monmap: everything the daemons need before they start. */
async function prepareCluster(tools: Tools, memstoreBytes: number): Promise<Layout> {
  // Short prefix: admin sockets live under dir/run and unix socket paths are limited to 108 bytes.
  const dir = await tempDir('berth-ceph-');
  await Promise.all(['mon/a', 'osd/0', 'rgw', 'run', 'log', 'crash'].map((d) => mkdir(join(dir, d), { recursive: true })));
  const [monV2, monV1, rgwPort] = await distinctFreePorts();
  const fsid = randomUUID();
  const monAddrs = `[v2:127.0.0.1:${monV2},v1:127.0.0.1:${monV1}]`;
  const layout: Layout = { dir, conf: join(dir, 'ceph.conf'), keyring: join(dir, 'keyring'), monmap: join(dir, 'monmap'), rgwPort };
  await writeFile(layout.conf, cephConf(dir, fsid, monAddrs, rgwPort, memstoreBytes));
  await writeFile(layout.keyring, keyring(), { mode: 0o600 });
  await runCommand(tools.monmaptool, ['--create', '--fsid', fsid, '--addv', 'a', monAddrs, layout.monmap], { env: cephEnv(), timeoutMs: 30_000 });
  return layout;
}

/** The monitor's v2 and v1 ports and the gateway's: distinct, as freePort may repeat itself. */
async function distinctFreePorts(): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [a, b, c] = ports;
  return [a!, b!, c!];
}

function cephConf(dir: string, fsid: string, monAddrs: string, rgwPort: number, memstoreBytes: number): string {
  // $cluster and $name are Ceph's own metavariables (ceph, mon.a / osd.0 / client.rgw.a).
  return `[global]
fsid = ${fsid}
mon host = ${monAddrs}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${dir}/keyring
run dir = ${dir}/run
admin socket = ${dir}/run/$cluster-$name.asok
pid file = ${dir}/run/$cluster-$name.pid
log file = ${dir}/log/$cluster-$name.log
log to stderr = false
err to stderr = true
crash dir = ${dir}/crash
mon cluster log file = ${dir}/log/$cluster.log
mon debug dump location = ${dir}/log/$cluster-$name.tdump
mgr data = ${dir}/mgr/$id
mds data = ${dir}/mds/$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
# A client request for a placement group with no OSD up yet (the gateway's first read races the
# OSD's boot) asks the monitor for the next map once; if that map still has no OSD up, the
# client asks again only on this tick (default 5 s): a 5 s stall in about one start in four.
objecter tick interval = 0.1

[mon]
mon data = ${dir}/mon/$id
# Commit cluster map changes at once: the gateway creates its pools one by one at start, and
# with the default 1 s interval its start-up takes ~12 s.
paxos propose interval = 0.01
paxos min wait = 0.001
# The test folder sits on whatever disk /tmp is on; a nearly full one must not stop the monitor.
mon data avail warn = 1
mon data avail crit = 0
mon warn on insecure global id reclaim allowed = false
# Else the cluster log goes to a file (or /var/log/ceph) on every state change.
mon cluster log to file = false

[osd]
osd data = ${dir}/osd/$id
osd journal = ${dir}/osd/$id/journal
osd objectstore = memstore
memstore device bytes = ${memstoreBytes}

[client.rgw.a]
# tcp_nodelay: with Nagle on, the body of a small GET waits for the client's delayed ACK (GET of
# a 300-byte object ~50 ms at concurrency 1, HEAD ~6 ms; with it, GET ~7 ms). Registries on S3
# read many small objects (links, manifests), so that stall would dominate their latency.
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw data = ${dir}/rgw
`;
}

/**
 * The cluster's keyring, written directly rather than with four ceph-authtool runs (~150 ms).
 * A cephx key is base64 of: u16 type (1 = AES), u32 seconds + u32 nanoseconds created, u16
 * length, then the 16-byte secret: what `ceph-authtool --gen-print-key` prints.
 */
function keyring(): string {
  const entity = (name: string, caps: Record<string, string>) =>
    `[${name}]\n\tkey = ${cephxKey()}\n${Object.entries(caps).map(([k, v]) => `\tcaps ${k} = "${v}"\n`).join('')}`;
  return [
    entity('mon.', { mon: 'allow *' }),
    entity('client.admin', { mon: 'allow *', osd: 'allow *', mgr: 'allow *', mds: 'allow *' }),
    entity('osd.0', { mon: 'allow profile osd', osd: 'allow *', mgr: 'allow profile osd' }),
    entity('client.rgw.a', { mon: 'allow rw', osd: 'allow rwx', mgr: 'allow rw' }),
  ].join('');
}

function cephxKey(): string {
  const key = Buffer.alloc(28);
  key.writeUInt16LE(1, 0);
  key.writeUInt32LE(Math.floor(Date.now() / 1000), 2);
  key.writeUInt32LE(0, 6);
  key.writeUInt16LE(16, 10);
  randomBytes(16).copy(key, 12);
  return key.toString('base64');
}

/** Without CEPH_ARGS/CEPH_CONF from the caller's shell, so only our --conf counts. */
function cephEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CEPH_ARGS;
  delete env.CEPH_CONF;
  delete env.CEPH_KEYRING;
  return env;
}

/** Monitor, OSD, gateway, in that order, each in the foreground as our child. */
async function bootCluster(tools: Tools, layout: Layout, daemons: Daemon[], endpoint: string, timeoutMs: number): Promise<void> {
  const conf = ['--conf', layout.conf];
  const run = (binary: string, args: string[]) => runCommand(binary, [...conf, ...args], { env: cephEnv(), timeoutMs: 45_000 });
  await watched(daemons, 'creating mon.a (ceph-mon --mkfs)', run(tools.cephMon, ['--mkfs', '-i', 'a', '--monmap', layout.monmap, '--keyring', layout.keyring]), [logPath(layout, 'mon.a')]);
  daemons.push(startDaemon(layout, 'mon.a', tools.cephMon, [...conf, '-f', '-i', 'a']));

  // Registering the OSD (a monitor command) and formatting its store are independent.
  const osdUuid = randomUUID();
  await watched(daemons, 'registering and creating osd.0 (ceph osd new, ceph-osd --mkfs)', Promise.all([
    run(tools.ceph, ['--connect-timeout', '30', 'osd', 'new', osdUuid, '0']),
    run(tools.cephOsd, ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]),
  ]), [logPath(layout, 'osd.0'), logPath(layout, 'client.admin')]);
  daemons.push(startDaemon(layout, 'osd.0', tools.cephOsd, [...conf, '-f', '-i', '0']));
  daemons.push(startDaemon(layout, 'client.rgw.a', tools.radosgw, [...conf, '-f', '-n', 'client.rgw.a']));
  await waitForGateway(endpoint, daemons, timeoutMs);
}

function startDaemon(layout: Layout, name: string, binary: string, args: string[]): Daemon {
  // spawnProcess also registers a cleanup that stops it by pid should the test fail.
  const proc = spawnProcess(`${name} ${layout.dir}`, binary, args, { env: cephEnv() });
  return { name, proc, log: logPath(layout, name) };
}

/** Where `log file = …/$cluster-$name.log` puts a daemon's or a tool's log. */
function logPath(layout: Layout, name: string): string {
  return join(layout.dir, 'log', `ceph-${name}.log`);
}

/** Anonymous ListBuckets answers 200 once the gateway has its pools and serves S3. */
async function waitForGateway(endpoint: string, daemons: Daemon[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt yet';
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => d.proc.exitStatus());
    if (dead) throw await daemonDied(dead, `before ${endpoint} answered`);
    try {
      const res = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`the Ceph gateway ${endpoint} did not answer within ${timeoutMs} ms (last: ${last})\n${await logTails(daemons.map((d) => d.log))}`);
}

/**
 * Runs a set-up step that needs the daemons, and fails as soon as one of them dies (naming it,
 * with its log) instead of waiting out the step's own time limit. A failing step's error
 * carries the logs of the daemons and of the step's own tools (`logs`).
 */
async function watched<T>(daemons: Daemon[], what: string, step: Promise<T>, logs: string[] = []): Promise<T> {
  // Settle-only promises, so the losers of the race never become unhandled rejections.
  const outcome = step.then((value) => ({ value }), (error: unknown) => ({ error }));
  const deaths = daemons.map((d) => d.proc.exited.then(() => ({ dead: d })));
  const first = await Promise.race([outcome, ...deaths]);
  if ('dead' in first) throw await daemonDied(first.dead, `while ${what}`);
  if ('error' in first) {
    const tails = await logTails([...logs, ...daemons.map((d) => d.log)]);
    throw new Error(`${what} failed: ${(first.error as Error).message}\n${tails}`, { cause: first.error });
  }
  return first.value;
}

async function radosgwAdmin(tools: Tools, layout: Layout, daemons: Daemon[], args: string[]): Promise<CommandResult> {
  const run = runCommand(tools.radosgwAdmin, ['--conf', layout.conf, ...args], { env: cephEnv(), timeoutMs: 60_000 });
  return watched(daemons, `radosgw-admin ${args.slice(0, 2).join(' ')}`, run, [logPath(layout, 'client.admin')]);
}

async function daemonDied(d: Daemon, when: string): Promise<Error> {
  const status = describeExit(d.proc.exitStatus() ?? { code: null, signal: null });
  return new Error(`Ceph daemon ${d.name} (pid ${d.proc.pid}) ${status} ${when}; its output:\n${outputTail(d.proc, 4_096)}\n${await logTail(d.log)}`);
}

async function logTails(paths: string[]): Promise<string> {
  return (await Promise.all(paths.map((p) => logTail(p, 4_096)))).join('\n');
}

/** The end of a Ceph log file: where a daemon says why it failed (its stderr has little). */
async function logTail(path: string, bytes = 16_384): Promise<string> {
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - bytes);
      const { buffer, bytesRead } = await file.read(Buffer.alloc(size - start), 0, size - start, start);
      return `--- ${path} (last ${bytesRead} bytes) ---\n${buffer.subarray(0, bytesRead).toString('utf8')}`;
    } finally {
      await file.close();
    }
  } catch (err) {
    return `--- ${path}: ${(err as Error).message} ---`;
  }
}

/**
 * The gateway first, then the OSD, then the monitor: each of them talks to the ones after it
 * while shutting down, and would wait for them if they were gone already.
 */
async function stopDaemons(daemons: Daemon[]): Promise<void> {
  for (const d of [...daemons].reverse()) await d.proc.stop(STOP_GRACE_MS);
}

function gatewayHandle(tools: Tools, layout: Layout, daemons: Daemon[], endpoint: string): CephGateway {
  const clientConfig = (keys: S3Keys = { accessKey: ACCESS_KEY, secretKey: SECRET_KEY }): S3ClientConfig => ({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region: REGION,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    dir: layout.dir,
    clientConfig,
    storageLines: (bucket, over = {}) => [
      '  s3:',
      `    region: ${REGION}`,
      `    regionendpoint: ${over.endpoint ?? endpoint}`,
      `    bucket: ${bucket}`,
      `    accesskey: ${over.accesskey ?? ACCESS_KEY}`,
      `    secretkey: ${over.secretkey ?? SECRET_KEY}`,
      '    secure: false',
      '    v4auth: true',
      `    rootdirectory: ${over.rootdirectory ?? '/'}`,
    ],
    async createBucket(name) {
      // A client per call: nothing of it outlives the call (no sockets kept alive for a stop()).
      const client = new S3Client(clientConfig());
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    async addUser(uid) {
      const keys = { accessKey: randomBytes(10).toString('hex').toUpperCase(), secretKey: randomBytes(20).toString('hex') };
      await radosgwAdmin(tools, layout, daemons, ['user', 'create', `--uid=${uid}`, `--display-name=${uid}`, `--access-key=${keys.accessKey}`, `--secret=${keys.secretKey}`]);
      return keys;
    },
    stop() {
      stopping ??= stopDaemons(daemons);
      return stopping;
    },
  };
}
