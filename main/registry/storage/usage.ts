// Space per repository, read from the tree as GC reads it (not through the stores, whose reads
// would protect digests from a GC running meanwhile). A repository's bytes are those of every
// blob it links: its layers and configs (`_layers`) and its manifests (`_manifests/revisions`).
// A blob linked by several repositories is stored once and counted in full in each of them;
// `sharedBytes` says how much of a repository's count that is. Blobs no repository links are
// what a garbage collection removes.
import { eachLimited } from '../../lib/each-limited';
import { parseDigest } from '../reference';
import { isNotFound } from './driver/errors';
import type { StorageDriver } from './driver/types';
import { listIfExists } from './links';
import { walkBlobs } from './maintenance/blob-listing';
import { paths } from './paths';

export interface RepositoryUsage { name: string; bytes: number; sharedBytes: number; blobs: number }

export interface UsageReport {
  /** Largest first, then by name. */
  repositories: RepositoryUsage[];
  blobBytes: number;
  blobs: number;
  unreferencedBytes: number;
}

const PARALLEL = 16;

export async function storageUsage(driver: StorageDriver, repositories: readonly string[]): Promise<UsageReport> {
  const linked = new Map<string, Set<string>>();
  await eachLimited(repositories, PARALLEL, async (name) => {
    const digests = new Set<string>();
    for (const dir of [`${paths.layersDir(name)}/sha256`, `${paths.revisionsDir(name)}/sha256`]) {
      for (const hex of await listIfExists(driver, dir)) {
        if (parseDigest(`sha256:${hex}`)) digests.add(hex);
      }
    }
    linked.set(name, digests);
  });

  const sizes = new Map<string, number>();
  const blobHexes: string[] = [];
  await walkBlobs(driver, PARALLEL, async (b) => { blobHexes.push(b.canonical.hex); });
  await eachLimited(blobHexes, PARALLEL, async (hex) => {
    const size = await blobSize(driver, hex);
    if (size !== undefined) sizes.set(hex, size);
  });

  const users = new Map<string, number>();
  for (const digests of linked.values()) for (const hex of digests) users.set(hex, (users.get(hex) ?? 0) + 1);

  const rows: RepositoryUsage[] = [];
  for (const [name, digests] of linked) {
    let bytes = 0;
    let sharedBytes = 0;
    let blobs = 0;
    for (const hex of digests) {
      const size = sizes.get(hex);
      if (size === undefined) continue; // a link whose blob is missing holds no space (fsck reports it)
      blobs++;
      bytes += size;
      if ((users.get(hex) ?? 0) > 1) sharedBytes += size;
    }
    rows.push({ name, bytes, sharedBytes, blobs });
  }
  rows.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let blobBytes = 0;
  let unreferencedBytes = 0;
  for (const [hex, size] of sizes) {
    blobBytes += size;
    if (!users.has(hex)) unreferencedBytes += size;
  }
  return { repositories: rows, blobBytes, blobs: sizes.size, unreferencedBytes };
}

async function blobSize(driver: StorageDriver, hex: string): Promise<number | undefined> {
  try {
    return (await driver.stat(paths.blobData({ algorithm: 'sha256', hex }))).size;
  } catch (err) {
    if (isNotFound(err)) return undefined; // deleted meanwhile, or a directory without data
    throw err;
  }
}
