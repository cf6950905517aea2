// GC and fsck for the command line: in the serving Berth when one answers on the maintenance
// channel of this config (online, where the caches and the GC guard live; runtime/admin-channel.ts),
// else directly on the storage (offline). Never offline while something else listens on the
// registry's address: a second writer on the tree is exactly what distribution's GC
// documentation warns about.
import { connect } from 'node:net';
import { storageLabel } from '../config/storage-label';
import type { RegistryConfig } from '../config/types';
import type { Logger } from '../lib/logger';
import { isWildcardHost, parseListenAddress } from '../config/listen-address';
import { openDriver } from '../registry/registry';
import { WALK_CONCURRENCY } from '../registry/storage/catalog-index';
import type { FsckOptions, FsckReport } from '../registry/storage/maintenance/fsck';
import type { GcOptions, GcReport } from '../registry/storage/maintenance/gc';
import { RegistryStore } from '../registry/storage/registry-store';
import { askAdmin } from '../runtime/admin-client';
import { adminEndpoint, serverIdentity } from '../runtime/admin-endpoint';

export type Where = { mode: 'online'; channel: string } | { mode: 'offline'; root: string };

export type MaintenanceTask =
  | { kind: 'gc'; opts: Pick<GcOptions, 'dryRun' | 'deleteUntagged' | 'gracePeriodMs'> }
  | { kind: 'fsck'; opts: Pick<FsckOptions, 'repair'> };

export interface MaintenanceResult<R> { where: Where; report: R }

export async function runMaintenance(config: RegistryConfig, dataDir: string, task: Extract<MaintenanceTask, { kind: 'gc' }>, log: Logger): Promise<MaintenanceResult<GcReport>>;
export async function runMaintenance(config: RegistryConfig, dataDir: string, task: Extract<MaintenanceTask, { kind: 'fsck' }>, log: Logger): Promise<MaintenanceResult<FsckReport>>;
export async function runMaintenance(config: RegistryConfig, dataDir: string, task: MaintenanceTask, log: Logger): Promise<MaintenanceResult<GcReport | FsckReport>> {
  // When the config names no findable server (port 0, a socket path too long), the reason is
  // kept for the message below: then only offline is possible, and only when nothing serves.
  let channel: string | undefined;
  let noChannel = '';
  try {
    channel = adminEndpoint(dataDir, serverIdentity(config)).path;
  } catch (err) {
    noChannel = ` (${(err as Error).message})`;
  }
  if (channel) {
    const report = task.kind === 'gc' ? await askAdmin(channel, 'gc', task.opts) : await askAdmin(channel, 'fsck', task.opts);
    if (report !== undefined) return { where: { mode: 'online', channel }, report };
  }
  if (config.http.net === 'tcp') {
    const api = reachable(config.http.addr);
    if (api.port !== 0 && await listening(api.host, api.port)) {
      throw new Error(`something is serving on ${config.http.addr} but no Berth answers on its maintenance channel${channel ? ` ${channel}` : noChannel}; ` +
        `if it is Berth, run this command as the user running it, with the same data folder (BERTH_DATA_DIR), or stop the server to run ${task.kind} offline`);
    }
  }
  // Offline on a bucket is the registry:3 way for several nodes: the operator stops them all first.
  if (config.storage.driver === 'inmemory') throw new Error(`${task.kind} needs filesystem or s3 storage when no server is running`);
  const store = new RegistryStore(await openDriver(config), config, log);
  try {
    // Nothing else uses the disk: as many file calls in flight as help.
    const report = task.kind === 'gc' ? await store.gc({ ...task.opts, concurrency: WALK_CONCURRENCY }) : await store.fsck({ ...task.opts, concurrency: WALK_CONCURRENCY });
    return { where: { mode: 'offline', root: storageLabel(config.storage) }, report };
  } finally {
    await store.close();
  }
}

/** Where to connect for a listen address: its host, or loopback when it listens on all. */
export function reachable(addr: string): { host: string; port: number } {
  const { host, port } = parseListenAddress(addr);
  if (!isWildcardHost(host)) return { host: host!, port };
  return { host: host === '::' ? '::1' : '127.0.0.1', port };
}

export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (up: boolean) => { sock.destroy(); resolve(up); };
    sock.setTimeout(2_000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
