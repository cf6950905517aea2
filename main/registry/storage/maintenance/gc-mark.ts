// The mark phase of garbage collection: read each repository's revisions, tags and layer links
// straight from the driver, and work out which revisions stay and which blobs they need
// (distribution's garbagecollect.go, plus referrers). Reads bypass the stores on purpose: the
// stores' reads `touch` digests, and a GC that touched everything would protect everything.
import { eachLimited } from '../../../lib/each-limited';
import { parseManifest } from '../../manifest/parse-manifest';
import { parseDigest, type Digest } from '../../reference';
import { isNotFound } from '../driver/errors';
import type { StorageDriver } from '../driver/types';
import { listIfExists, readLink } from '../links';
import { paths } from '../paths';

export interface ScannedRevision {
  digest: Digest;
  /** The blob the revision link names; undefined when the link is unreadable. */
  canonical: Digest | undefined;
  /** When the revision link was written (a push of this manifest). */
  mtimeMs: number;
  /**
   * Config and every layer, external (non-distributable) ones too: their blob is normally not
   * here, and marking a digest that has no blob keeps nothing; a copy that was pushed stays, as
   * distribution marks every reference of a kept manifest.
   */
  blobs: Digest[];
  children: string[];
  subject: string | undefined;
  /** The content exists but is not a manifest we can read: its references are unknown. */
  unparsable: boolean;
}

export interface ScannedLink {
  digest: Digest;
  canonical: Digest;
}

export interface RepositoryScan {
  name: string;
  revisions: Map<string, ScannedRevision>;
  tags: string[];
  /** Digests the tags' current links point at. */
  tagged: Set<string>;
  links: ScannedLink[];
  /** A directory the GC's prune would remove is empty here (an `<alg>` folder, or `_uploads`). */
  untidy: boolean;
}

/**
 * Every `<dir>/<alg>/<hex>` entry that names a digest (revisions, layer links); `onEmpty` hears
 * of an `<alg>` folder with nothing in it (what deletes leave for GC to prune).
 */
export async function listDigestDirs(driver: StorageDriver, dir: string, onEmpty: () => void = () => {}): Promise<Digest[]> {
  const out: Digest[] = [];
  for (const alg of await listIfExists(driver, dir)) {
    const hexes = await listIfExists(driver, `${dir}/${alg}`);
    if (hexes.length === 0) onEmpty();
    for (const hex of hexes) {
      const d = parseDigest(`${alg}:${hex}`);
      if (d) out.push(d);
    }
  }
  return out;
}

