// What an archive holds, as images to push: for each, its repository and tags, its manifests
// (children before parents) and the blobs they need, every one checked against the hashes the
// scan took. Three layouts are understood:
//   - an OCI image layout (index.json + blobs/): skopeo's and containerd's, Docker 25's
//     `docker save`, and Berth's own exports (which add manifest.json for `docker load`);
//   - Docker's older `docker save` (manifest.json + <id>/layer.tar, no index.json), whose images
//     have no registry manifest: one is written here (see dockerSaveImage).
import { Annotations, digestOfBlobPath, blobPath, DOCKER_MANIFEST_FILE, OCI_INDEX_FILE, OCI_LAYOUT_FILE, type DockerManifestEntry } from './archive-format';
import { resolveFile, type ScannedArchive, type ScannedFile } from './archive-scan';
import { isBareTag, parseImageName, type ImageName } from './image-names';
import { ImportError } from './import-error';
import { sha256Digest } from '../registry/digest';
import { MediaTypes, parseManifest, type Descriptor } from '../registry/manifest/parse-manifest';

/** A config or layer, and where its bytes are in the archive. */
export interface PlannedBlob { digest: string; size: number; path: string }
export interface PlannedManifest { digest: string; mediaType: string; bytes: Buffer }

export interface PlannedImage {
  repository: string;
  /** Empty for content the archive names by digest only (referrers in Berth's exports). */
  tags: string[];
  /** Every manifest, children first; the last one is the image's own (root). */
  manifests: PlannedManifest[];
  blobs: PlannedBlob[];
}

export interface ImportPlan {
  /** For messages: which kind of archive this is. */
  format: string;
  images: PlannedImage[];
}

export interface PlanOptions {
  /** `--as NAME[:TAG]`: the one image's name (and tag) instead of the archive's. */
  as?: { repository: string; tag?: string };
}

/** Docker's media type of an uncompressed layer: docker save's layer.tar files are stored as they are. */
export const DOCKER_UNCOMPRESSED_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export function planImport(scan: ScannedArchive, opts: PlanOptions = {}): ImportPlan {
  if (scan.files.has(OCI_INDEX_FILE)) return ociLayoutPlan(scan, opts);
  if (scan.files.has(DOCKER_MANIFEST_FILE)) return dockerSavePlan(scan, opts);
  const what = scan.files.size === 0 ? 'it is empty' : 'it has neither index.json (an OCI image layout) nor manifest.json (docker save)';
  throw new ImportError(`${scan.label} is not an image archive Berth can import: ${what}`);
}

interface Named { root: PlannedManifest; name: ImageName | undefined; label: string }

function ociLayoutPlan(scan: ScannedArchive, opts: PlanOptions): ImportPlan {
  const layout = scan.files.has(OCI_LAYOUT_FILE) ? readJson<{ imageLayoutVersion?: unknown }>(scan, OCI_LAYOUT_FILE) : undefined;
  if (layout && typeof layout.imageLayoutVersion === 'string' && !layout.imageLayoutVersion.startsWith('1.')) {
    throw new ImportError(`${scan.label}: unsupported OCI layout version ${JSON.stringify(layout.imageLayoutVersion)}`);
  }
  readJson(scan, OCI_INDEX_FILE);
  const index = parseManifestFile(scan.small.get(OCI_INDEX_FILE)!, MediaTypes.ociIndex, `${scan.label}: index.json`);
  if (!index.isIndex) throw new ImportError(`${scan.label}: index.json is not an OCI image index`);
  const graph = new Graph(scan);
  const named: Named[] = index.manifests.map((d, i) => {
    const where = `index.json manifests[${i}]`;
    return { root: graph.manifest(d, where), name: nameOf(d.annotations ?? {}, where), label: d.digest.value };
  });
  const format = scan.files.has(DOCKER_MANIFEST_FILE) ? 'OCI image layout with docker save manifest.json' : 'OCI image layout';
  return { format, images: assemble(named, graph, opts, scan.label) };
}

/** The name an index.json entry carries: containerd's full name first, else a ref.name that is more than a tag. */
function nameOf(annotations: Record<string, string>, where: string): ImageName | undefined {
  const full = annotations[Annotations.imageName];
  const ref = annotations[Annotations.refName];
  if (full) {
    const n = parseImageName(full, where);
    // Docker 25 puts the tag in ref.name and the name in io.containerd.image.name.
    return n.tag || n.digest || !ref || !isBareTag(ref) ? n : { ...n, tag: ref };
  }
  if (!ref) return undefined;
  return isBareTag(ref) ? { repository: '', tag: ref } : parseImageName(ref, where);
}

