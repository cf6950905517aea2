// Online garbage collection: distribution's mark and sweep (`registry garbage-collect`),
// made safe to run while the registry serves by the guard in storage/gc-guard.ts. Phases:
//   mark     every revision of every repository (catalog and repository directories on disk);
//            with deleteUntagged only what tags, kept indexes and kept subjects reach
//   untagged delete the revisions nothing keeps (indexes before their children)
//   sweep    delete unmarked blobs, and the `_layers` links to them first, so a crash in between
//            leaves an unreferenced blob, never a dangling link
//   links    remove `_layers` links whose blob no longer exists
//   prune    remove directories the above left empty
// Nothing recent (mtime of the blob or of a link to it after `now - gracePeriodMs`) is deleted.
import type { Logger } from '../../../lib/logger';
import type { Digest } from '../../reference';
import type { BlobStore } from '../blob-store';
import { walkBlobs } from './blob-listing';
import { findRepositories } from '../catalog-index';
import { isNotFound } from '../driver/errors';
import type { StorageDriver } from '../driver/types';
import { keptRevisions, markBlobs, mtimeOf, parentsFirst, scanRepository, type RepositoryScan, type ScannedLink } from './gc-mark';
import { deleteIfExists } from '../links';
import type { ManifestStore } from '../manifest-store';
import { BLOBS, paths, REPOSITORIES } from '../paths';

export interface GcOptions {
  /** Report what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** Also delete manifests no tag points to (unless a kept index or subject needs them). */
  deleteUntagged?: boolean;
  /** Keep blobs and untagged manifests written this recently (default 0: since the GC began). */
  gracePeriodMs?: number;
  /** Test hook: runs before each unmarked blob is claimed, so tests can act mid-sweep. */
  beforeDelete?: (digest: string) => Promise<void>;
}

export interface GcReport {
  dryRun: boolean;
  deleteUntagged: boolean;
  startedAt: string;
  durationMs: number;
  repositories: number;
  manifestsMarked: number;
  /** Untagged manifests removed (deleteUntagged), or that would be. */
  manifestsDeleted: number;
  blobsMarked: number;
  blobsDeleted: number;
  /** Unreferenced blobs kept because they (or a link to them) are newer than the grace period. */
  blobsKeptRecent: number;
  /** Unreferenced blobs kept because a request used them while the GC ran. */
  blobsKeptInUse: number;
  /** `_layers` links removed (to deleted blobs, or dangling). */
  linksDeleted: number;
  bytesFreed: number;
  /** What was (with dryRun: would be) deleted, up to ITEM_LIMIT entries each. */
  deleted: { manifests: string[]; blobs: Array<{ digest: string; size: number }>; truncated: boolean };
}

export interface GcStores {
  driver: StorageDriver;
  blobs: BlobStore;
  manifests: ManifestStore;
}

const ITEM_LIMIT = 1000;
const ALGORITHMS = ['sha256', 'sha384', 'sha512'];

export async function collectGarbage(stores: GcStores, opts: GcOptions = {}, log?: Logger): Promise<GcReport> {
  // A negative grace would put the cutoff in the future and delete blobs being pushed now.
  if (opts.gracePeriodMs !== undefined && !(opts.gracePeriodMs >= 0)) throw new Error(`the grace period must not be negative (got ${opts.gracePeriodMs} ms)`);
  const started = Date.now();
  const { driver, blobs } = stores;
  const dryRun = opts.dryRun ?? false;
  const deleteUntagged = opts.deleteUntagged ?? false;
  const cutoff = started - (opts.gracePeriodMs ?? 0);
  const report: GcReport = {
    dryRun, deleteUntagged, startedAt: new Date(started).toISOString(), durationMs: 0, repositories: 0,
    manifestsMarked: 0, manifestsDeleted: 0, blobsMarked: 0, blobsDeleted: 0, blobsKeptRecent: 0, blobsKeptInUse: 0,
    linksDeleted: 0, bytesFreed: 0, deleted: { manifests: [], blobs: [], truncated: false },
  };
  const note = <T>(list: T[], item: T) => {
    if (list.length < ITEM_LIMIT) list.push(item); else report.deleted.truncated = true;
  };

  await blobs.guard.begin();
  try {
    const scans: RepositoryScan[] = [];
    for (const name of await findRepositories(driver, ['_manifests', '_layers', '_uploads'])) scans.push(await scanRepository(driver, name));
    report.repositories = scans.length;

    const kept = await removeUntagged(stores, scans, { dryRun, deleteUntagged, cutoff }, (name, d) => {
      report.manifestsDeleted++;
      note(report.deleted.manifests, `${name}@${d}`);
    });
    const marked = new Set<string>();
    for (const s of scans) {
      markBlobs(s, kept.get(s.name)!, marked);
      report.manifestsMarked += kept.get(s.name)!.size;
    }

    // Who links each blob, and when a link to it was last written (uploads keep their first
    // write's mtime when moved into place; the link is written at commit).
    const linksOf = new Map<string, Array<{ repo: string; link: ScannedLink }>>();
    for (const s of scans) for (const l of s.links) linksOf.set(l.canonical.value, [...(linksOf.get(l.canonical.value) ?? []), { repo: s.name, link: l }]);
    const existing = new Set<string>();
    const prefixes = new Set<string>();

    await walkBlobs(driver, async ({ canonical, prefixDir }) => {
      existing.add(canonical.value);
      if (marked.has(canonical.value)) {
        report.blobsMarked++;
        return;
      }
      let info;
      try {
        info = await driver.stat(paths.blobData(canonical));
      } catch (err) {
        if (isNotFound(err)) return; // an empty directory, or a blob being moved into place
        throw err;
      }
      const linked = linksOf.get(canonical.value) ?? [];
      if (info.modTime.getTime() >= cutoff || linked.some((l) => l.link.mtimeMs >= cutoff)) {
        report.blobsKeptRecent++;
        return;
      }
      await opts.beforeDelete?.(canonical.value);
      if (dryRun) {
        if (blobs.guard.isProtected(canonical.value)) { report.blobsKeptInUse++; return; }
      } else {
        const release = blobs.guard.claim(canonical.value);
        if (!release) { report.blobsKeptInUse++; return; }
        try {
          for (const { repo, link } of linked) {
            await blobs.unlink(repo, link.digest);
            report.linksDeleted++;
          }
          await blobs.remove(canonical);
        } finally {
          release();
        }
        existing.delete(canonical.value);
        prefixes.add(prefixDir);
      }
      report.blobsDeleted++;
      report.bytesFreed += info.size;
      note(report.deleted.blobs, { digest: canonical.value, size: info.size });
    });

    if (!dryRun) report.linksDeleted += await removeDanglingLinks(stores, scans, existing);
    if (!dryRun && driver.pruneEmptyDirs) {
      for (const p of prefixes) await driver.pruneEmptyDirs(p, BLOBS);
      for (const s of scans) await pruneRepository(driver, s.name);
    }
  } finally {
    blobs.guard.end();
  }
  report.durationMs = Date.now() - started;
  log?.info('garbage collection finished', {
    dryRun, deleteUntagged, repositories: report.repositories, manifestsMarked: report.manifestsMarked,
    manifestsDeleted: report.manifestsDeleted, blobsMarked: report.blobsMarked, blobsDeleted: report.blobsDeleted,
    bytesFreed: report.bytesFreed, durationMs: report.durationMs,
  });
  return report;
}

