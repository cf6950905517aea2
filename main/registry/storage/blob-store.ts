// Content-addressed blobs shared by every repository, and the per-repository `_layers` links
// that say which repository may serve which blob. Blobs are stored under their sha256; a link
// named by another algorithm holds the sha256 digest (distribution's alias links).
import type { Readable } from 'node:stream';
import { DIGEST_BYTES, Lru, stringBytes } from '../../lib/lru';
import { CACHE_BUDGET, type CacheBudget } from './cache-budget';
import { sha256Digest } from '../digest';
import { blobUnknown } from '../errors';
import { parseDigest, type Digest } from '../reference';
import { isNotFound } from './driver/errors';
import { SCRATCH, type FileWriter, type ReadRange, type StorageChange, type StorageDriver } from './driver/types';
import { GcGuard } from './gc-guard';
import { deleteIfExists, linkChange, readLink, writeLink } from './links';
import { paths } from './paths';

export interface BlobInfo {
  /** The sha256 digest the bytes are stored under. */
  canonical: Digest;
  size: number;
}

export class BlobStore {
  // Blobs are immutable, so a size, once read, stays true until the blob is deleted.
  private readonly sizes: Lru<string, number>;
  // repo@digest → canonical digest; dropped when the link is removed.
  private readonly links: Lru<string, Digest>;

  /** Keeps online GC from deleting what an operation relies on (see gc-guard.ts). */
  readonly guard = new GcGuard();

  constructor(private readonly driver: StorageDriver, budget: CacheBudget = CACHE_BUDGET) {
    this.sizes = new Lru(budget.blobSizes, (digest) => stringBytes(digest) + 16);
    this.links = new Lru(budget.blobLinks, (key) => stringBytes(key) + DIGEST_BYTES);
  }

  /** Size of a stored blob, or undefined when it is not in the store. */
  async size(canonical: Pick<Digest, 'algorithm' | 'hex' | 'value'>): Promise<number | undefined> {
    // Every existence check goes through here, so this is where a GC learns what is in use.
    const deleting = this.guard.touch(canonical.value);
    if (deleting) await deleting;
    const cached = this.sizes.get(canonical.value);
    if (cached !== undefined) return cached;
    try {
      const info = await this.driver.stat(paths.blobData(canonical));
      if (info.isDir) return undefined;
      this.sizes.set(canonical.value, info.size);
      return info.size;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The blob `digest` as repository `name` sees it, or undefined if it is not linked there. */
  async resolve(name: string, digest: Digest): Promise<BlobInfo | undefined> {
    const key = `${name}@${digest.value}`;
    let canonical = this.links.get(key);
    if (!canonical) {
      canonical = await readLink(this.driver, paths.layerLink(name, digest));
      if (!canonical) return undefined;
    }
    const size = await this.size(canonical);
    if (size === undefined) {
      this.links.delete(key);
      return undefined;
    }
    this.links.set(key, canonical);
    return { canonical, size };
  }

  async require(name: string, digest: Digest): Promise<BlobInfo> {
    const info = await this.resolve(name, digest);
    if (!info) throw blobUnknown(digest.value);
    return info;
  }

  open(canonical: Digest, range?: ReadRange): Promise<Readable> {
    return this.driver.reader(paths.blobData(canonical), range);
  }

  async link(name: string, digest: Digest, canonical: Digest = digest): Promise<void> {
    this.guard.touch(canonical.value);
    await writeLink(this.driver, paths.layerLink(name, digest), canonical.value);
    this.links.set(`${name}@${digest.value}`, canonical);
  }

  async unlink(name: string, digest: Digest): Promise<boolean> {
    this.links.delete(`${name}@${digest.value}`);
    return deleteIfExists(this.driver, paths.layerLink(name, digest).replace(/\/link$/, ''));
  }

  /** Forgets cached links of a repository that is being removed. */
  forgetRepository(name: string): void {
    this.links.deleteWhere((k) => k.startsWith(name + '@'));
  }

  /** Stores small content (a manifest) under its sha256 if it is not there yet. */
  async putSmall(bytes: Uint8Array): Promise<Digest> {
    const { canonical, changes } = await this.smallContent(bytes);
    await this.driver.commit(changes);
    this.stored(canonical, bytes.byteLength);
    return canonical;
  }

  /**
   * The sha256 of small content and the change that stores it (none when it is stored already),
   * for a caller that commits it together with other changes and then calls `stored`.
   */
  async smallContent(bytes: Uint8Array): Promise<{ canonical: Digest; changes: StorageChange[] }> {
    const canonical = parseDigest(sha256Digest(bytes))!;
    const present = (await this.size(canonical)) === bytes.byteLength;
    return { canonical, changes: present ? [] : [{ op: 'put', path: paths.blobData(canonical), content: bytes }] };
  }

  stored(canonical: Digest, size: number): void {
    this.sizes.set(canonical.value, size);
  }

  async readSmall(canonical: Digest): Promise<Buffer | undefined> {
    try {
      return await this.driver.getContent(paths.blobData(canonical));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Moves a verified upload into place and links it into repository `name` under each of
   * `digests`, in one commit. If the blob already exists (a concurrent or earlier push of the
   * same content) the upload is simply dropped: content addressing makes them equal.
   * `writer`, the upload's writer if still open, is committed here: its sync overlaps the
   * commit's, and the move records the content so a replay after a power loss can check it.
   */
  async adopt(uploadPath: string, canonical: Digest, size: number, name: string, digests: Digest[], writer?: FileWriter): Promise<void> {
    this.guard.touch(canonical.value);
    let present: boolean;
    try {
      present = (await this.size(canonical)) === size;
    } catch (err) {
      await writer?.close().catch(() => undefined);
      throw err;
    }
    const links = digests.map((d) => linkChange(paths.layerLink(name, d), canonical.value));
    if (present) {
      // Dropped, so its bytes need not reach the disk.
      await writer?.close();
      await this.driver.commit(links);
      await deleteIfExists(this.driver, uploadPath, SCRATCH);
    } else {
      const move = { op: 'move', from: uploadPath, to: paths.blobData(canonical), sha256: canonical.value } as const;
      await this.driver.commit([move, ...links], { after: writer?.commit() });
      this.sizes.set(canonical.value, size);
    }
    for (const d of digests) this.links.set(`${name}@${d.value}`, canonical);
  }

  /** Removes a blob from the store (garbage collection); links are the caller's concern. */
  async remove(canonical: Digest): Promise<void> {
    this.sizes.delete(canonical.value);
    await deleteIfExists(this.driver, paths.blobDir(canonical));
  }
}
