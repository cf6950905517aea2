// What an export will write, worked out before the first byte: every reference resolved to a
// manifest, every child of an index and every referrer (recursively) walked, every blob listed
// once with the size its descriptor gives. Only manifests are read here (small, bounded by the
// registry's manifest size limit); layers are streamed later by the writer. Resolving first
// means a misspelt tag fails before the output file exists, and the progress total is exact.
import { RegistryError } from '../registry/errors';
import { parseManifest, type Descriptor, type ParsedManifest } from '../registry/manifest/parse-manifest';
import { parseDigest, type Digest } from '../registry/reference';
import type { RegistryStore } from '../registry/storage/registry-store';
import {
  Annotations, blobPath, OCI_INDEX_MEDIA_TYPE, type ArchiveDescriptor, DOCKER_LOADABLE_LAYER_TYPES, IMAGE_CONFIG_TYPES,
  type DockerManifestEntry, type DockerRepositoriesFile, type OciIndexFile,
} from './archive-format';
import { ExportError } from './export-error';
import type { ExportRef } from './export-ref';
import { matchesPlatform, type Platform } from './platform';

/** A blob to copy into the archive: read from `repository` (where it is linked). */
export interface PlannedBlob {
  digest: string;
  size: number;
  repository: string;
  kind: 'manifest' | 'config' | 'layer';
}

export interface ExportPlan {
  index: OciIndexFile;
  dockerManifest: DockerManifestEntry[];
  repositories: DockerRepositoriesFile;
  /** Manifests, then configs, then layers; each digest once. */
  blobs: PlannedBlob[];
  /** One per exported reference (a whole repository counts each tag). */
  images: Array<{ name: string; reference: string; digest: string; lastBlob: number }>;
  /** References whose image `docker load` cannot take (artifacts, no matching platform), for the summary. */
  notForDocker: string[];
}

interface Named { name: string; tag?: string; digest: Digest }

