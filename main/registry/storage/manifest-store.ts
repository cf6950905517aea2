// Manifests are blobs plus a per-repository revision link (distribution's layout). Put
// validates what a manifest references, stores its exact bytes, links it, moves the tag last,
// and keeps the catalog and referrers indexes current.
import { DIGEST_BYTES, Lru, stringBytes } from '../../lib/lru';
import { CACHE_BUDGET, type CacheBudget } from './cache-budget';
import type { ValidationConfig } from '../../config/types';
import { digestOf } from '../digest';
import { manifestUnknown, RegistryError } from '../errors';
import { checkLayerUrls, isExternalLayer, urlPolicy, type UrlPolicy } from '../manifest/external-layers';
import { parseManifest, storedMediaType, type Descriptor } from '../manifest/parse-manifest';
import { parseDigest, type Digest, type Reference } from '../reference';
import type { BlobStore } from './blob-store';
import type { Catalog } from './catalog';
import type { StorageDriver } from './driver/types';
import { deleteIfExists, linkChange, listIfExists, readLink } from './links';
import { paths } from './paths';
import { ReferrersIndex, referrerEntry, type ReferrerEntry } from './referrers-index';
import type { TagStore } from './tag-store';

export interface StoredManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface PutResult {
  digest: Digest;
  subject?: string;
}

const CACHE_MAX_BYTES = 64 * 1024;