function dockerSavePlan(scan: ScannedArchive, opts: PlanOptions): ImportPlan {
  const list = readJson<unknown>(scan, DOCKER_MANIFEST_FILE);
  if (!Array.isArray(list) || list.length === 0) throw new ImportError(`${scan.label}: manifest.json lists no images`);
  const graph = new Graph(scan);
  const named: Named[] = [];
  list.forEach((raw, i) => {
    const where = `manifest.json[${i}]`;
    const entry = raw as Partial<DockerManifestEntry> & { LayerSources?: unknown };
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new ImportError(`${scan.label}: ${where} has no Config or Layers`);
    if (entry.LayerSources) throw new ImportError(`${scan.label}: ${where} has foreign layers (LayerSources), which Berth does not import`);
    const root = dockerSaveImage(scan, graph, entry.Config, entry.Layers as unknown[], where);
    const tags = entry.RepoTags ?? [];
    if (tags.length === 0) named.push({ root, name: undefined, label: root.digest });
    for (const t of tags) named.push({ root, name: parseImageName(String(t), where), label: String(t) });
  });
  return { format: 'docker save archive', images: assemble(named, graph, opts, scan.label) };
}

/**
 * A registry manifest for one image of an old-style `docker save`, which holds the config and
 * uncompressed layer tars but no manifest. Each layer.tar is pushed as it is, with Docker's
 * uncompressed-layer media type: its sha256 is then its digest and its diff_id at once, so the
 * config stays byte for byte what Docker wrote (same image ID) and the manifest describes exactly
 * the stored bytes. Docker, containerd and podman all pull uncompressed layers; compressing them
 * here would cost far more time than the import itself and change every digest.
 */
function dockerSaveImage(scan: ScannedArchive, graph: Graph, configPath: string, layerPaths: unknown[], where: string): PlannedManifest {
  const config = graph.file(configPath, `${where} Config`);
  // The config's name is its digest (`<hex>.json`, or blobs/sha256/<hex> in Docker 25).
  const named = /^([a-f0-9]{64})\.json$/.exec(configPath)?.[1];
  const claimed = named ? `sha256:${named}` : digestOfBlobPath(configPath);
  if (claimed && claimed !== config.sha256) throw corrupt(scan, configPath, claimed, config.sha256);
  const bytes = scan.small.get(config.path);
  let diffIds: unknown;
  try {
    diffIds = (JSON.parse(bytes!.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  } catch {
    throw new ImportError(`${scan.label}: the image config ${configPath} is not JSON`);
  }
  if (!Array.isArray(diffIds) || diffIds.length !== layerPaths.length) {
    throw new ImportError(`${scan.label}: the image config ${configPath} lists ${Array.isArray(diffIds) ? diffIds.length : 'no'} layers (rootfs.diff_ids), ${where} ${layerPaths.length}`);
  }
  graph.addBlob({ digest: config.sha256, size: config.size, path: config.path });
  const layers = layerPaths.map((p, i) => {
    const layer = graph.file(String(p), `${where} Layers[${i}]`);
    if (layer.sha256 !== diffIds[i]) {
      throw new ImportError(`${scan.label}: layer ${String(p)} does not match its diff_id ${String(diffIds[i])} in ${configPath}: the archive is corrupt (the layer hashes to ${layer.sha256})`);
    }
    graph.addBlob({ digest: layer.sha256, size: layer.size, path: layer.path });
    return { mediaType: DOCKER_UNCOMPRESSED_LAYER, size: layer.size, digest: layer.sha256 };
  });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: DOCKER_CONFIG, size: config.size, digest: config.sha256 },
    layers,
  }, null, 3));
  return graph.addManifest({ digest: sha256Digest(manifest), mediaType: MediaTypes.dockerManifest, bytes: manifest });
}

/**
 * Names the images and collects each one's manifests and blobs. Entries naming the same
 * repository and root become one image with several tags.
 */
function assemble(named: Named[], graph: Graph, opts: PlanOptions, label: string): PlannedImage[] {
  let entries = named;
  if (opts.as) {
    // The references are what a user would call the archive's images: tagged or unnamed roots.
    // Content named by digest (referrers) follows them to the new name.
    const roots = new Set(named.filter((n) => !n.name?.digest).map((n) => n.root.digest));
    if (roots.size !== 1) throw new ImportError(`--as names one image, but ${label} holds ${roots.size}: import it without --as`);
    const as = opts.as;
    entries = named.map((n) => (n.name?.digest ? { ...n, name: { repository: as.repository, digest: n.name.digest } } : { ...n, name: { repository: as.repository, tag: as.tag ?? n.name?.tag ?? 'latest' } }));
  }
  const images = new Map<string, PlannedImage>();
  for (const n of entries) {
    if (!n.name || !n.name.repository) {
      throw new ImportError(`${label}: image ${n.label}${n.name?.tag ? ` (tag ${n.name.tag})` : ''} has no repository name in the archive: give one with --as NAME[:TAG]`);
    }
    const key = `${n.name.repository}@${n.root.digest}`;
    let image = images.get(key);
    if (!image) {
      image = { repository: n.name.repository, tags: [], ...graph.closure(n.root) };
      images.set(key, image);
    }
    if (n.name.tag && !image.tags.includes(n.name.tag)) image.tags.push(n.name.tag);
  }
  return [...images.values()];
}

