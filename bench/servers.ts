// Starts and stops the two registries under test, each on loopback with its own fresh storage
// root and the same config.yml shape, and measures start-to-ready time and memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { processTree, rssBytes } from './proc-stats';

const { berthArgv } = createRequire(import.meta.url)('../scripts/berth-argv.cjs') as { berthArgv(args: string[]): string[] };

export type ServerKind = 'reference' | 'berth';
export const SERVER_KINDS: readonly ServerKind[] = ['reference', 'berth'];

/** distribution's config.yml as a plain object; scenario variants transform it (issue 3/4). */
export interface RegistryConfig {
  version: string;
  log: { level: string; accesslog: { disabled: boolean } };
  /** `filesystem` is absent when a transform puts another driver in its place (--s3's storage.s3). */
  storage: Record<string, unknown> & { filesystem?: { rootdirectory: string }; delete: { enabled: boolean } };
  http: Record<string, unknown> & { addr: string };
  [key: string]: unknown;
}

/** May write helper files (e.g. an htpasswd file) into `workDir`. */
export type ConfigTransform = (cfg: RegistryConfig, workDir: string) => RegistryConfig | Promise<RegistryConfig>;

export interface StartOptions {
  transform?: ConfigTransform;
  /** Adds storage.cache.blobdescriptor: inmemory to both (as Debian's packaged config does). */
  blobDescriptorCache?: boolean;
  readyTimeoutMs?: number;
  /** Serve this existing storage root instead of a fresh one (the --scale fixtures); kept at stop. */
  root?: string;
}

export interface RunningServer {
  kind: ServerKind;
  url: string;
  /** storage.filesystem.rootdirectory */
  root: string;
  /** The config.yml it was started with (berth export/import read it too). */
  configFile: string;
  pid: number;
  command: string[];
  /** Spawn → first answered GET /v2/. */
  startMs: number;
  /** performance.now() at spawn, for other "time since start" figures. */
  spawnedAt: number;
  rssAfterStartBytes: number;
  /** The server process and any children it forked. */
  pids(): number[];
  /** Throws if the process has exited (a crash mid-scenario must fail the run). */
  assertAlive(): void;
  logTail(): string;
  /** Ends the process, keeping its work dir (the soak removes it later). */
  stopProcess(): Promise<void>;
  /** Ends the process and removes its work dir. */
  stop(): Promise<void>;
}

const repoRoot = path.resolve(import.meta.dirname, '..');

/** argv for a kind; BENCH_BERTH_CMD / BENCH_REFERENCE_CMD override ({config} or appended). */
export function commandFor(kind: ServerKind, configFile: string): string[] {
  const env = kind === 'berth' ? process.env.BENCH_BERTH_CMD : process.env.BENCH_REFERENCE_CMD;
  if (env !== undefined && env.trim() !== '') {
    const argv = env.trim().split(/\s+/);
    return argv.includes('{config}') ? argv.map((a) => (a === '{config}' ? configFile : a)) : [...argv, configFile];
  }
  if (kind === 'reference') return ['/usr/bin/docker-registry', 'serve', configFile];
  return berthCommand(['serve', '--config', configFile]);
}

/**
 * argv of the built `berth` CLI with these arguments (serve, and the archives scenarios'
 * export/import): node with the flags of bin/berth.cjs's first line, as an installed `berth` runs.
 */
export function berthCommand(args: string[]): string[] {
  if (!existsSync(path.join(repoRoot, 'dist', 'berth.cjs'))) {
    throw new Error('dist/berth.cjs is missing: run `npm run build` first (or set BENCH_BERTH_CMD)');
  }
  return berthArgv(args);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function baseConfig(root: string, addr: string): RegistryConfig {
  return {
    version: '0.1',
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: root }, delete: { enabled: true } },
    http: { addr },
  };
}

/** One GET /v2/ on a fresh connection; resolves the status or undefined if not answered. */
function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/v2/`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

export async function startServer(kind: ServerKind, opts: StartOptions = {}): Promise<RunningServer> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `berth-bench-${kind}-`));
  const root = opts.root ?? path.join(workDir, 'data');
  const port = await freePort();
  let cfg = baseConfig(root, `127.0.0.1:${port}`);
  if (opts.blobDescriptorCache) cfg.storage.cache = { blobdescriptor: 'inmemory' };
  if (opts.transform) cfg = await opts.transform(cfg, workDir);
  const configFile = path.join(workDir, 'config.yml');
  await writeFile(configFile, stringify(cfg));
  const command = commandFor(kind, configFile);
  const logFile = path.join(workDir, 'server.log');
  const logFd = openSync(logFile, 'w');
  // REGISTRY_* variables override config keys in both implementations: keep them out. And
  // distribution 2.8.2's s3 driver panics at start when AWS_CA_BUNDLE is set (--s3).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_') && !(kind === 'reference' && k === 'AWS_CA_BUNDLE')));
  const t0 = performance.now();
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { cwd: repoRoot, env, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `exited with ${code ?? sig}`));
  child.on('error', (e) => (exited = `failed to start: ${e.message}`));
  const url = `http://127.0.0.1:${port}`;
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const stopProcess = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await stopProcess();
    await rm(workDir, { recursive: true, force: true });
  };

  // Readiness = the first GET /v2/ answered 200 (401 when the variant turns auth on).
  const deadline = t0 + (opts.readyTimeoutMs ?? 30_000);
  let startMs = -1;
  for (let i = 0; performance.now() < deadline && i < 100_000; i++) {
    if (exited !== undefined) break;
    const status = await probe(url);
    if (status === 200 || status === 401) {
      startMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  if (startMs < 0) {
    const why = exited ?? 'did not answer GET /v2/ in time';
    await stop();
    throw new Error(`${kind} (${command.join(' ')}) ${why}\n${logTail()}`);
  }
  const pid = child.pid!;
  return {
    kind, url, root, configFile, pid, command, startMs, spawnedAt: t0,
    rssAfterStartBytes: rssBytes(processTree(pid)),
    pids: () => processTree(pid),
    assertAlive: () => {
      if (exited !== undefined) throw new Error(`${kind} server ${exited}\n${logTail()}`);
    },
    logTail,
    stopProcess,
    stop,
  };
}

const aux: RunningServer[] = [];

/** A server a scenario needs besides the pair under test (the proxy scenarios' upstream). */
export async function startAuxServer(kind: ServerKind, opts: StartOptions = {}): Promise<RunningServer> {
  const s = await startServer(kind, opts);
  aux.push(s);
  return s;
}

export async function stopAuxServers(): Promise<void> {
  await Promise.allSettled(aux.splice(0).map((s) => s.stop()));
}
