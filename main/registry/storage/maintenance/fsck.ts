// `berth fsck`: checks the whole store against distribution's layout and invariants
// (storage/paths.ts documents the tree): every blob re-hashed, every link, revision, tag and upload of
// every repository (fsck-repository.ts), and stray temporary files of interrupted atomic writes.
// Problems are errors (content missing or wrong) or leftovers (debris of an interrupted
// operation that nothing reads). --repair removes dangling and unreadable links, tags naming
// missing manifests, abandoned temp files and uploads, and corrupt blobs (after their links) —
// never a blob whose bytes match its digest, and never a manifest.
import type { ValidationConfig } from '../../../config/types';
import { drainStack, eachLimited } from '../../../lib/each-limited';
import type { Logger } from '../../../lib/logger';
import { hashFor } from '../../digest';
import type { BlobStore } from '../blob-store';
import { walkBlobs } from './blob-listing';
import { findRepositories, SERVING_WALK_CONCURRENCY } from '../catalog-index';
import { isNotFound } from '../driver/errors';
import type { StorageDriver } from '../driver/types';
import { FsckContext, type FsckCounts, type FsckProblem } from './fsck-context';
import { checkRepository } from './fsck-repository';
import { mtimeOf } from './gc-mark';
import { deleteIfExists, listIfExists } from '../links';
import type { ManifestStore } from '../manifest-store';
import { paths, ROOT } from '../paths';
import type { TagStore } from '../tag-store';

export type { FsckProblem, FsckSeverity } from './fsck-context';

export interface FsckOptions {
  repair?: boolean;
  /** Debris younger than this is left alone: it may belong to a request in progress. Default 60 s. */
  minAgeMs?: number;
  /** File calls in flight (default SERVING_WALK_CONCURRENCY; offline, nothing else needs the disk). */
  concurrency?: number;
}

export interface FsckReport extends FsckCounts {
  repair: boolean;
  startedAt: string;
  durationMs: number;
  errors: number;
  leftovers: number;
  repaired: number;
  problems: FsckProblem[];
}

export interface FsckStores {
  driver: StorageDriver;
  blobs: BlobStore;
  manifests: ManifestStore;
  tags: TagStore;
}

/** Names of files the layout defines, which the temp-file walk skips. */
const KNOWN_FILES = new Set(['link', 'data', 'startedat']);

export async function checkStorage(stores: FsckStores, validation: ValidationConfig, opts: FsckOptions = {}, log?: Logger): Promise<FsckReport> {
  const started = Date.now();
  const repair = opts.repair ?? false;
  const limit = opts.concurrency ?? SERVING_WALK_CONCURRENCY;
  const ctx = new FsckContext(stores.driver, stores.blobs, stores.manifests, stores.tags, repair, repair ? 1 : limit, opts.minAgeMs ?? 60_000, started);
  if (repair) await stores.blobs.guard.begin();
  try {
    const corrupt = await checkBlobs(ctx, limit);
    const names = await findRepositories(ctx.driver, ['_manifests', '_layers', '_uploads']);
    await eachLimited(names, ctx.limit, (name) => checkRepository(ctx, name, validation));
    // Links to corrupt blobs went above, so a corrupt blob can go now; a new push of the same
    // content then stores it again (an upload is dropped while a blob of its size exists).
    for (const [value, p] of corrupt) {
      const canonical = { algorithm: 'sha256' as const, hex: value.slice(7), value };
      await ctx.fix(p, [value], async () => (await mtimeOf(ctx.driver, paths.blobData(canonical))) !== undefined, () => ctx.blobs.remove(canonical));
    }
    await checkTempFiles(ctx, ROOT);
  } finally {
    if (repair) stores.blobs.guard.end();
  }
  // Blobs and repositories are checked several at a time: report in a stable order.
  ctx.problems.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const report: FsckReport = {
    repair, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, ...ctx.counts,
    errors: ctx.tally.errors, leftovers: ctx.tally.leftovers, repaired: ctx.tally.repaired, problems: ctx.problems,
  };
  log?.info('fsck finished', {
    repair, blobs: report.blobs, links: report.links, manifests: report.manifests, tags: report.tags,
    errors: report.errors, leftovers: report.leftovers, repaired: report.repaired, durationMs: report.durationMs,
  });
  return report;
}

/** Re-hashes every blob (each repair claims its own digest: `limit` at a time even when repairing); returns the corrupt ones with their problem, for repair after the links. */
async function checkBlobs(ctx: FsckContext, limit: number): Promise<Map<string, FsckProblem>> {
  const corrupt = new Map<string, FsckProblem>();
  await walkBlobs(ctx.driver, limit, async ({ canonical }) => {
    const data = paths.blobData(canonical);
    let actual: string;
    let size = 0;
    try {
      const h = hashFor('sha256');
      for await (const chunk of await ctx.driver.reader(data)) {
        h.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      actual = 'sha256:' + h.digest('hex');
    } catch (err) {
      if (!isNotFound(err)) {
        ctx.problem('error', 'blob-unreadable', data, (err as Error).message);
        return;
      }
      // A blob directory without data: an interrupted delete (or a move about to land).
      const dir = paths.blobDir(canonical);
      const p = ctx.problem('leftover', 'blob-without-data', dir, 'blob directory without data');
      await ctx.fix(p, [canonical.value], async () => (await mtimeOf(ctx.driver, data)) === undefined && (await ctx.isOld(dir)), () => deleteIfExists(ctx.driver, dir));
      return;
    }
    ctx.counts.blobs++;
    ctx.counts.bytesVerified += size;
    if (actual === canonical.value) {
      ctx.valid.add(canonical.value);
      return;
    }
    ctx.corrupt.add(canonical.value);
    corrupt.set(canonical.value, ctx.problem('error', 'blob-corrupt', data, `content hashes to ${actual}`));
  }, async (path) => {
    ctx.problem('leftover', 'stray-entry', path, 'not part of the blob layout (left alone)');
  });
  return corrupt;
}

/**
 * `*.tmp` files are atomic writes that never got renamed (a crash, or registry:3.1's writer).
 * Every other name is listed as a folder without a stat first (a file lists as not found), and
 * only `.tmp` names are stat'ed: a walk over millions of entries costs one call per entry.
 */
async function checkTempFiles(ctx: FsckContext, root: string): Promise<void> {
  await drainStack([root], ctx.limit, async (dir, push) => {
    for (const name of await listIfExists(ctx.driver, dir)) {
      if (KNOWN_FILES.has(name)) continue;
      const path = `${dir}/${name}`;
      if (!name.endsWith('.tmp')) {
        push(path);
        continue;
      }
      let info;
      try {
        info = await ctx.driver.stat(path);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      if (info.isDir) {
        push(path);
      } else if (await ctx.isOld(path)) {
        const p = ctx.problem('leftover', 'temp-file', path, `abandoned temporary file (${info.size} bytes)`);
        await ctx.fix(p, [`file:${path}`], () => ctx.isOld(path), () => deleteIfExists(ctx.driver, path));
      }
    }
  });
}
