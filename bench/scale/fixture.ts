// Writes a registry store in distribution's on-disk layout directly with plain fs calls (no
// HTTP, no fsync: it is a fixture), fast and identical for the same spec and seed, for the
// --scale bench: N repositories of one small image each, plus one repository with many tags.
// The layout is main/registry/storage/paths.ts's (distribution's registry/storage/paths.go):
// blobs/sha256/<xx>/<hex>/data, and per repository _layers/…/link, _manifests/revisions/…/link,
// _manifests/tags/<tag>/{current/link,index/sha256/<hex>/link}. Links hold "sha256:<hex>" with no
// newline. Every blob is distinct (its bytes start with its own key), so N repositories of
// `layersPerImage` layers hold N × (layersPerImage + 2) blobs: 1M at 100k repositories.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { catalogOrder } from '../../main/registry/storage/catalog-index';
import { eachLimited } from '../../main/lib/each-limited';
import { BLOBS, REPOSITORIES, paths } from '../../main/registry/storage/paths';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface ScaleSpec {
  /** Repositories holding one image each (tag `latest`). */
  repositories: number;
  /** Tags of the one extra repository (TAGS_REPOSITORY), each on a manifest of its own. */
  tags: number;
  /** Distinct layers per image; with the config and the manifest, blobs per repository = this + 2. */
  layersPerImage: number;
  seed: string;
}

export const DEFAULT_LAYERS_PER_IMAGE = 8;
export const TAGS_REPOSITORY = 'scale/many-tags';
/** Repositories are spread over namespaces of this many, as on a real registry (team/app). */
const PER_NAMESPACE = 1000;
/** Operations in flight: enough to keep the disk and the thread pool busy on 2 cores. */
const IN_FLIGHT = 64;

export interface Blob { digest: string; size: number; bytes: Buffer }
export interface Image { manifest: Blob; config: Blob; layers: Blob[] }

/** Repository `i`'s name: ns-<i / 1000>/app-<i>, zero-padded so names sort as numbers do. */
export function repositoryName(i: number): string {
  return `ns-${String(Math.floor(i / PER_NAMESPACE)).padStart(4, '0')}/app-${String(i).padStart(7, '0')}`;
}

export function tagName(i: number): string {
  return `v${String(i).padStart(6, '0')}`;
}

/** Every repository name in catalog order (distribution's: component-wise). */
export function catalogNames(spec: Pick<ScaleSpec, 'repositories' | 'tags'>): string[] {
  const names = Array.from({ length: spec.repositories }, (_, i) => repositoryName(i));
  if (spec.tags > 0) names.push(TAGS_REPOSITORY);
  return names.sort(catalogOrder);
}

/** Tag names of TAGS_REPOSITORY in tags/list order (byte order). */
export function tagNames(spec: Pick<ScaleSpec, 'tags'>): string[] {
  return Array.from({ length: spec.tags }, (_, i) => tagName(i)).sort();
}

export function blobCount(spec: ScaleSpec): number {
  return spec.repositories * (spec.layersPerImage + 2) + (spec.tags > 0 ? spec.tags + 2 : 0);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const blob = (bytes: Buffer): Blob => ({ digest: `sha256:${sha256(bytes)}`, size: bytes.length, bytes });

/**
 * Deterministic content: a 1 MiB pool expanded from the seed by chained sha256; a blob is its key
 * followed by a slice of the pool chosen by the key's hash. Distinct keys give distinct blobs.
 */
export class ContentSource {
  private readonly pool: Buffer;

  constructor(seed: string) {
    const parts: Buffer[] = [];
    let h = createHash('sha256').update(`berth-scale:${seed}`).digest();
    for (let n = 0; n < 32768; n++) {
      parts.push(h);
      h = createHash('sha256').update(h).digest();
    }
    this.pool = Buffer.concat(parts);
  }

  /** 64–1023 bytes after the key. */
  bytes(key: string): Buffer {
    const k = createHash('sha256').update(key).digest();
    const size = 64 + (k.readUInt16BE(0) % 960);
    const off = k.readUInt32BE(2) % (this.pool.length - size);
    return Buffer.concat([Buffer.from(`${key}\n`), this.pool.subarray(off, off + size)]);
  }
}

function manifestFor(config: Blob, layers: Blob[], annotations?: Record<string, string>): Blob {
  const desc = (mediaType: string, b: Blob) => ({ mediaType, digest: b.digest, size: b.size });
  return blob(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(OCI_CONFIG, config),
    layers: layers.map((l) => desc(OCI_LAYER, l)), ...(annotations ? { annotations } : {}),
  })));
}

function configFor(layers: Blob[], label: string): Blob {
  return blob(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Labels: { 'org.example.fixture': label } },
    // Layers are uncompressed tars by media type, so a diff_id is the layer's own digest.
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  })));
}

/** Repository `i`'s image (the same for the same seed). */
export function imageOf(src: ContentSource, spec: Pick<ScaleSpec, 'layersPerImage'>, i: number): Image {
  const layers = Array.from({ length: spec.layersPerImage }, (_, l) => blob(src.bytes(`layer ${i} ${l}`)));
  const config = configFor(layers, repositoryName(i));
  return { manifest: manifestFor(config, layers), config, layers };
}

/** The tags repository: one config and layer, and a distinct manifest per tag (by annotation). */
export function tagImages(src: ContentSource, spec: Pick<ScaleSpec, 'tags'>): { config: Blob; layer: Blob; manifests: Blob[] } {
  const layer = blob(src.bytes('tags layer'));
  const config = configFor([layer], TAGS_REPOSITORY);
  const manifests = Array.from({ length: spec.tags }, (_, t) => manifestFor(config, [layer], { 'org.example.tag': tagName(t) }));
  return { config, layer, manifests };
}

