// `berth import`'s work, whichever registry receives it (the serving Berth, or one started over
// the storage for an offline import):
//   1. read the whole archive once, hashing every file (archive-scan.ts), and build the plan
//      (import-plan.ts), so a tampered, truncated or unsupported archive is refused before
//      anything is written;
//   2. ask the registry which blobs each repository already has;
//   3. read the archive again and upload each missing blob as it streams by (the registry
//      verifies its digest again while writing it; a failed upload is cancelled, so its partial
//      bytes are removed), mounting a blob into the other repositories that need it;
//   4. only then put the manifests, children first, by digest, and last the tags.
// A failure in steps 2-4 (the archive changed between the reads, the disk filled) leaves
// complete, verified blobs that no manifest references yet, which garbage collection removes,
// and never a tag or manifest that points at missing content.
import { openArchive, type ArchiveSource } from './archive-source';
import { scanArchive } from './archive-scan';
import { planImport, type ImportPlan, type PlannedBlob, type PlanOptions } from './import-plan';
import { ImportError } from './import-error';
import type { RegistryPush } from './registry-push';

export interface ImportProgress {
  phase: 'verifying' | 'storing';
  bytes: number;
  /** Bytes to store in all (known once verification is done). */
  totalBytes?: number;
}

export interface ImportedImage {
  repository: string;
  tags: string[];
  /** The image's own manifest (an index for a multi-platform image). */
  digest: string;
  manifests: number;
  blobs: number;
}

export interface ImportSummary {
  format: string;
  images: ImportedImage[];
  /** Blobs (and bytes) sent to the registry; the rest were already stored. */
  blobsStored: number;
  bytesStored: number;
  blobsSkipped: number;
}

type Progress = { onProgress?: (p: ImportProgress) => void };

/** An archive read once and verified: what importing it would store. */
export interface VerifiedArchive { source: ArchiveSource; plan: ImportPlan }

export async function importArchive(path: string, push: RegistryPush, opts: PlanOptions & Progress = {}): Promise<ImportSummary> {
  return storeArchive(await verifyArchive(path, opts), push, opts);
}

/** Step 1, which needs no registry: a damaged archive is refused before one is even started. */
export async function verifyArchive(path: string, opts: PlanOptions & Progress = {}): Promise<VerifiedArchive> {
  const source = await openArchive(path);
  const scan = await scanArchive(source, (p) => opts.onProgress?.({ phase: 'verifying', bytes: p.bytes }));
  return { source, plan: planImport(scan, opts) };
}

/** Steps 2-4. */
export async function storeArchive({ source, plan }: VerifiedArchive, push: RegistryPush, opts: Progress = {}): Promise<ImportSummary> {

  // Which repository needs which blob, and where each blob's bytes are.
  const wanted = new Map<string, { blob: PlannedBlob; repositories: string[] }>();
  let skipped = 0;
  for (const image of plan.images) {
    for (const blob of image.blobs) {
      if (await push.hasBlob(image.repository, blob.digest)) {
        skipped++;
        continue;
      }
      const w = wanted.get(blob.digest) ?? { blob, repositories: [] };
      if (!w.repositories.includes(image.repository)) w.repositories.push(image.repository);
      wanted.set(blob.digest, w);
    }
  }
  const stored = await storeBlobs(source, wanted, push, opts.onProgress);
  for (const w of wanted.values()) if (!stored.done.has(w.blob.digest)) throw new ImportError(`${source.label} changed while it was imported: ${w.blob.path} is gone`);

  for (const image of plan.images) {
    for (const m of image.manifests) await push.putManifest(image.repository, m.digest, m.mediaType, m.bytes);
  }
  for (const image of plan.images) {
    const root = image.manifests[image.manifests.length - 1]!;
    for (const tag of image.tags) await push.putManifest(image.repository, tag, root.mediaType, root.bytes);
  }
  return summary(plan, stored.blobs, stored.bytes, skipped);
}

/** The second read: each wanted blob is uploaded as its file streams by, then mounted where else it is wanted. */
async function storeBlobs(source: ArchiveSource, wanted: Map<string, { blob: PlannedBlob; repositories: string[] }>, push: RegistryPush, onProgress?: (p: ImportProgress) => void) {
  const done = new Set<string>();
  let blobs = 0;
  let bytes = 0;
  if (wanted.size === 0) return { done, blobs, bytes };
  const byPath = new Map<string, Array<{ blob: PlannedBlob; repositories: string[] }>>();
  let totalBytes = 0;
  for (const w of wanted.values()) {
    byPath.set(w.blob.path, [...(byPath.get(w.blob.path) ?? []), w]);
    totalBytes += w.blob.size;
  }
  for await (const entry of source.entries()) {
    const here = byPath.get(entry.path);
    if (!here || entry.kind !== 'file') continue;
    // One file is one blob; a path listed twice (never, in practice) is uploaded once.
    const w = here[0]!;
    const [first, ...others] = w.repositories;
    const start = await push.mount(first!, w.blob.digest);
    if (!start.mounted) {
      try {
        await push.upload(start.upload, w.blob.digest, w.blob.size, counted(entry.open(), (n) => {
          bytes += n;
          onProgress?.({ phase: 'storing', bytes, totalBytes });
        }));
      } catch (err) {
        await push.cancel(start.upload);
        if (err instanceof ImportError && /DIGEST_INVALID|SIZE_INVALID/.test(err.message)) {
          throw new ImportError(`${source.label} changed while it was imported: ${w.blob.path} no longer matches ${w.blob.digest}`);
        }
        throw err;
      }
      blobs++;
    }
    for (const repo of others) {
      const m = await push.mount(repo, w.blob.digest, first);
      if (!m.mounted) {
        await push.cancel(m.upload);
        throw new ImportError(`the registry did not link blob ${w.blob.digest} into ${repo} after storing it in ${first}`);
      }
    }
    done.add(w.blob.digest);
    if (done.size === wanted.size) break; // the rest of the archive is not needed
  }
  return { done, blobs, bytes };
}

async function* counted(stream: AsyncIterable<unknown>, add: (n: number) => void): AsyncIterable<Buffer> {
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    add(buf.length);
    yield buf;
  }
}

function summary(plan: ImportPlan, blobsStored: number, bytesStored: number, blobsSkipped: number): ImportSummary {
  return {
    format: plan.format,
    images: plan.images.map((i) => ({
      repository: i.repository, tags: i.tags, digest: i.manifests[i.manifests.length - 1]!.digest, manifests: i.manifests.length, blobs: i.blobs.length,
    })),
    blobsStored, bytesStored, blobsSkipped,
  };
}
