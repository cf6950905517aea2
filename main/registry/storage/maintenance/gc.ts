// Online garbage collection: distribution's mark and sweep (`registry garbage-collect`),
// made safe to run while the registry serves by the guard in storage/gc-guard.ts. Phases:
//   mark     every revision of every repository (catalog and repository directories on disk);
//            with deleteUntagged only what tags, kept indexes and kept subjects reach
//   untagged delete the revisions nothing keeps (indexes before their children)
//   walk     list the blobs: the unmarked ones are candidates; then list every repository's
//            `_layers` links again, keeping those to candidates and to no blob at all
//   sweep    delete candidates, and the `_layers` links to them first, so a crash in between
//            leaves an unreferenced blob, never a dangling link
//   links    remove `_layers` links whose blob does not exist
//   prune    remove directories the above left empty, and empty ones the mark came across
// Nothing recent (mtime of the blob or of a link to it after `now - gracePeriodMs`) is deleted.
import { eachLimited, mapLimited } from '../../../lib/each-limited';
import type { Logger } from '../../../lib/logger';
import type { Digest } from '../../reference';
import type { BlobStore } from '../blob-store';
import { walkBlobs, type BlobEntry } from './blob-listing';
import { DigestPrefixSet } from './digest-set';
import { findRepositories, SERVING_WALK_CONCURRENCY } from '../catalog-index';
import { isNotFound } from '../driver/errors';
import type { StorageDriver } from '../driver/types';
import { keptRevisions, linkTime, markBlobs, mtimeOf, parentsFirst, scanLinks, scanRepository, type RepositoryScan, type ScannedLink } from './gc-mark';
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
  /** File calls in flight (default SERVING_WALK_CONCURRENCY; offline, nothing else needs the disk). */
  concurrency?: number;
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
  const limit = opts.concurrency ?? SERVING_WALK_CONCURRENCY;
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
    const names = await findRepositories(driver, ['_manifests', '_layers', '_uploads']);
    report.repositories = names.length;
    // Referenced blobs, and whether the blob walk found each. With 100,000 repositories this
    // and the names are all the GC holds: each repository is marked as soon as it is scanned
    // (with deleteUntagged, all are scanned first), and its links are listed again later.
    const marked = new DigestPrefixSet();
    /** Repositories with directories for the prune: left empty earlier, or emptied by this run. */
    const untidy = new Set<string>();
    const markRepository = (s: RepositoryScan, kept: ReadonlySet<string>) => {
      markBlobs(s, kept, (canonical) => marked.add(canonical));
      report.manifestsMarked += kept.size;
      if (s.untidy) untidy.add(s.name);
    };
    if (deleteUntagged) {
      const scans = await mapLimited(names, limit, (name) => scanRepository(driver, name, { tags: true, limit }));
      const kept = await removeUntagged(stores, scans, { dryRun, cutoff }, (name, d) => {
        report.manifestsDeleted++;
        note(report.deleted.manifests, `${name}@${d}`);
        untidy.add(name);
      });
      for (const s of scans) markRepository(s, kept.get(s.name)!);
    } else {
      await eachLimited(names, limit, async (name) => {
        const s = await scanRepository(driver, name, { tags: false, limit });
        markRepository(s, new Set(s.revisions.keys()));
      });
    }

    // Unmarked blobs are the candidates; then the links to them, and links to no blob at all.
    const candidates = new Map<string, BlobEntry>();
    await walkBlobs(driver, limit, async (entry) => {
      if (marked.see(entry.canonical.value)) report.blobsMarked++;
      else candidates.set(entry.canonical.value, entry);
    });
    const linksOf = new Map<string, RepositoryLink[]>();
    const dangling: RepositoryLink[] = [];
    await eachLimited(names, limit, async (repo) => {
      for (const link of await scanLinks(driver, repo)) {
        const c = link.canonical.value;
        if (candidates.has(c)) {
          const list = linksOf.get(c);
          if (list) list.push({ repo, link }); else linksOf.set(c, [{ repo, link }]);
        } else if (!marked.seen(c)) {
          dangling.push({ repo, link });
        }
      }
    });

    const prefixes = new Set<string>();
    await eachLimited([...candidates.values()], limit, async ({ canonical, prefixDir }) => {
      let info;
      try {
        info = await driver.stat(paths.blobData(canonical));
      } catch (err) {
        if (isNotFound(err)) return; // an empty directory, or a blob being moved into place
        throw err;
      }
      // Recent: the blob, or a link to it (uploads keep their first write's mtime when moved
      // into place; the link is written at commit).
      const linked = linksOf.get(canonical.value) ?? [];
      if (info.modTime.getTime() >= cutoff || (await linkedSince(driver, linked, cutoff))) {
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
            if (await blobs.unlink(repo, link.digest)) report.linksDeleted++;
            untidy.add(repo);
          }
          await blobs.remove(canonical);
        } finally {
          release();
        }
        prefixes.add(prefixDir);
      }
      report.blobsDeleted++;
      report.bytesFreed += info.size;
      note(report.deleted.blobs, { digest: canonical.value, size: info.size });
    });
    // The sweep works several blobs at once: list what it deleted in a stable order.
    report.deleted.blobs.sort((x, y) => (x.digest < y.digest ? -1 : x.digest > y.digest ? 1 : 0));

    if (!dryRun) report.linksDeleted += await removeDanglingLinks(stores, dangling, untidy);
    if (!dryRun && driver.pruneEmptyDirs) {
      await eachLimited([...prefixes], limit, (p) => driver.pruneEmptyDirs!(p, BLOBS));
      await eachLimited([...untidy], limit, (name) => pruneRepository(driver, name));
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

interface RepositoryLink { repo: string; link: ScannedLink }

/** Whether any of a blob's links was written at `cutoff` or later. */
async function linkedSince(driver: StorageDriver, linked: readonly RepositoryLink[], cutoff: number): Promise<boolean> {
  for (const { repo, link } of linked) if (((await linkTime(driver, repo, link)) ?? -Infinity) >= cutoff) return true;
  return false;
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
  o: { dryRun: boolean; cutoff: number },
  deleted: (name: string, digest: string) => void,
): Promise<Map<string, Set<string>>> {
  const kept = new Map(scans.map((s) => [s.name, keptRevisions(s, o.cutoff)]));
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
      const k = keptRevisions(s, o.cutoff, refused);
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
async function removeDanglingLinks({ driver, blobs }: GcStores, dangling: readonly RepositoryLink[], untidy: Set<string>): Promise<number> {
  let removed = 0;
  // One at a time: two repositories with a link to the same missing blob would each claim it.
  for (const { repo, link } of dangling) {
    const release = blobs.guard.claim(link.canonical.value);
    if (!release) continue;
    try {
      // Claimed, so nothing can bring the blob back now; check it is really missing (a blob
      // pushed after the walk is not).
      if ((await mtimeOf(driver, paths.blobData(link.canonical))) !== undefined) continue;
      if (await blobs.unlink(repo, link.digest)) removed++;
      untidy.add(repo);
    } finally {
      release();
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