const hexOf = (digest: string) => digest.slice('sha256:'.length);
const dig = (digest: string) => ({ algorithm: 'sha256' as const, hex: hexOf(digest) });

/** Writes the store under `root` (the storage rootdirectory); `root` should be new or empty. */
export async function generateStore(root: string, spec: ScaleSpec, progress?: (done: number, total: number) => void): Promise<void> {
  if (!Number.isInteger(spec.repositories) || spec.repositories < 0) throw new Error(`repositories must be a whole number ≥ 0, not ${spec.repositories}`);
  if (!Number.isInteger(spec.tags) || spec.tags < 0) throw new Error(`tags must be a whole number ≥ 0, not ${spec.tags}`);
  if (!Number.isInteger(spec.layersPerImage) || spec.layersPerImage < 1) throw new Error(`layersPerImage must be ≥ 1, not ${spec.layersPerImage}`);
  const at = (key: string) => path.join(root, key);
  const src = new ContentSource(spec.seed);
  // Directories shared by many entries are made once, up front: the 256 blob prefixes and the
  // namespaces. Below them each directory is new, so plain (non-recursive) mkdirs suffice.
  await mkdir(at(`${BLOBS}/sha256`), { recursive: true });
  await mkdir(at(REPOSITORIES), { recursive: true });
  await eachLimited(Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')), IN_FLIGHT, (xx) => mkdir(at(`${BLOBS}/sha256/${xx}`)));
  const namespaces = Math.ceil(spec.repositories / PER_NAMESPACE);
  await eachLimited(Array.from({ length: namespaces }, (_, n) => repositoryName(n * PER_NAMESPACE).split('/')[0]!), IN_FLIGHT, (ns) => mkdir(at(`${REPOSITORIES}/${ns}`)));

  const writeBlob = async (b: Blob) => {
    try {
      await mkdir(at(paths.blobDir(dig(b.digest))));
    } catch (err) {
      // Shared blobs (the tags repository's config and layer) are written once.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw err;
    }
    await writeFile(at(paths.blobData(dig(b.digest))), b.bytes);
  };
  /** A link file and the directories between `from` (existing) and it. */
  const writeLinkUnder = async (from: string, link: string, digest: string) => {
    const rel = link.slice(from.length + 1).split('/');
    let dir = from;
    for (const part of rel.slice(0, -1)) {
      dir = `${dir}/${part}`;
      await mkdir(at(dir)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
    await writeFile(at(link), digest);
  };
  const writeRepository = async (name: string, layerBlobs: Blob[], tagged: { tag: string; manifest: Blob }[], manifests: Blob[]) => {
    const repo = paths.repo(name);
    await mkdir(at(repo));
    for (const d of ['_layers', '_layers/sha256', '_manifests', '_manifests/revisions', '_manifests/revisions/sha256', '_manifests/tags']) {
      await mkdir(at(`${repo}/${d}`));
    }
    const layers = `${repo}/_layers/sha256`;
    for (const b of layerBlobs) await writeLinkUnder(layers, paths.layerLink(name, dig(b.digest)), b.digest);
    const revisions = `${repo}/_manifests/revisions/sha256`;
    for (const m of manifests) await writeLinkUnder(revisions, paths.revisionLink(name, dig(m.digest)), m.digest);
    const tags = paths.tagsDir(name);
    for (const { tag, manifest } of tagged) {
      // index/ first and current/ last, as a push writes them (current is what readers follow).
      await writeLinkUnder(tags, paths.tagIndexLink(name, tag, dig(manifest.digest)), manifest.digest);
      await writeLinkUnder(tags, paths.tagCurrent(name, tag), manifest.digest);
    }
  };

  const total = spec.repositories + (spec.tags > 0 ? 1 : 0);
  let done = 0;
  const jobs = Array.from({ length: spec.repositories }, (_, i) => i);
  await eachLimited(jobs, IN_FLIGHT, async (i) => {
    const img = imageOf(src, spec, i);
    for (const b of [...img.layers, img.config, img.manifest]) await writeBlob(b);
    await writeRepository(repositoryName(i), [...img.layers, img.config], [{ tag: 'latest', manifest: img.manifest }], [img.manifest]);
    if (++done % 1000 === 0) progress?.(done, total);
  });
  if (spec.tags > 0) {
    const t = tagImages(src, spec);
    await writeBlob(t.layer);
    await writeBlob(t.config);
    await eachLimited(t.manifests, IN_FLIGHT, writeBlob);
    const name = TAGS_REPOSITORY;
    await mkdir(at(paths.repo(name).split('/').slice(0, -1).join('/'))).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    // The repository's skeleton and links in one pass, but its 10k tags in parallel.
    await writeRepository(name, [t.layer, t.config], [], []);
    await eachLimited(t.manifests.map((m, i) => ({ m, i })), IN_FLIGHT, async ({ m, i }) => {
      await writeLinkUnder(`${paths.repo(name)}/_manifests/revisions/sha256`, paths.revisionLink(name, dig(m.digest)), m.digest);
      const tag = tagName(i);
      await mkdir(at(paths.tagDir(name, tag)));
      await writeLinkUnder(paths.tagDir(name, tag), paths.tagIndexLink(name, tag, dig(m.digest)), m.digest);
      await writeLinkUnder(paths.tagDir(name, tag), paths.tagCurrent(name, tag), m.digest);
    });
    progress?.(++done, total);
  }
}
