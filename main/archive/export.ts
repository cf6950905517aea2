// `berth export` over a RegistryStore: plan (resolve every reference, walk every manifest), then
// stream the blobs into the archive. The store is read directly rather than through the
// registry's HTTP API: it works offline and online alike, needs no credentials (reading the
// storage folder is the permission), and costs no HTTP round trips. Reading takes no locks and
// writes nothing; online, the serving Berth may garbage-collect only unreferenced blobs, and
// what is exported is referenced by the tags and digests being exported (a tag moved and
// collected mid-export makes the export fail cleanly, with no file left).
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { parseDigest } from '../registry/reference';
import type { RegistryStore } from '../registry/storage/registry-store';
import { writeArchive, type ExportProgress } from './archive-writer';
import { ExportError } from './export-error';
import { planExport, type PlannedBlob } from './export-plan';
import type { ExportRef } from './export-ref';
import { hostPlatform, type Platform } from './platform';

export interface ExportOptions {
  refs: ExportRef[];
  file: string;
  /** The platform manifest.json gets from multi-platform images; default this machine's. */
  platform?: Platform;
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportSummary {
  file: string;
  /** Bytes of the archive file. */
  bytes: number;
  images: Array<{ reference: string; digest: string }>;
  blobs: number;
  /** References `docker load` will not see (artifacts, or no image for the platform). */
  notForDocker: string[];
  platform: Platform;
}

export async function exportImages(store: RegistryStore, opts: ExportOptions): Promise<ExportSummary> {
  if (opts.refs.length === 0) throw new ExportError('nothing to export: name at least one repository, name:tag or name@digest');
  await checkWritable(opts.file);
  const platform = opts.platform ?? hostPlatform();
  const plan = await planExport(store, opts.refs, platform);
  const { bytes } = await writeArchive(plan, (b) => openBlob(store, b), opts.file, opts.onProgress);
  return {
    file: opts.file,
    bytes,
    images: plan.images.map((i) => ({ reference: i.reference, digest: i.digest })),
    blobs: plan.blobs.length,
    notForDocker: plan.notForDocker,
    platform,
  };
}

/** Fails before any work when the archive's folder cannot take it. */
async function checkWritable(file: string): Promise<void> {
  const dir = dirname(file);
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExportError(`cannot write ${file}: ${code === 'ENOENT' ? `folder ${dir} does not exist` : code === 'EACCES' ? `no permission to write in ${dir}` : (err as Error).message}`);
  }
}

/** Manifests are found through the repository's revision links, other blobs through its layer links. */
async function openBlob(store: RegistryStore, blob: PlannedBlob): Promise<Readable> {
  const digest = parseDigest(blob.digest)!;
  const canonical = blob.kind === 'manifest'
    ? await store.manifests.revision(blob.repository, digest)
    : (await store.blobs.resolve(blob.repository, digest))?.canonical;
  if (!canonical) throw new ExportError(`blob ${blob.digest} (a ${blob.kind} of ${blob.repository}) is not in the store${blob.kind === 'layer' ? ' (a proxy cache fetches layers only when pulled)' : ''}`);
  return store.blobs.open(canonical);
}
