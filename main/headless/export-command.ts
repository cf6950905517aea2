// `berth export REF... -o FILE.tar`: parse the flags, read the store of the configuration
// `berth serve` would use (main/archive/export.ts says why directly), and report. Progress goes to
// stderr while it runs when stderr is a terminal; the summary goes to stdout.
// Exit codes: 0 written, 1 failed (one line on stderr, no file left), 2 usage.
import { parseArgs } from 'node:util';
import { rmSync } from 'node:fs';
import { formatBytes } from '../../preload/contract/format-bytes';
import { partialArchivePath, type ExportProgress } from '../archive/archive-writer';
import { exportImages, type ExportSummary } from '../archive/export';
import { ExportError } from '../archive/export-error';
import { parseExportRef } from '../archive/export-ref';
import { parsePlatform } from '../archive/platform';
import { resolveConfigSource } from '../config/config-source';
import { silentLogger } from '../lib/logger';
import { openDriver } from '../registry/registry';
import { RegistryStore } from '../registry/storage/registry-store';

export const EXPORT_USAGE = `Usage:
  berth export REF... -o FILE.tar [--platform OS/ARCH[/VARIANT]] [--config FILE]
      Writes the images REF names (name:tag, name@digest, or a repository name for all its
      tags) to one archive that both \`docker load -i FILE.tar\` and OCI tools
      (\`skopeo copy oci-archive:FILE.tar:name:tag …\`) read, with every platform of multi-platform
      images and their referrers (signatures, SBOMs). docker load takes one platform per
      image: --platform chooses it (default this machine's). Works whether or not Berth serves.
`;

export async function runExport(args: string[]): Promise<number> {
  if (['help', '--help', '-h'].includes(args[0] ?? '')) {
    process.stdout.write(EXPORT_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args, strict: true, allowPositionals: true,
      options: { output: { type: 'string', short: 'o' }, platform: { type: 'string' }, config: { type: 'string', short: 'c' } },
    });
  } catch (err) {
    process.stderr.write(`berth export: ${(err as Error).message}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (!values.output || positionals.length === 0) {
    process.stderr.write(`berth export: ${!values.output ? 'give the archive to write with -o FILE.tar' : 'name at least one image'}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const file = values.output;
  const refs = positionals.map(parseExportRef);
  const platform = values.platform !== undefined ? parsePlatform(values.platform) : undefined;

  const { config } = await resolveConfigSource(values.config).load();
  if (config.storage.driver !== 'filesystem') throw new ExportError('export reads filesystem storage; this configuration keeps its images in memory');
  const store = new RegistryStore(await openDriver(config), config, silentLogger);
  const progress = process.stderr.isTTY ? progressLine() : undefined;
  // Ctrl-C ends the process mid-write: remove the partial archive, as a failed export does.
  const interrupted = () => {
    progress?.end();
    rmSync(partialArchivePath(file), { force: true });
    process.stderr.write('berth export: interrupted; no archive written\n');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const summary = await exportImages(store, { refs, file, ...(platform ? { platform } : {}), ...(progress ? { onProgress: progress.update } : {}) });
    progress?.end();
    process.stdout.write(formatSummary(summary));
    return 0;
  } catch (err) {
    progress?.end();
    throw err;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await store.close();
  }
}

/** One line, rewritten at most five times a second. */
function progressLine(): { update: (p: ExportProgress) => void; end: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 200 && p.bytesDone < p.bytesTotal) return;
      last = now;
      shown = true;
      process.stderr.write(`\rexporting ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}, ${p.imagesDone} of ${p.imagesTotal} images\x1b[K`);
    },
    end() {
      if (shown) process.stderr.write('\n');
    },
  };
}

export function formatSummary(s: ExportSummary): string {
  const lines = [`Exported ${s.images.length} image${s.images.length === 1 ? '' : 's'} (${s.blobs} blobs, ${formatBytes(s.bytes)}) to ${s.file}`];
  for (const i of s.images) lines.push(`  ${i.reference}  ${i.digest}`);
  if (s.notForDocker.length > 0) {
    lines.push(`Not loadable by docker load (artifacts, or no ${s.platform.os}/${s.platform.architecture}${s.platform.variant ? `/${s.platform.variant}` : ''} image; OCI tools see them):`);
    for (const r of s.notForDocker) lines.push(`  ${r}`);
  }
  return lines.join('\n') + '\n';
}
