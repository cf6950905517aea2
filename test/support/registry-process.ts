// One way to start "a registry process" in e2e tests, whichever implementation it is.
// The registry under test is Berth; BERTH_E2E_TARGET=reference points the same tests at
// distribution's docker-registry, which is how the tests themselves are validated.
import { startBerth } from './berth-process';
import type { TestNamespace } from './netns';
import type { ExitStatus, ManagedProcess } from './processes';
import { startReferenceRegistry } from './reference-registry';

export type RegistryKind = 'berth' | 'reference';

export interface RegistryProcessOptions {
  /** Serve this storage root (default: a fresh temp dir). Interop tests share one root. */
  root?: string;
  port?: number;
  /** Listen address (default 127.0.0.1); with `netns`, an address inside that namespace. */
  host?: string;
  /** Run the registry inside this network namespace (support/netns.ts), listening on `host`. */
  netns?: TestNamespace;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  readyTimeoutMs?: number;
  /** Lines under `storage:` instead of the filesystem driver (registry-yaml.ts). */
  storage?: string[];
  /** Top-level YAML appended to the config (e.g. `auth:`); keys must not repeat. */
  extraYaml?: string;
  /** The status GET /v2/ answers once the registry is up (401 with authentication on). */
  readyStatus?: number;
}

export interface RegistryProcess {
  kind: RegistryKind;
  /** http://127.0.0.1:PORT (or the `host` option's address) */
  url: string;
  /** 127.0.0.1:PORT (or host:PORT), the host part of image references. */
  addr: string;
  root: string;
  config: string;
  proc: ManagedProcess;
  /** SIGTERM (SIGKILL after a grace period); resolves with the exit status. */
  stop(): Promise<ExitStatus>;
}

export function startRegistryProcess(kind: RegistryKind, opts: RegistryProcessOptions = {}): Promise<RegistryProcess> {
  return kind === 'berth' ? startBerth(opts) : startReferenceRegistry(opts);
}

let announced = false;

/** The registry the e2e tests target: berth unless BERTH_E2E_TARGET says otherwise. */
export function e2eTarget(): RegistryKind {
  const value = process.env.BERTH_E2E_TARGET ?? 'berth';
  if (value !== 'berth' && value !== 'reference') {
    throw new Error(`BERTH_E2E_TARGET must be "berth" or "reference", not ${JSON.stringify(value)}`);
  }
  if (value !== 'berth' && !announced) {
    announced = true;
    process.stderr.write(`# e2e target is ${value} (BERTH_E2E_TARGET), not berth\n`);
  }
  return value;
}

/** The registry under test, started on a fresh root. */
export function startTargetRegistry(opts: RegistryProcessOptions = {}): Promise<RegistryProcess> {
  return startRegistryProcess(e2eTarget(), opts);
}
