// `berth import FILE|DIR [--as NAME[:TAG]]`. The archive always goes in through a registry's
// HTTP API (main/archive/import-archive.ts), so the store's own checks and invariants apply as
// for a `docker push`:
//   - online, when a Berth serving this config answers on its maintenance channel: its API on
//     the configured address, so its catalog and caches see the images at once;
//   - offline, when nothing serves: a registry started in this process over the same storage,
//     on an ephemeral loopback port with no auth, stopped when the import ends. That is one
//     writer path for both cases rather than a second one through the stores, and it cannot
//     be reached from outside;
//   - refused when something else listens on the registry's address, as gc and fsck do: a
//     second writer on the same tree is what distribution warns against.
import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatBytes } from '../../preload/contract/format-bytes';
import { storeArchive, verifyArchive, type ImportProgress, type ImportSummary } from '../archive/import-archive';
import { parseAsOption } from '../archive/image-names';
import { RegistryPush, type PushTarget } from '../archive/registry-push';
import { resolveConfigSource } from '../config/config-source';
import type { RegistryConfig } from '../config/types';
import { createLogger, silentLogger } from '../lib/logger';
import { allowAll } from '../registry/auth/access';
import { startRegistry, type RunningRegistry } from '../registry/registry';
import { adminEndpoint, serverIdentity } from '../runtime/admin-endpoint';
import { readPassword } from './read-password';
import { listening, reachable } from './run-maintenance';

export const IMPORT_USAGE = `Usage:
  berth import FILE|DIR [--as NAME[:TAG]] [--user NAME] [--config FILE]
      Imports a \`docker save\` archive (Docker 20.10's or Docker 25's), an OCI image layout
      (a directory or a tar, as skopeo's oci-archive: writes it) or a Berth export, keeping the
      archive's names and tags; --as names the archive's one image instead. Every blob is
      checked against its digest before anything is stored; a damaged archive changes nothing.
      Goes through the Berth serving the config when one runs, else directly to its storage.
      --user logs in to a serving Berth that requires it (password from stdin or a prompt).
`;

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, as: { type: 'string' }, user: { type: 'string', short: 'u' }, quiet: { type: 'boolean', short: 'q' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(`berth: import takes one archive (a file or a directory)\n\n${IMPORT_USAGE}`);
    return 2;
  }
  const as = values.as !== undefined ? parseAsOption(values.as) : undefined;
  const from = resolveConfigSource(values.config);
  const { config } = await from.load();
  const log = config.log.level === 'error' ? silentLogger : createLogger({ level: 'warn', format: 'text' });
  const onProgress = values.quiet || !process.stderr.isTTY ? undefined : progressLine();

  let local: RunningRegistry | undefined;
  let push: RegistryPush | undefined;
  try {
    const verified = await verifyArchive(positionals[0]!, { ...(as ? { as } : {}), ...(onProgress ? { onProgress } : {}) });
    const target = await chooseTarget(config, from.dataDir);
    if (target.mode === 'online') {
      // Asked only now: offline needs no login, and a damaged archive is refused before the prompt.
      const authorization = values.user !== undefined ? basic(values.user, await readPassword({ login: true })) : undefined;
      push = new RegistryPush({ ...target.push, ...(authorization ? { authorization } : {}) });
    } else {
      local = await startRegistry({ config: offlineConfig(config), log, access: allowAll });
      push = new RegistryPush({ base: new URL(`http://127.0.0.1:${local.address.port}/`) });
    }
    const summary = await storeArchive(verified, push, onProgress ? { onProgress } : {});
    if (onProgress) process.stderr.write('\n');
    process.stdout.write(formatSummary(summary, target.mode === 'online' ? `online, through the registry serving this config (${target.push.base.origin})` : `offline, directly on ${config.storage.filesystem.rootdirectory}`));
    return 0;
  } catch (err) {
    if (onProgress) process.stderr.write('\n'); // end the progress line before the error's
    throw err;
  } finally {
    push?.close();
    await local?.stop();
  }
}

type Target = { mode: 'online'; push: PushTarget } | { mode: 'offline' };

async function chooseTarget(config: RegistryConfig, dataDir: string): Promise<Target> {
  let channel: string | undefined;
  try {
    channel = adminEndpoint(dataDir, serverIdentity(config)).path;
  } catch { /* no findable server: only offline is possible, and only when nothing serves */ }
  if (channel && (await socketAnswers(channel))) return { mode: 'online', push: await onlineTarget(config) };
  if (config.http.net === 'tcp') {
    const api = reachable(config.http.addr);
    if (api.port !== 0 && (await listening(api.host, api.port))) {
      throw new Error(`something is serving on ${config.http.addr} but no Berth answers on its maintenance channel${channel ? ` ${channel}` : ''}; ` +
        'if it is Berth, run this command as the user running it, with the same data folder (BERTH_DATA_DIR), or stop the server to import offline');
    }
  }
  if (config.storage.driver !== 'filesystem') throw new Error('import needs filesystem storage when no server is running');
  return { mode: 'offline' };
}

/** The serving registry's API as its config describes it, reached over loopback when it listens on all addresses. */
async function onlineTarget(config: RegistryConfig): Promise<PushTarget> {
  const { http } = config;
  const scheme = http.tls ? 'https' : 'http';
  const pinnedCertificate = http.tls ? new X509Certificate(await readFile(http.tls.certificate)).raw : undefined;
  if (http.net === 'unix') return { base: new URL(`${scheme}://localhost${http.prefix}`), socketPath: http.addr, ...(pinnedCertificate ? { pinnedCertificate } : {}) };
  const { host, port } = reachable(http.addr);
  return { base: new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${http.prefix}`), ...(pinnedCertificate ? { pinnedCertificate } : {}) };
}

/** The config for the in-process registry of an offline import: same storage and rules, private listener. */
function offlineConfig(config: RegistryConfig): RegistryConfig {
  return {
    ...config,
    http: { ...config.http, addr: '127.0.0.1:0', net: 'tcp', host: undefined, prefix: '/', tls: undefined, debug: undefined, relativeurls: true },
    health: { storagedriver: { ...config.health.storagedriver, enabled: false } },
    storage: { ...config.storage, maintenance: { ...config.storage.maintenance, uploadpurging: { ...config.storage.maintenance.uploadpurging, enabled: false } } },
  };
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (up: boolean) => { s.destroy(); resolve(up); };
    s.setTimeout(2_000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function progressLine(): (p: ImportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    const of = p.totalBytes !== undefined ? ` of ${formatBytes(p.totalBytes)}` : '';
    process.stderr.write(`\r${p.phase === 'verifying' ? 'verifying' : 'storing  '} ${formatBytes(p.bytes)}${of}   `);
  };
}

export function formatSummary(s: ImportSummary, where: string): string {
  const lines = [`Imported ${s.format} — ${where}`];
  for (const i of s.images) {
    const names = i.tags.length > 0 ? i.tags.map((t) => `${i.repository}:${t}`).join(', ') : `${i.repository}@${i.digest}`;
    lines.push(`  ${names}  ${i.digest}  (${i.manifests} manifest${i.manifests === 1 ? '' : 's'}, ${i.blobs} blob${i.blobs === 1 ? '' : 's'})`);
  }
  lines.push(`  stored ${s.blobsStored} blob${s.blobsStored === 1 ? '' : 's'} (${formatBytes(s.bytesStored)}); ${s.blobsSkipped} already there`);
  return lines.join('\n') + '\n';
}
