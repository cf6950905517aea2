// Child processes for end-to-end tests: long-running daemons (dockerd, registries) with their
// output kept in memory and printed only when a test fails, and one-shot CLI commands
// (docker, podman, skopeo) whose failures carry their full output. Processes are only ever
// stopped by the pid we spawned, never by name: the machine may run other dockerds/registries.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { after, afterEach } from 'node:test';
import { deferCleanup, runCleanups } from './cleanup';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Interleaved stdout+stderr captured so far (only the newest OUTPUT_LIMIT bytes). */
  output(): string;
  /** How many bytes of output were ever captured (grows monotonically). */
  outputBytes(): number;
  /** Resolves when the process has exited (or failed to spawn). */
  readonly exited: Promise<ExitStatus>;
  exitStatus(): ExitStatus | undefined;
  /** SIGTERM, then SIGKILL after graceMs; resolves with how it exited. Idempotent. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;
const started: ManagedProcess[] = [];

/** The absolute path of a required tool; a missing tool FAILS the test (CI must not skip). */
export function requireExecutable(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(
    `required tool "${name}" was not found on PATH; install the Debian package "${debianPackage}" ` +
      `(apt-get install -y --no-install-recommends ${debianPackage}; .ci/run does this in CI)`,
  );
}

/** dockerd, podman's storage and network namespaces need root; say so instead of failing oddly. */
export function requireRoot(why: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`this end-to-end test must run as root: ${why}`);
  }
}

export function spawnProcess(
  name: string,
  command: string,
  args: string[],
  /** ipc: a Node child gets the child-process message channel (child.send, process.send). */
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; ipc?: boolean } = {},
): ManagedProcess {
  const stdio: Array<'ignore' | 'pipe' | 'ipc'> = ['ignore', 'pipe', 'pipe', ...(opts.ipc ? ['ipc' as const] : [])];
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio });
  let captured = '';
  let total = 0; // bytes ever captured, so failure dumps can show only what is new
  const append = (chunk: Buffer) => {
    total += chunk.length;
    captured += chunk.toString('utf8');
    if (captured.length > OUTPUT_LIMIT) captured = captured.slice(captured.length - OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error) => {
      status ??= { code: null, signal: null, error };
      resolve(status);
    });
    // 'exit', not 'close': a grandchild (dockerd's containerd) may hold the pipes open longer.
    // Give the pipes a moment to drain so the captured output is complete.
    child.once('exit', (code, signal) => {
      status ??= { code, signal };
      const drained = new Promise((r) => child.once('close', r));
      void Promise.race([drained, sleep(1_000)]).then(() => {
        // Do not let a grandchild's open pipe keep this test process alive.
        child.stdout!.destroy();
        child.stderr!.destroy();
        resolve(status!);
      });
    });
  });

  let stopping: Promise<ExitStatus> | undefined;
  const proc: ManagedProcess = {
    name,
    pid: child.pid ?? -1,
    child,
    output: () => captured,
    outputBytes: () => total,
    exited,
    exitStatus: () => status,
    stop(graceMs = 20_000) {
      stopping ??= (async () => {
        if (status) return status;
        signalOwn(child, 'SIGTERM');
        const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          process.stderr.write(`# ${name} (pid ${proc.pid}) ignored SIGTERM for ${graceMs} ms; sending SIGKILL\n`);
          signalOwn(child, 'SIGKILL');
        }
        return exited;
      })();
      return stopping;
    },
  };
  started.push(proc);
  deferCleanup(`stop ${name} (pid ${proc.pid})`, async () => void (await proc.stop()));
  return proc;
}

/** Signals our own child by its pid, and only while it has not been reaped (no pid reuse). */
function signalOwn(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export function describeExit(s: ExitStatus): string {
  if (s.error) return `failed to start: ${s.error.message}`;
  return s.signal ? `killed by ${s.signal}` : `exited with code ${s.code}`;
}

export function outputTail(proc: ManagedProcess, bytes = 16_384): string {
  const out = proc.output();
  return out.length > bytes ? `…${out.slice(out.length - bytes)}` : out;
}

/**
 * Polls url until it answers `status`. Fails early, with the process's output, if the process
 * dies first: a registry that exits on a config error must not look like a slow start.
 */
export async function waitForHttp(
  url: string,
  opts: { proc?: ManagedProcess; timeoutMs?: number; status?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = 'no attempt yet';
  while (Date.now() < deadline) {
    const exit = opts.proc?.exitStatus();
    if (exit && opts.proc) {
      throw new Error(`${opts.proc.name} ${describeExit(exit)} before ${url} was ready; output:\n${outputTail(opts.proc)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === (opts.status ?? 200)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  const logs = opts.proc ? `; ${opts.proc.name} output:\n${outputTail(opts.proc)}` : '';
  throw new Error(`${url} was not ready within ${opts.timeoutMs ?? 30_000} ms (last: ${last})${logs}`);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes, for commands whose output is compared byte for byte. */
  stdoutBytes: Buffer;
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Throw (with the full output) on a non-zero exit. Default true. */
  check?: boolean;
}

/** Runs a one-shot command to completion; never through a shell. */
export async function runCommand(command: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => {}); // the command may exit without reading its input
  child.stdin.end(opts.input ?? '');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalOwn(child, 'SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  const stdoutBytes = Buffer.concat(out);
  const result = { code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes };
  const line = [command, ...args].join(' ');
  if (timedOut) throw new Error(`timed out after ${timeoutMs} ms: ${line}\n${formatOutput(result)}`);
  if ((opts.check ?? true) && code !== 0) throw new Error(`exit code ${code}: ${line}\n${formatOutput(result)}`);
  return result;
}

function formatOutput(r: Pick<CommandResult, 'stdout' | 'stderr'>): string {
  const cut = (s: string) => (s.length > 8_000 ? `…${s.slice(-8_000)}` : s);
  return `--- stdout ---\n${cut(r.stdout)}\n--- stderr ---\n${cut(r.stderr)}`;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (bind 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Registers the per-file hooks every e2e test file needs: print the captured output of every
 * daemon when a test fails (kept quiet otherwise), and run all cleanups after the file.
 */
export function useE2EHooks(): void {
  const shown = new Map<ManagedProcess, number>();
  afterEach((t) => {
    if ((t as { passed?: boolean }).passed !== false) return;
    for (const proc of started) {
      // Only output that no earlier failure in this file has shown already.
      const fresh = proc.outputBytes() - (shown.get(proc) ?? 0);
      shown.set(proc, proc.outputBytes());
      if (fresh <= 0) continue;
      const state = proc.exitStatus() ? describeExit(proc.exitStatus()!) : 'running';
      process.stderr.write(`\n# ---- ${proc.name} (pid ${proc.pid}, ${state}) output ----\n${outputTail(proc, Math.min(fresh, 16_384))}\n`);
    }
  });
  after(runCleanups);
}

// Last resorts for a test process that dies without its after() hooks (a crash, or Ctrl-C
// while developing): ask every daemon we started, by pid, to shut down, so none outlives us.
process.once('exit', () => {
  for (const proc of started) {
    if (!proc.exitStatus()) signalOwn(proc.child, 'SIGTERM');
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`# ${signal}: cleaning up e2e processes and temp dirs\n`);
    void runCleanups().finally(() => process.exit(130));
  });
}