/**
 * With deleteUntagged, deletes the revisions nothing keeps; returns what each repository keeps.
 * All candidates are claimed at once; one that something touched during the GC cannot be
 * claimed, so it is kept, and with it what it reaches (children, referrers), whose claims are
 * then released. Claims are held until the deletes are done.
 */
async function removeUntagged(
  { driver, blobs, manifests }: GcStores,
  scans: RepositoryScan[],
  o: { dryRun: boolean; deleteUntagged: boolean; cutoff: number },
  deleted: (name: string, digest: string) => void,
): Promise<Map<string, Set<string>>> {
  const kept = new Map(scans.map((s) => [s.name, keptRevisions(s, o.deleteUntagged, o.cutoff)]));
  if (!o.deleteUntagged) return kept;
  const releases = new Map<string, () => void>();
  const refused = new Set<string>();
  for (const s of scans) {
    for (const r of s.revisions.values()) {
      const d = r.digest.value;
      if (kept.get(s.name)!.has(d) || releases.has(d) || refused.has(d)) continue;
      const keys = r.canonical ? [d, r.canonical.value] : [d];
      const release = o.dryRun ? (keys.some((k) => blobs.guard.isProtected(k)) ? undefined : () => {}) : blobs.guard.claim(...keys);
      if (release) releases.set(d, release); else refused.add(d);
    }
  }
  try {
    for (const s of scans) {
      const k = keptRevisions(s, true, o.cutoff, refused);
      kept.set(s.name, k);
      const doomed = new Set([...s.revisions.keys()].filter((d) => !k.has(d)));
      for (const d of parentsFirst(s, doomed)) {
        if (!o.dryRun) {
          const digest = s.revisions.get(d)!.digest;
          await manifests.removeRevision(s.name, digest);
          for (const tag of s.tags) await deleteIfExists(driver, tagIndexDir(s.name, tag, digest));
        }
        deleted(s.name, d);
      }
    }
  } finally {
    for (const release of releases.values()) release();
  }
  return kept;
}

function tagIndexDir(name: string, tag: string, d: Digest): string {
  return paths.tagIndexLink(name, tag, d).replace(/\/link$/, '');
}

/** Removes `_layers` links whose blob is gone (deleted earlier, or by another tool). */
async function removeDanglingLinks({ driver, blobs }: GcStores, scans: RepositoryScan[], existing: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  for (const s of scans) {
    for (const l of s.links) {
      if (existing.has(l.canonical.value)) continue;
      const release = blobs.guard.claim(l.canonical.value);
      if (!release) continue;
      try {
        // Claimed, so nothing can bring the blob back now; check it is really missing.
        if ((await mtimeOf(driver, paths.blobData(l.canonical))) !== undefined) continue;
        if (await blobs.unlink(s.name, l.digest)) removed++;
      } finally {
        release();
      }
    }
  }
  return removed;
}

/** Directories GC and earlier deletes leave empty; `_manifests` itself stays (the catalog). */
async function pruneRepository(driver: StorageDriver, name: string): Promise<void> {
  const prune = driver.pruneEmptyDirs!.bind(driver);
  const repo = paths.repo(name);
  for (const alg of ALGORITHMS) {
    await prune(`${paths.layersDir(name)}/${alg}`, repo);
    await prune(`${paths.revisionsDir(name)}/${alg}`, paths.manifestsDir(name));
  }
  await prune(paths.uploadsDir(name), repo);
  await prune(repo, REPOSITORIES);
}
