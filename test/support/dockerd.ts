// A private Docker daemon per test file (Debian's docker.io; needs root): vfs storage (works on
// any filesystem, no overlay mounts), no iptables, no bridge (containers run --network none),
// and its own data-root, exec-root, socket, pidfile and daemon.json in a temp dir, so it never
// touches the machine's Docker. The CLI gets its own DOCKER_CONFIG too (no stored logins).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deferCleanup, tempDir, unmountUnder } from './cleanup';
import {
  describeExit,
  outputTail,
  requireExecutable,
  requireRoot,
  runCommand,
  sleep,
  spawnProcess,
  type CommandOptions,
  type CommandResult,
  type ManagedProcess,
} from './processes';

export interface Dockerd {
  /** The DOCKER_HOST value (unix://…/docker.sock). */
  host: string;
  /** Environment for docker CLI invocations against this daemon. */
  env: NodeJS.ProcessEnv;
  dir: string;
  daemonJsonPath: string;
  proc: ManagedProcess;
  /** Runs the docker CLI against this daemon; throws on non-zero exit unless check: false. */
  docker(args: string[], opts?: CommandOptions): Promise<CommandResult>;
  /** Rewrites daemon.json and SIGHUPs dockerd (insecure-registries, registry-mirrors reload). */
  reload(daemonJson?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startDockerd(opts: { daemonJson?: Record<string, unknown>; readyTimeoutMs?: number } = {}): Promise<Dockerd> {
  requireRoot('dockerd needs root');
  const dockerdBin = requireExecutable('dockerd', 'docker.io');
  const dockerBin = requireExecutable('docker', 'docker.io');
  const dir = await tempDir('berth-dk-');
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'docker.pid');
  const daemonJsonPath = join(dir, 'daemon.json');
  const clientConfig = join(dir, 'client');
  await mkdir(clientConfig);
  await writeFile(daemonJsonPath, JSON.stringify(opts.daemonJson ?? {}, null, 2));

  const host = `unix://${socket}`;
  // The legacy builder: `docker build` FROM a local image with no network, and no dependency on
  // the buildx plugin (which the Debian CLI may lack).
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: clientConfig, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;

  // Stopping must happen before the temp dir goes (cleanups run newest first): register the
  // mount/containerd sweep now so it runs after dockerd's own stop, which spawnProcess registers.
  deferCleanup(`sweep dockerd leftovers in ${dir}`, () => sweepLeftovers(dir, execRoot));
  // Debian's dockerd logs to stderr at info level; --log-level warn keeps the dump on failure readable.
  const proc = spawnProcess(`dockerd ${dir}`, dockerdBin, [
    '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
    '--data-root', dataRoot, '--exec-root', execRoot, '--host', host,
    '--pidfile', pidfile, '--config-file', daemonJsonPath, '--log-level', 'warn',
  ], { env });

  const docker = (args: string[], o: CommandOptions = {}) =>
    runCommand(dockerBin, args, { ...o, env: { ...env, ...o.env } });

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    const exit = proc.exitStatus();
    if (exit) throw new Error(`dockerd ${describeExit(exit)} during startup; output:\n${outputTail(proc)}`);
    const info = await docker(['info', '--format', '{{.ServerVersion}}'], { check: false, timeoutMs: 10_000 }).catch(() => undefined);
    if (info?.code === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`dockerd did not answer \`docker info\` within ${opts.readyTimeoutMs ?? 60_000} ms; output:\n${outputTail(proc)}`);
    }
    await sleep(250);
  }

  return {
    host,
    env,
    dir,
    daemonJsonPath,
    proc,
    docker,
    async reload(daemonJson) {
      if (daemonJson) await writeFile(daemonJsonPath, JSON.stringify(daemonJson, null, 2));
      process.kill(proc.pid, 'SIGHUP');
    },
    async stop() {
      // dockerd waits for running containers (10 s) before exiting; allow for that.
      await proc.stop(40_000);
      await sweepLeftovers(dir, execRoot);
    },
  };
}

/**
 * After dockerd exits: stop its managed containerd if it outlived it (by the pid in its own
 * pidfile, checked against its command line) and unmount anything still mounted under our temp
 * dir (netns bind mounts, shm), deepest first, so the directory can be deleted.
 */
async function sweepLeftovers(dir: string, execRoot: string): Promise<void> {
  const pidfile = join(execRoot, 'containerd', 'containerd.pid');
  if (existsSync(pidfile)) {
    const pid = Number((await readFile(pidfile, 'utf8')).trim());
    if (pid > 0 && processCmdline(pid).includes(execRoot)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && processCmdline(pid).includes(execRoot); i++) await sleep(100);
      if (processCmdline(pid).includes(execRoot)) process.kill(pid, 'SIGKILL');
    }
  }
  await unmountUnder(dir);
}

function processCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

let shared: Promise<Dockerd> | undefined;

/** One dockerd per test file (each file runs in its own process); started on first use. */
export function sharedDockerd(): Promise<Dockerd> {
  shared ??= startDockerd();
  return shared;
}

/**
 * Removes every image from this private daemon, so the next pull has to download every layer
 * (docker would otherwise reuse a base layer it still has: "Already exists").
 */
export async function removeAllImages(d: Dockerd): Promise<void> {
  const ids = (await d.docker(['images', '--all', '--quiet', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await d.docker(['rmi', '--force', ...new Set(ids)]);
  const left = (await d.docker(['images', '--all', '--quiet'])).stdout.trim();
  if (left) throw new Error(`images left after removing all: ${left}`);
}
