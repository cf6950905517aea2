// `berth sync [--now]`: the kept-warm images of a proxy (berth.proxy.warm.images) and each one's
// state; with --now, refreshed first. Online through the maintenance channel of the Berth serving
// the config (its mirror does the work, so its schedule and state stay one); with no server,
// offline directly on the storage, never while something else listens on the registry's address
// (two writers on one tree is what the maintenance commands refuse too).
// Exit codes: 0 done (with --now: every asked entry refreshed), 1 a refresh or the command
// failed, 2 usage.
import { parseArgs } from 'node:util';
import { formatBytes } from '../../preload/contract/format-bytes';
import type { WarmEntry, WarmList } from '../../preload/contract/warm';
import { resolveConfigSource } from '../config/config-source';
import type { RegistryConfig } from '../config/types';
import { createLogger, silentLogger } from '../lib/logger';
import { isProxy, startProxyMode } from '../registry/proxy/proxy-mode';
import { openDriver } from '../registry/registry';
import { RegistryStore } from '../registry/storage/registry-store';
import { askAdmin } from '../runtime/admin-client';
import { adminEndpoint, serverIdentity } from '../runtime/admin-endpoint';
import { listening, reachable, type Where } from './run-maintenance';

export const SYNC_USAGE = `Usage:
  berth sync [--now] [--image NAME:TAG] [--json] [--config FILE]
      Lists the kept-warm images of a proxy (berth.proxy.warm.images): the digest each tag
      points at, its size, the last refresh and the last error. --now refreshes them first (or
      only --image), printing each one's result; exit code 1 when one failed (what was cached
      stays). Runs in the Berth serving the config when one answers on its maintenance channel,
      else directly on the storage.
`;

export async function runSync(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args, strict: true, allowPositionals: false,
      options: { now: { type: 'boolean' }, image: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string', short: 'c' } },
    }));
  } catch (err) {
    process.stderr.write(`berth sync: ${(err as Error).message}\n\n${SYNC_USAGE}`);
    return 2;
  }
  if (values.image !== undefined && !values.now) {
    process.stderr.write(`berth sync: --image goes with --now\n\n${SYNC_USAGE}`);
    return 2;
  }
  const source = resolveConfigSource(values.config);
  const { config } = await source.load();
  if (!isProxy(config)) throw new Error('this configuration is not a proxy (proxy.remoteurl or berth.proxy.upstreams), so it keeps nothing warm');
  const listed = config.berth.proxy.warm.images.map((i) => `${i.name}:${i.tag}`);
  if (values.image !== undefined && !listed.includes(values.image)) {
    throw new Error(`${values.image} is not in berth.proxy.warm.images (${listed.length ? listed.join(', ') : 'the list is empty'})`);
  }
  const request = { now: values.now ?? false, ...(values.image !== undefined ? { image: values.image } : {}) };
  const { where, list } = await sync(config, source.dataDir, request);
  process.stdout.write(values.json ? JSON.stringify({ where, ...list }, null, 2) + '\n' : formatSync(where, list, request.now));
  const asked = list.entries.filter((e) => request.image === undefined || e.image === request.image);
  return request.now && asked.some((e) => e.lastError) ? 1 : 0;
}

async function sync(config: RegistryConfig, dataDir: string, request: { now: boolean; image?: string }): Promise<{ where: Where; list: WarmList }> {
  let channel: string | undefined;
  try {
    channel = adminEndpoint(dataDir, serverIdentity(config)).path;
  } catch {
    channel = undefined; // a config no server can be found by (port 0…): offline only
  }
  if (channel) {
    const list = await askAdmin(channel, 'warm-sync', request);
    if (list !== undefined) return { where: { mode: 'online', channel }, list };
  }
  if (config.http.net === 'tcp') {
    const api = reachable(config.http.addr);
    if (api.port !== 0 && await listening(api.host, api.port)) {
      throw new Error(`something is serving on ${config.http.addr} but no Berth answers on its maintenance channel${channel ? ` ${channel}` : ''}; ` +
        'if it is Berth, run berth sync as the user running it, with the same data folder (BERTH_DATA_DIR), or stop the server to sync offline');
    }
  }
  if (config.storage.driver !== 'filesystem') throw new Error('berth sync needs filesystem storage when no server is running');
  const log = config.log.level === 'error' ? silentLogger : createLogger({ level: 'warn', format: 'text' });
  const store = new RegistryStore(await openDriver(config), config, log);
  await store.open();
  const proxy = await startProxyMode(config, store, log, { background: false });
  try {
    const list = request.now ? await proxy.warm.fetchNow(request.image) : proxy.warm.list();
    return { where: { mode: 'offline', root: config.storage.filesystem.rootdirectory }, list };
  } finally {
    await proxy.close();
    await store.close();
  }
}

export function formatSync(where: Where, list: WarmList, now: boolean): string {
  const how = where.mode === 'online' ? `online, in the registry serving this config (maintenance channel ${where.channel})` : `offline, directly on ${where.root}`;
  const lines = [`Kept-warm images${now ? ', refreshed now' : ''} — ${how}`];
  if (list.entries.length === 0) lines.push('  none: berth.proxy.warm.images is empty');
  const width = Math.max(0, ...list.entries.map((e) => e.image.length));
  for (const e of list.entries) lines.push(...formatEntry(e, width));
  return lines.join('\n') + '\n';
}

function formatEntry(e: WarmEntry, width: number): string[] {
  const status = e.lastError ? 'FAILED' : e.digest ? 'ok' : 'not yet fetched';
  const cached = e.digest ? `${e.digest}  ${formatBytes(e.bytes)}  refreshed ${e.lastRefresh ?? 'never'}` : 'nothing cached';
  const out = [`  ${e.image.padEnd(width)}  ${status.padEnd(6)}  ${cached}${e.platforms.length ? `  (${e.platforms.join(', ')})` : ''}`];
  if (e.lastError) {
    const retry = e.lastError.retryAfter ? `; the upstream asked to wait until ${e.lastError.retryAfter}` : '';
    out.push(`  ${''.padEnd(width)}  ${REASONS[e.lastError.reason]} at ${e.lastError.at}: ${e.lastError.message}${retry}${e.digest ? '; the cached image stays' : ''}`);
  }
  return out;
}

const REASONS: Record<NonNullable<WarmEntry['lastError']>['reason'], string> = {
  'upstream-down': 'upstream down',
  'rate-limited': 'rate limited',
  'not-found': 'not found',
  denied: 'access denied',
  failed: 'failed',
};