export async function planExport(store: RegistryStore, refs: ExportRef[], platform: Platform): Promise<ExportPlan> {
  const named = await resolveRefs(store, refs);
  const walker = new Walker(store);
  const index: OciIndexFile = { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
  const docker = new Map<string, DockerManifestEntry>(); // by image manifest digest
  const repositories: DockerRepositoriesFile = {};
  const images: Array<{ name: string; reference: string; digest: string; blobs: Set<string> }> = [];
  const notForDocker: string[] = [];
  const tagged = new Set(named.filter((n) => n.tag !== undefined).map((n) => `${n.name}@${n.digest.value}`));

  for (const n of named) {
    const reference = n.tag !== undefined ? `${n.name}:${n.tag}` : `${n.name}@${n.digest.value}`;
    // The same content asked for by tag and by digest is one entry, under its tag.
    if (n.tag === undefined && tagged.has(reference)) continue;
    const top = await walker.manifest(n.name, n.digest, reference);
    const blobs = new Set<string>();
    await walker.closure(n.name, top, blobs);
    images.push({ name: n.name, reference, digest: top.descriptor.digest.value, blobs });

    const annotations: Record<string, string> = { [Annotations.imageName]: reference };
    if (n.tag !== undefined) annotations[Annotations.refName] = reference;
    index.manifests.push({ ...plain(top.descriptor), annotations });

    const image = await walker.dockerImage(n.name, top, platform);
    if (!image) {
      notForDocker.push(reference);
      continue;
    }
    const key = image.descriptor.digest.value;
    let entry = docker.get(key);
    if (!entry) {
      entry = { Config: blobPath(image.parsed.config!.digest.value), RepoTags: null, Layers: image.parsed.layers.map((l) => blobPath(l.digest.value)) };
      docker.set(key, entry);
    }
    if (n.tag !== undefined) {
      entry.RepoTags = [...(entry.RepoTags ?? []), reference];
      const top = image.parsed.layers.at(-1);
      if (top) (repositories[n.name] ??= {})[n.tag] = top.digest.hex;
    }
  }

  // Referrers last in index.json, named by digest: OCI tools find them there (a layout has no
  // referrers API), and a reader learns which repository each belongs to.
  for (const r of walker.referrerEntries) index.manifests.push(r);

  const order = { manifest: 0, config: 1, layer: 2 } as const;
  const blobs = [...walker.blobs.values()].sort((a, b) => order[a.kind] - order[b.kind]);
  const position = new Map(blobs.map((b, i) => [b.digest, i]));
  return {
    index,
    dockerManifest: [...docker.values()],
    repositories,
    blobs,
    images: images.map((i) => ({
      name: i.name, reference: i.reference, digest: i.digest,
      lastBlob: Math.max(-1, ...[...i.blobs].map((d) => position.get(d)!)),
    })),
    notForDocker,
  };
}

/** Tags and digests named on the command line, a whole repository as each of its tags. */
async function resolveRefs(store: RegistryStore, refs: ExportRef[]): Promise<Named[]> {
  const out: Named[] = [];
  const seen = new Set<string>();
  const add = (n: Named) => {
    const key = `${n.name}\0${n.tag ?? ''}\0${n.digest.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(n);
  };
  for (const ref of refs) {
    if (ref.kind === 'digest') {
      if (!await store.manifests.revision(ref.name, ref.digest)) throw await missing(store, ref.name, ref.digest.value);
      add({ name: ref.name, digest: ref.digest });
    } else if (ref.kind === 'tag') {
      const d = await store.tags.resolve(ref.name, ref.tag);
      if (!d) throw await missing(store, ref.name, ref.tag);
      add({ name: ref.name, tag: ref.tag, digest: d });
    } else {
      const tags = await store.tags.list(ref.name).catch((err: unknown) => {
        if (err instanceof RegistryError && err.kind === 'name-unknown') throw new ExportError(`unknown repository ${ref.name}`);
        throw err;
      });
      if (tags.length === 0) throw new ExportError(`repository ${ref.name} has no tags`);
      for (const tag of tags) {
        const d = await store.tags.resolve(ref.name, tag);
        if (d) add({ name: ref.name, tag, digest: d });
      }
    }
  }
  return out;
}

async function missing(store: RegistryStore, name: string, reference: string): Promise<ExportError> {
  const known = await store.tags.list(name).then(() => true, () => false);
  if (!known) return new ExportError(`unknown repository ${name}`);
  return new ExportError(reference.includes(':') ? `unknown manifest ${name}@${reference}` : `unknown tag ${name}:${reference}`);
}

interface Walked { descriptor: Descriptor; parsed: ParsedManifest }

/** Reads manifests once each and collects the blobs of everything they reach. */
class Walker {
  readonly blobs = new Map<string, PlannedBlob>();
  readonly referrerEntries: ArchiveDescriptor[] = [];
  private readonly parsed = new Map<string, Walked>();
  private readonly referrersDone = new Set<string>();

  constructor(private readonly store: RegistryStore) {}

  async manifest(name: string, digest: Digest, what: string, mediaTypeHint?: string): Promise<Walked> {
    const key = `${name}@${digest.value}`;
    const hit = this.parsed.get(key);
    if (hit) return hit;
    let stored;
    try {
      stored = await this.store.manifests.get(name, { kind: 'digest', digest });
    } catch (err) {
      if (err instanceof RegistryError && err.kind === 'manifest-unknown') throw new ExportError(`manifest ${digest.value} of ${what} is not in the store`);
      throw err;
    }
    const parsed = parseManifest(stored.bytes, stored.mediaType || mediaTypeHint);
    const w: Walked = { descriptor: { mediaType: parsed.mediaType, digest, size: stored.bytes.length }, parsed };
    this.parsed.set(key, w);
    this.blob(name, digest.value, stored.bytes.length, 'manifest');
    return w;
  }

  /** Adds everything `m` reaches (children, config, layers, referrers) to `into` and to the blob list. */
  async closure(name: string, m: Walked, into: Set<string>): Promise<void> {
    into.add(m.descriptor.digest.value);
    for (const child of m.parsed.manifests) {
      await this.closure(name, await this.manifest(name, child.digest, `${name}@${m.descriptor.digest.value}`, child.mediaType), into);
    }
    if (m.parsed.config) await this.layerOrConfig(name, m.parsed.config, 'config', into);
    for (const l of m.parsed.layers) await this.layerOrConfig(name, l, 'layer', into);
    await this.referrers(name, m.descriptor.digest.value);
  }

  private async referrers(name: string, subject: string): Promise<void> {
    const key = `${name}@${subject}`;
    if (this.referrersDone.has(key)) return;
    this.referrersDone.add(key);
    for (const r of await this.store.manifests.referrers.list(name, subject)) {
      const digest = parseDigest(r.descriptor.digest)!;
      const w = await this.manifest(name, digest, `the referrer ${r.descriptor.digest} of ${name}@${subject}`, r.descriptor.mediaType);
      const reference = `${name}@${digest.value}`;
      if (!this.referrerEntries.some((e) => e.annotations?.[Annotations.imageName] === reference)) {
        this.referrerEntries.push({
          ...plain(w.descriptor),
          ...(r.descriptor.artifactType ? { artifactType: r.descriptor.artifactType } : {}),
          annotations: { ...r.descriptor.annotations, [Annotations.imageName]: reference },
        });
      }
      await this.closure(name, w, new Set());
    }
  }

  private async layerOrConfig(name: string, d: Descriptor, kind: 'config' | 'layer', into: Set<string>): Promise<void> {
    // Foreign layers (urls) are not served by this registry; clients fetch them from their URL.
    if (d.urls?.length && !(await this.store.blobs.resolve(name, d.digest))) return;
    into.add(d.digest.value);
    this.blob(name, d.digest.value, d.size, kind);
  }

  private blob(repository: string, digest: string, size: number, kind: PlannedBlob['kind']): void {
    if (!this.blobs.has(digest)) this.blobs.set(digest, { digest, size, repository, kind });
  }

  /** The single-platform image of `top` that `docker load` should get, if it can take one. */
  async dockerImage(name: string, top: Walked, platform: Platform): Promise<Walked | undefined> {
    if (!top.parsed.isIndex) return loadable(top) ? top : undefined;
    const candidates = top.parsed.manifests.filter((c) => c.platform && c.platform.os !== 'unknown');
    const chosen = candidates.find((c) => matchesPlatform(c.platform!, platform));
    if (!chosen) return undefined;
    const w = await this.manifest(name, chosen.digest, `${name}@${top.descriptor.digest.value}`, chosen.mediaType);
    return w.parsed.isIndex ? undefined : loadable(w) ? w : undefined;
  }
}

function loadable(w: Walked): boolean {
  const { config, layers } = w.parsed;
  return !!config && IMAGE_CONFIG_TYPES.has(config.mediaType) && layers.every((l) => DOCKER_LOADABLE_LAYER_TYPES.has(l.mediaType));
}

function plain(d: Descriptor): ArchiveDescriptor {
  return { mediaType: d.mediaType, digest: d.digest.value, size: d.size };
}