export class ManifestStore {
  private readonly bodies: Lru<string, { bytes: Buffer; mediaType: string }>;
  private readonly revisions: Lru<string, Digest>;
  readonly referrers: ReferrersIndex;
  private readonly layerUrls: UrlPolicy;

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    private readonly tags: TagStore,
    private readonly catalog: Catalog,
    private readonly validation: ValidationConfig,
    /** Other nodes write the store too: nothing about a repository may be kept between requests. */
    shared = false,
    budget: CacheBudget = CACHE_BUDGET,
  ) {
    this.bodies = new Lru(budget.manifestBodies, (digest, body) => stringBytes(digest) + body.bytes.length + 100);
    this.revisions = new Lru(budget.manifestRevisions, (key) => stringBytes(key) + DIGEST_BYTES);
    this.layerUrls = urlPolicy(validation);
    this.referrers = new ReferrersIndex(
      (name) => this.eachManifest(name),
      (digest, bytes) => describeReferrer(digest, bytes),
      !shared,
    );
  }

  /** Resolves a reference to the digest it names in this repository, or throws MANIFEST_UNKNOWN. */
  async resolve(name: string, ref: Reference): Promise<Digest> {
    if (ref.kind === 'digest') return ref.digest;
    const d = await this.tags.resolve(name, ref.tag);
    if (!d) throw manifestUnknown(name, ref.tag);
    return d;
  }

  /** The canonical (sha256) digest of a revision of this repository, or undefined. */
  async revision(name: string, digest: Digest): Promise<Digest | undefined> {
    // A GC with deleteUntagged must not remove a revision that is being looked at (an index
    // push checking its children, a pull); see gc-guard.ts.
    const deleting = this.blobs.guard.touch(digest.value);
    if (deleting) await deleting;
    const key = `${name}@${digest.value}`;
    const hit = this.revisions.get(key);
    if (hit) {
      this.blobs.guard.touch(hit.value);
      return hit;
    }
    const canonical = await readLink(this.driver, paths.revisionLink(name, digest));
    if (canonical) {
      this.blobs.guard.touch(canonical.value);
      this.revisions.set(key, canonical);
    }
    return canonical;
  }

  /**
   * Removes a revision directory without the checks and tag handling of `delete`: for garbage
   * collection, which has claimed the digest and knows no tag points at it.
   */
  async removeRevision(name: string, digest: Digest): Promise<void> {
    this.revisions.delete(`${name}@${digest.value}`);
    await deleteIfExists(this.driver, paths.revisionDir(name, digest));
    // Not awaited: an index still loading may be reading this very revision, waiting for the
    // caller's claim to end; the load then finds the link gone, and `removed` applies after it.
    void this.referrers.removed(name, digest.value).catch(() => undefined);
  }

  async get(name: string, ref: Reference): Promise<StoredManifest> {
    const digest = await this.resolve(name, ref);
    const canonical = await this.revision(name, digest);
    const refText = ref.kind === 'tag' ? ref.tag : ref.digest.value;
    if (!canonical) throw manifestUnknown(name, refText);
    const cached = this.bodies.get(canonical.value);
    if (cached) return { digest: digest.value, ...cached };
    const bytes = await this.blobs.readSmall(canonical);
    if (!bytes) throw manifestUnknown(name, refText);
    const body = { bytes, mediaType: storedMediaType(bytes) };
    if (bytes.length <= CACHE_MAX_BYTES) this.bodies.set(canonical.value, body);
    return { digest: digest.value, ...body };
  }

  /**
   * `skipReferenceCheck` is for the pull-through cache: a manifest fetched from the upstream is
   * stored before its blobs, which are fetched when a client asks for them (distribution's
   * SkipLayerVerification).
   */
  async put(name: string, ref: Reference, bytes: Buffer, contentType: string | undefined, opts: { skipReferenceCheck?: boolean } = {}): Promise<PutResult> {
    // Checks (references) and writes (blob, links, tag) as one guarded operation, so an online
    // GC cannot delete what the checks found before the writes make it reachable.
    return this.blobs.guard.run(() => this.store(name, ref, bytes, contentType, opts));
  }

  private async store(name: string, ref: Reference, bytes: Buffer, contentType: string | undefined, opts: { skipReferenceCheck?: boolean }): Promise<PutResult> {
    const parsed = parseManifest(bytes, contentType);
    let digest: Digest;
    if (ref.kind === 'digest') {
      const actual = digestOf(ref.digest.algorithm, bytes);
      if (actual !== ref.digest.value) {
        throw new RegistryError('digest-invalid', 'manifest digest does not match the content', { expected: ref.digest.value, actual });
      }
      digest = ref.digest;
    } else {
      digest = parseDigest(digestOf('sha256', bytes))!;
    }
    if (!opts.skipReferenceCheck) {
      await this.checkReferences(name, parsed.config ? [parsed.config, ...parsed.layers] : parsed.layers, parsed.manifests);
    }

    // The bytes, the revision link and the tag in one commit: one wait for the disk per push.
    const { canonical, changes } = await this.blobs.smallContent(bytes);
    changes.push(linkChange(paths.revisionLink(name, digest), canonical.value));
    if (ref.kind === 'tag') await this.tags.set(name, ref.tag, digest, changes);
    else await this.driver.commit(changes);
    this.blobs.stored(canonical, bytes.length);
    this.revisions.set(`${name}@${digest.value}`, canonical);
    await this.catalog.add(name);

    const entry = referrerEntry(digest.value, bytes.length, parsed);
    if (entry) await this.referrers.added(name, entry);
    return entry ? { digest, subject: entry.subject } : { digest };
  }

  /** Deletes a revision and every tag that currently points at it (distribution's semantics). */
  async delete(name: string, digest: Digest): Promise<void> {
    if (!(await this.revision(name, digest))) throw manifestUnknown(name, digest.value);
    for (const tag of await this.tags.tagsOf(name, digest)) await this.tags.delete(name, tag);
    this.revisions.delete(`${name}@${digest.value}`);
    await deleteIfExists(this.driver, paths.revisionDir(name, digest));
    await this.referrers.removed(name, digest.value);
  }

  forgetRepository(name: string): void {
    this.revisions.deleteWhere((k) => k.startsWith(name + '@'));
    this.referrers.forgetRepository(name);
  }

  /** Every revision digest of a repository (from the revision links on disk). */
  async listRevisions(name: string): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of await listIfExists(this.driver, paths.revisionsDir(name))) {
      for (const hex of await listIfExists(this.driver, `${paths.revisionsDir(name)}/${alg}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        if (d) out.push(d);
      }
    }
    return out;
  }

  /** Every manifest of a repository, read one at a time (the caller keeps what it needs). */
  private async *eachManifest(name: string): AsyncGenerator<{ digest: string; bytes: Buffer }> {
    for (const d of await this.listRevisions(name)) {
      const canonical = await this.revision(name, d);
      const bytes = canonical && (await this.blobs.readSmall(canonical));
      if (bytes) yield { digest: d.value, bytes };
    }
  }

  private async checkReferences(name: string, blobs: Descriptor[], children: Descriptor[]): Promise<void> {
    const missing: string[] = [];
    for (const b of blobs) {
      checkLayerUrls(b, this.layerUrls);
      // An external layer's blob is fetched from its URLs; nothing to find here.
      if (!isExternalLayer(b) && !(await this.blobs.resolve(name, b.digest))) missing.push(b.digest.value);
    }
    const platforms = this.validation.manifests.indexes;
    for (const c of children) {
      if (platforms.platforms === 'none') break;
      if (platforms.platforms === 'list' && !platforms.platformlist.some(
        (p) => p.os === c.platform?.os && p.architecture === c.platform?.architecture)) continue;
      if (!(await this.revision(name, c.digest))) missing.push(c.digest.value);
    }
    if (missing.length > 0) {
      throw new RegistryError('manifest-blob-unknown', undefined, missing.length === 1 ? { digest: missing[0] } : { digests: missing });
    }
  }
}

function describeReferrer(digest: string, bytes: Buffer): ReferrerEntry | undefined {
  try {
    return referrerEntry(digest, bytes.length, parseManifest(bytes, undefined));
  } catch {
    return undefined; // a manifest registry:3 stored that we cannot parse is simply not a referrer
  }
}