/** The archive's manifests and blobs, each verified once, and what each manifest needs. */
class Graph {
  private readonly manifests = new Map<string, { m: PlannedManifest; children: string[]; blobs: string[] }>();
  private readonly blobs = new Map<string, PlannedBlob>();
  private pendingBlobs: string[] = [];

  constructor(private readonly scan: ScannedArchive) {}

  /** A file the archive must hold. */
  file(path: string, what: string): ScannedFile {
    const f = resolveFile(this.scan, path.replace(/^(\.\/|\/)+/, ''));
    if (!f) throw new ImportError(`${this.scan.label}: ${what} names ${path}, which is not in the archive (truncated or incomplete)`);
    return f;
  }

  addBlob(b: PlannedBlob): void {
    this.blobs.set(b.digest, b);
    this.pendingBlobs.push(b.digest);
  }

  addManifest(m: PlannedManifest, children: string[] = []): PlannedManifest {
    this.manifests.set(m.digest, { m, children, blobs: this.pendingBlobs });
    this.pendingBlobs = [];
    return m;
  }

  /** The manifest a descriptor names, with everything it references, checked against the archive. */
  manifest(d: Descriptor, where: string): PlannedManifest {
    const known = this.manifests.get(d.digest.value);
    if (known) return known.m;
    const f = this.verified(d, where);
    const bytes = this.scan.small.get(f.path);
    if (!bytes) throw new ImportError(`${this.scan.label}: manifest ${d.digest.value} (${where}) is not a JSON manifest`);
    const parsed = parseManifestFile(bytes, d.mediaType, `${this.scan.label}: manifest ${d.digest.value}`);
    const children = parsed.manifests.map((c, i) => this.manifest(c, `${d.digest.value} manifests[${i}]`).digest);
    const blobs: string[] = [];
    for (const [i, b] of [parsed.config, ...parsed.layers].entries()) {
      if (!b) continue;
      // A foreign layer (Windows base images) lives at its URLs, not in archives.
      if (b.urls?.length && !resolveFile(this.scan, blobPath(b.digest.value))) continue;
      const file = this.verified(b, i === 0 ? `the config of ${d.digest.value}` : `layer ${i - 1} of ${d.digest.value}`);
      this.blobs.set(b.digest.value, { digest: b.digest.value, size: b.size, path: file.path });
      blobs.push(b.digest.value);
    }
    const m = { digest: d.digest.value, mediaType: parsed.mediaType, bytes };
    this.manifests.set(m.digest, { m, children, blobs });
    return m;
  }

  /** The file of a descriptor's blob, its digest and size checked. */
  private verified(d: Descriptor, what: string): ScannedFile {
    const path = blobPath(d.digest.value);
    const f = this.file(path, what);
    const actual = d.digest.algorithm === 'sha256' ? f.sha256 : f.named;
    if (actual !== d.digest.value) throw corrupt(this.scan, path, d.digest.value, actual ?? 'another digest');
    if (f.size !== d.size) throw new ImportError(`${this.scan.label}: blob ${d.digest.value} is ${f.size} bytes, but ${what} says ${d.size}: the archive is corrupt`);
    return f;
  }

  /** A root's manifests (children first) and blobs, each once. */
  closure(root: PlannedManifest): Pick<PlannedImage, 'manifests' | 'blobs'> {
    const manifests: PlannedManifest[] = [];
    const blobs = new Map<string, PlannedBlob>();
    const seen = new Set<string>();
    const visit = (digest: string) => {
      if (seen.has(digest)) return;
      seen.add(digest);
      const node = this.manifests.get(digest)!;
      for (const c of node.children) visit(c);
      for (const b of node.blobs) blobs.set(b, this.blobs.get(b)!);
      manifests.push(node.m);
    };
    visit(root.digest);
    return { manifests, blobs: [...blobs.values()] };
  }
}

function corrupt(scan: ScannedArchive, path: string, expected: string, actual: string): ImportError {
  return new ImportError(`${scan.label}: blob ${expected} (${path}) does not match its digest: the archive is corrupt (its bytes hash to ${actual})`);
}

function readJson<T>(scan: ScannedArchive, path: string): T {
  const bytes = scan.small.get(path);
  if (!bytes) throw new ImportError(`${scan.label}: ${path} is not JSON`);
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new ImportError(`${scan.label}: ${path} is not valid JSON`);
  }
}

function parseManifestFile(bytes: Buffer, mediaType: string, what: string) {
  try {
    return parseManifest(bytes, mediaType);
  } catch (err) {
    throw new ImportError(`${what} is not a manifest Berth can store: ${(err as Error).message}`);
  }
}
