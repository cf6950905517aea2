// GC and fsck for the command line: in the serving Berth when one serves this config (online,
// through its debug listener, where the caches and the GC guard live), else directly on the
// storage (offline). Never offline while something else listens on the registry's address:
// a second writer on the tree is exactly what distribution's GC documentation warns about.
import { connect } from 'node:net';
import type { RegistryConfig } from '../config/types';
import type { Logger } from '../lib/logger';
import { formatHostPort, parseListenAddress } from '../registry/http/listen-address';
import { createDriver } from '../registry/registry';
import type { FsckOptions, FsckReport } from '../registry/storage/fsck';
import type { GcOptions, GcReport } from '../registry/storage/gc';
import { RegistryStore } from '../registry/storage/registry-store';

export type Where = { mode: 'online'; url: string } | { mode: 'offline'; root: string };

export type MaintenanceTask =
  | { kind: 'gc'; opts: GcOptions }
  | { kind: 'fsck'; opts: FsckOptions };

export interface MaintenanceResult<R> { where: Where; report: R }

export async function runMaintenance(config: RegistryConfig, task: { kind: 'gc'; opts: GcOptions }, log: Logger): Promise<MaintenanceResult<GcReport>>;
export async function runMaintenance(config: RegistryConfig, task: { kind: 'fsck'; opts: FsckOptions }, log: Logger): Promise<MaintenanceResult<FsckReport>>;
export async function runMaintenance(config: RegistryConfig, task: MaintenanceTask, log: Logger): Promise<MaintenanceResult<GcReport | FsckReport>> {
  const debug = config.http.debug ? reachable(config.http.debug.addr) : undefined;
  if (debug) {
    const url = `http://${formatHostPort(debug.host, debug.port)}`;
    const report = await askServer(url, task);
    if (report !== undefined) return { where: { mode: 'online', url }, report };
  }
  if (config.http.net === 'tcp') {
    const api = reachable(config.http.addr);
    if (await listening(api.host, api.port)) {
      throw new Error(`something is serving on ${config.http.addr} but no Berth answers on http.debug.addr; ` +
        `configure http.debug (loopback) so ${task.kind} runs inside the server, or stop the server to run it offline`);
    }
  }
  if (config.storage.driver !== 'filesystem') throw new Error(`${task.kind} needs filesystem storage when no server is running`);
  const store = new RegistryStore(createDriver(config), config, log);
  const report = task.kind === 'gc' ? await store.gc(task.opts) : await store.fsck(task.opts);
  return { where: { mode: 'offline', root: config.storage.filesystem.rootdirectory }, report };
}

/** Where to connect for a listen address: its host, or loopback when it listens on all. */
function reachable(addr: string): { host: string; port: number } {
  const { host, port } = parseListenAddress(addr);
  if (!host || host === '0.0.0.0') return { host: '127.0.0.1', port };
  if (host === '::') return { host: '::1', port };
  return { host, port };
}

/** The report, or undefined when nothing listens there (connection refused). */
async function askServer(base: string, task: MaintenanceTask): Promise<GcReport | FsckReport | undefined> {
  const q = new URLSearchParams();
  if (task.kind === 'gc') {
    if (task.opts.dryRun) q.set('dryrun', 'true');
    if (task.opts.deleteUntagged) q.set('untagged', 'true');
    if (task.opts.gracePeriodMs !== undefined) q.set('grace', `${task.opts.gracePeriodMs}ms`);
  } else if (task.opts.repair) {
    q.set('repair', 'true');
  }
  let res: Response;
  try {
    res = await fetch(`${base}/debug/${task.kind}?${q}`, { method: 'POST' });
  } catch (err) {
    const code = ((err as { cause?: { code?: string } }).cause)?.code;
    if (code === 'ECONNREFUSED') return undefined;
    throw new Error(`cannot reach the registry's debug listener at ${base}: ${(err as Error).message}`);
  }
  const body = await res.text();
  if (res.status === 200) return JSON.parse(body) as GcReport | FsckReport;
  let msg = body;
  try {
    msg = (JSON.parse(body) as { error?: string }).error ?? body;
  } catch {
    // not JSON: an older Berth or another program on that port
  }
  throw new Error(`the registry at ${base} refused ${task.kind} (HTTP ${res.status}): ${msg.trim()}`);
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (up: boolean) => { sock.destroy(); resolve(up); };
    sock.setTimeout(2_000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
