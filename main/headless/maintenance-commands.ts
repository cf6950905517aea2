// `berth gc` and `berth fsck`: parse the flags, run the task in the serving Berth or offline
// (run-maintenance.ts), and print a readable summary. Exit codes: 0 done (fsck: no errors),
// 1 fsck found errors or the task failed, 2 usage.
import { parseArgs } from 'node:util';
import { resolveConfigSource } from '../config/config-source';
import { parseNonNegativeDuration } from '../config/duration';
import { formatBytes } from '../../preload/contract/format-bytes';
import { createLogger, silentLogger } from '../lib/logger';
import { runMaintenance, type Where } from './run-maintenance';
import type { FsckReport } from '../registry/storage/maintenance/fsck';
import type { GcReport } from '../registry/storage/maintenance/gc';

export const MAINTENANCE_USAGE = `Usage:
  berth gc   [--dry-run] [--delete-untagged] [--grace DURATION] [--config FILE]
      Deletes blobs no manifest references (and with --delete-untagged, manifests no tag
      reaches). Runs inside the Berth serving the config when one answers on its maintenance
      channel (a socket in the data folder only your user can open), else directly on the
      storage. --grace keeps what was written within DURATION (e.g. 1h).
  berth fsck [--repair] [--json] [--config FILE]
      Checks every blob (re-hashed), link, manifest, tag and upload. Exit code 1 on errors.
      --repair removes dangling links and tags, abandoned temp files and corrupt blobs.
Without --config, both use the configuration \`berth serve\` would use.
`;

const SHOWN = 20;

export async function runGc(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: attachNegativeValue(args, '--grace'), strict: true, allowPositionals: false,
    options: { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean', short: 'd' }, 'delete-untagged': { type: 'boolean', short: 'm' }, grace: { type: 'string' }, json: { type: 'boolean' } },
  });
  let gracePeriodMs: number | undefined;
  try {
    if (values.grace !== undefined) gracePeriodMs = parseNonNegativeDuration(values.grace);
  } catch (err) {
    process.stderr.write(`berth: --grace: ${(err as Error).message}\n`);
    return 2;
  }
  const { config, dataDir } = await load(values.config);
  const opts = { dryRun: values['dry-run'] ?? false, deleteUntagged: values['delete-untagged'] ?? false, ...(gracePeriodMs !== undefined ? { gracePeriodMs } : {}) };
  const { where, report } = await runMaintenance(config, dataDir, { kind: 'gc', opts }, logger(config.log.level));
  process.stdout.write(values.json ? JSON.stringify({ where, ...report }, null, 2) + '\n' : formatGc(where, report));
  return 0;
}

export async function runFsck(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: { config: { type: 'string', short: 'c' }, repair: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const { config, dataDir } = await load(values.config);
  const { where, report } = await runMaintenance(config, dataDir, { kind: 'fsck', opts: { repair: values.repair ?? false } }, logger(config.log.level));
  process.stdout.write(values.json ? JSON.stringify({ where, ...report }, null, 2) + '\n' : formatFsck(where, report));
  // Errors that remain (after --repair, the ones it could not fix) fail the command.
  const repairedErrors = report.problems.filter((p) => p.severity === 'error' && p.repaired).length;
  return report.errors - repairedErrors > 0 ? 1 : 0;
}

async function load(path: string | undefined) {
  const from = resolveConfigSource(path);
  return { config: (await from.load()).config, dataDir: from.dataDir };
}

/**
 * parseArgs reads `--grace -5m` as a missing value followed by an unknown flag; passing it as
 * `--grace=-5m` lets the duration check say what is wrong with it.
 */
function attachNegativeValue(args: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i] === flag && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

/** Offline runs log to stderr at warn and above; the summary is what the user asked for. */
function logger(level: string) {
  return level === 'error' ? silentLogger : createLogger({ level: 'warn', format: 'text' });
}

function describe(where: Where): string {
  return where.mode === 'online' ? `online, in the registry serving this config (maintenance channel ${where.channel})` : `offline, directly on ${where.root}`;
}

export function formatGc(where: Where, r: GcReport): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = [
    `Garbage collection ${r.dryRun ? '(dry run) ' : ''}— ${describe(where)}`,
    `  repositories  ${r.repositories}`,
    `  manifests     ${r.manifestsMarked} kept, ${r.manifestsDeleted} untagged ${verb}${r.deleteUntagged ? '' : ' (untagged manifests kept; --delete-untagged removes them)'}`,
    `  blobs         ${r.blobsMarked} in use, ${r.blobsDeleted} ${verb}, ${r.blobsKeptRecent} kept as recent, ${r.blobsKeptInUse} kept as used during the run`,
    `  links         ${r.linksDeleted} removed`,
    `  space         ${formatBytes(r.bytesFreed)} ${r.dryRun ? 'would be freed' : 'freed'} (${r.bytesFreed} bytes) in ${r.durationMs} ms`,
  ];
  const items = [...r.deleted.manifests.map((m) => `manifest ${m}`), ...r.deleted.blobs.map((b) => `blob ${b.digest} (${formatBytes(b.size)})`)];
  if (items.length > 0) {
    lines.push(`${r.dryRun ? 'Would delete' : 'Deleted'}:`);
    for (const i of items.slice(0, SHOWN)) lines.push(`  ${i}`);
    if (items.length > SHOWN || r.deleted.truncated) lines.push(`  … and more (--json lists up to 1000)`);
  }
  return lines.join('\n') + '\n';
}

export function formatFsck(where: Where, r: FsckReport): string {
  const lines = [
    `fsck ${r.repair ? '--repair ' : ''}— ${describe(where)}`,
    `  checked  ${r.repositories} repositories, ${r.blobs} blobs (${formatBytes(r.bytesVerified)} re-hashed), ${r.links} links, ${r.manifests} manifests, ${r.tags} tags, ${r.uploads} uploads in ${r.durationMs} ms`,
    `  found    ${r.errors} errors, ${r.leftovers} harmless leftovers${r.repair ? `; repaired ${r.repaired}` : ''}`,
  ];
  for (const p of r.problems) {
    lines.push(`  ${p.severity === 'error' ? 'ERROR   ' : 'leftover'} ${p.kind}: ${p.path}: ${p.detail}${p.repaired ? ' [repaired]' : ''}`);
  }
  if (r.errors === 0) lines.push(r.leftovers === 0 ? 'The store is consistent.' : 'No errors; leftovers are debris of interrupted operations (--repair removes them).');
  else if (!r.repair) lines.push('Run with --repair to remove dangling links and tags, temp files and corrupt blobs.');
  return lines.join('\n') + '\n';
}