/** Modification time of a path, or undefined when it is gone. */
export async function mtimeOf(driver: StorageDriver, path: string): Promise<number | undefined> {
  try {
    return (await driver.stat(path)).modTime.getTime();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Reads what marking needs, and no more: a repository has ten links or so and the store may
 * hold 100,000 repositories, so each file call saved here is a million saved there.
 * - Revisions are stat'ed (is the link there, and when was it written) and their manifests read.
 * - Layer links as scanLinks reads them; tags only for deleteUntagged.
 */
export async function scanRepository(driver: StorageDriver, name: string, o: { tags: boolean; limit: number }): Promise<RepositoryScan> {
  const scan: RepositoryScan = { name, revisions: new Map(), tags: [], tagged: new Set(), links: [], untidy: false };
  const untidy = () => {
    scan.untidy = true;
  };
  scan.links = await scanLinks(driver, name, untidy);
  // Several at a time within a repository too: one may hold 10,000 manifests.
  await eachLimited(await listDigestDirs(driver, paths.revisionsDir(name), untidy), o.limit, async (digest) => {
    const link = paths.revisionLink(name, digest);
    const mtimeMs = await mtimeOf(driver, link);
    if (mtimeMs === undefined) return; // deleted meanwhile, or an empty directory
    scan.revisions.set(digest.value, await readRevision(driver, digest, await linkTarget(driver, link, digest), mtimeMs));
  });
  const uploads = await driver.list(paths.uploadsDir(name)).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (uploads?.length === 0) untidy();
  if (!o.tags) return scan;
  scan.tags = (await listIfExists(driver, paths.tagsDir(name))).filter((t) => !t.endsWith('.tmp'));
  await eachLimited(scan.tags, o.limit, async (tag) => {
    const d = await readLink(driver, paths.tagCurrent(name, tag));
    if (d) scan.tagged.add(d.value);
  });
  return scan;
}

/**
 * A repository's `_layers` links. One named by a sha256 digest names that digest (fsck checks
 * that it does), so only alias links (sha384/512 names) are read; and a link's time is asked
 * only for a blob about to be swept (linkTime). A directory without its link is listed too.
 */
export async function scanLinks(driver: StorageDriver, name: string, onEmpty?: () => void): Promise<ScannedLink[]> {
  const links: ScannedLink[] = [];
  for (const digest of await listDigestDirs(driver, paths.layersDir(name), onEmpty)) {
    const canonical = await linkTarget(driver, paths.layerLink(name, digest), digest);
    if (canonical) links.push({ digest, canonical });
  }
  return links;
}

function linkTarget(driver: StorageDriver, link: string, named: Digest): Promise<Digest | undefined> {
  return named.algorithm === 'sha256' ? Promise.resolve(named) : readLink(driver, link);
}

/** When a `_layers` link was written, or undefined when it is not there (a directory without its link). */
export function linkTime(driver: StorageDriver, name: string, link: ScannedLink): Promise<number | undefined> {
  return mtimeOf(driver, paths.layerLink(name, link.digest));
}

async function readRevision(driver: StorageDriver, digest: Digest, canonical: Digest | undefined, mtimeMs: number): Promise<ScannedRevision> {
  const rev: ScannedRevision = { digest, canonical, mtimeMs, blobs: [], children: [], subject: undefined, unparsable: false };
  if (!canonical) return rev;
  let bytes: Buffer;
  try {
    bytes = await driver.getContent(paths.blobData(canonical));
  } catch (err) {
    if (isNotFound(err)) return rev; // content already gone: nothing left to keep for it
    throw err;
  }
  try {
    const m = parseManifest(bytes, undefined);
    for (const b of m.config ? [m.config, ...m.layers] : m.layers) rev.blobs.push(b.digest);
    rev.children = m.manifests.map((c) => c.digest.value);
    rev.subject = m.subject?.digest.value;
  } catch {
    rev.unparsable = true;
  }
  return rev;
}

/**
 * With deleteUntagged, the revisions that stay (without it, all do): the tagged ones, the recent
 * ones (pushed after `cutoffMs`: a multi-arch push stores children before the index that tags
 * them), `extraRoots` (protected while the GC ran), and, transitively, the children of kept
 * indexes (distribution's fix for #3004) and the referrers of kept manifests.
 */
export function keptRevisions(scan: RepositoryScan, cutoffMs: number, extraRoots: ReadonlySet<string> = new Set()): Set<string> {
  const referrers = new Map<string, string[]>();
  for (const r of scan.revisions.values()) {
    if (!r.subject) continue;
    const list = referrers.get(r.subject);
    if (list) list.push(r.digest.value); else referrers.set(r.subject, [r.digest.value]);
  }
  const kept = new Set<string>();
  const queue = [...scan.revisions.values()]
    .filter((r) => scan.tagged.has(r.digest.value) || r.mtimeMs >= cutoffMs || extraRoots.has(r.digest.value))
    .map((r) => r.digest.value);
  while (queue.length > 0) {
    const d = queue.pop()!;
    if (kept.has(d) || !scan.revisions.has(d)) continue;
    kept.add(d);
    queue.push(...scan.revisions.get(d)!.children, ...(referrers.get(d) ?? []));
  }
  return kept;
}

/** Calls `mark` with the canonical digest of every blob the kept revisions need. */
export function markBlobs(scan: RepositoryScan, kept: ReadonlySet<string>, mark: (canonical: string) => void): void {
  const aliases = new Map(scan.links.filter((l) => l.digest !== l.canonical).map((l) => [l.digest.value, l.canonical.value]));
  for (const d of kept) {
    const rev = scan.revisions.get(d);
    if (!rev) continue;
    if (rev.canonical) mark(rev.canonical.value);
    // Unknown references: keep everything the repository links rather than guess.
    if (rev.unparsable) for (const l of scan.links) mark(l.canonical.value);
    for (const b of rev.blobs) {
      mark(b.value);
      const canonical = aliases.get(b.value);
      if (canonical) mark(canonical);
    }
  }
}

/** Orders revisions to delete so that an index goes before its children (crash-consistent). */
export function parentsFirst(scan: RepositoryScan, doomed: ReadonlySet<string>): string[] {
  const left = new Set(doomed);
  const out: string[] = [];
  while (left.size > 0) {
    const referenced = new Set<string>();
    for (const d of left) for (const c of scan.revisions.get(d)?.children ?? []) referenced.add(c);
    let ready = [...left].filter((d) => !referenced.has(d));
    if (ready.length === 0) ready = [...left]; // a cycle cannot exist by content addressing; be safe anyway
    for (const d of ready) {
      left.delete(d);
      out.push(d);
    }
  }
  return out;
}
