// The environment the wizard works in, injectable so tests (and the control service) can point
// it at a private dockerd, a temp home, another platform, or a fake elevation prompt.
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import type { DaemonVerifier } from './verify';

export interface RunResult {
  /** Exit code; null when the command could not run at all (see `error`). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started (ENOENT: not installed) or timed out. */
  error?: string;
}

/** Runs a command without a shell. Never throws: callers decide what a failure means. */
export type CommandRunner = (command: string, args: string[], o?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) => Promise<RunResult>;

/**
 * Runs a /bin/sh script as root (system password prompt) and resolves with its stdout. Rejects
 * when refused or unavailable; the error may carry the script's partial `stdout`.
 */
export type Elevator = (scriptPath: string, name: string) => Promise<string>;

export interface WizardOptions {
  home?: string;
  platform?: NodeJS.Platform;
  /** The daemon the docker CLI should ask (`docker info`); default: the DOCKER_HOST of this process. */
  dockerHost?: string;
  /**
   * dockerd's pidfile: reload sends SIGHUP to that pid instead of `systemctl reload docker`
   * (default: $BERTH_DOCKER_PIDFILE, for the dockerd whose daemon.json BERTH_DOCKER_DAEMON_JSON names).
   */
  pidfile?: string;
  run?: CommandRunner;
  /**
   * false: never elevate (return manual commands instead); a function: use it to run the
   * privileged script; undefined: the system prompt via @vscode/sudo-prompt when available.
   */
  elevate?: false | Elevator;
  /** Is this process root? Default: process.getuid() === 0. */
  isRoot?: boolean;
  /** Environment variables consulted (XDG_CONFIG_HOME, XDG_RUNTIME_DIR, DISPLAY, …). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for `docker info` to show the entries (default 10 s after a reload, 90 s after a restart). */
  verifyTimeoutMs?: number;
  /** Asks the daemon whether it took a change; default: `docker info` (verify.ts). */
  verifier?: DaemonVerifier;
  /** Tests: may this process write a path? Default: access(W_OK). (As root, everything is writable.) */
  canWrite?: (path: string) => Promise<boolean>;
  /** The rootful daemon.json (default: $BERTH_DOCKER_DAEMON_JSON, else /etc/docker/daemon.json). */
  rootfulPath?: string;
  /** Clock for backup names (tests). */
  now?: () => Date;
}

export interface ResolvedEnv {
  home: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  dockerHost: string | undefined;
  pidfile: string | undefined;
  run: CommandRunner;
  elevate: false | Elevator | undefined;
  isRoot: boolean;
  verifyTimeoutMs: number | undefined;
  rootfulPath: string;
  canWrite: ((path: string) => Promise<boolean>) | undefined;
  now: () => Date;
}

export function resolveEnv(o: WizardOptions = {}): ResolvedEnv {
  const env = o.env ?? process.env;
  return {
    home: o.home ?? homedir(),
    platform: o.platform ?? process.platform,
    env,
    dockerHost: o.dockerHost ?? (env.DOCKER_HOST || undefined),
    pidfile: o.pidfile ?? pidfileOverride(env),
    run: o.run ?? runCommand,
    elevate: o.elevate,
    isRoot: o.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0),
    verifyTimeoutMs: o.verifyTimeoutMs,
    rootfulPath: o.rootfulPath ?? daemonJsonOverride(env) ?? '/etc/docker/daemon.json',
    canWrite: o.canWrite,
    now: o.now ?? (() => new Date()),
  };
}

/**
 * The one way to point the wizard at a daemon.json outside the places it knows (a snap or
 * distribution package, a dockerd started with --config-file): an environment variable of the
 * Berth process, set by whoever starts it. Nothing a client sends can name another file.
 */
export const DAEMON_JSON_ENV = 'BERTH_DOCKER_DAEMON_JSON';

function daemonJsonOverride(env: NodeJS.ProcessEnv): string | undefined {
  const v = env[DAEMON_JSON_ENV];
  return v && isAbsolute(v) ? v : undefined;
}

/** The pidfile of the dockerd that daemon.json belongs to, so a reload signals that daemon. */
export const PIDFILE_ENV = 'BERTH_DOCKER_PIDFILE';

function pidfileOverride(env: NodeJS.ProcessEnv): string | undefined {
  const v = env[PIDFILE_ENV];
  return v && isAbsolute(v) ? v : undefined;
}

/** The environment for a docker CLI call against `host` (or the CLI's default when undefined). */
export function dockerEnv(e: ResolvedEnv, host: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...e.env, DOCKER_CLI_HINTS: 'false' };
  if (host) {
    env.DOCKER_HOST = host;
    delete env.DOCKER_CONTEXT; // a context would override nothing, but is confusing in errors
  } else {
    delete env.DOCKER_HOST;
  }
  return env;
}

export const runCommand: CommandRunner = (command, args, o = {}) =>
  new Promise((resolve) => {
    execFile(command, args, { env: o.env ?? process.env, timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
      resolve({ code: null, stdout, stderr, error: e.killed ? `timed out: ${command}` : e.code === 'ENOENT' ? `${command} is not installed` : e.message });
    });
  });
