// The archive Berth exports and imports, written down once so `berth export` and `berth import`
// agree on it. One tar holds two views of the same blobs:
//
//   oci-layout                 {"imageLayoutVersion":"1.0.0"}   (OCI image layout)
//   index.json                 OCI index: one entry per exported reference and per referrer
//   manifest.json              `docker save`'s list: Config/RepoTags/Layers per image
//   repositories               `docker save`'s legacy name → tag → top layer id map
//   blobs/<alg>/<hex>          every manifest, config and layer, once, under its digest
//
// manifest.json's Config and Layers name the same blobs/sha256/<hex> files (as Docker 25's
// `docker save` does; Docker 20.10's `docker load` accepts any path inside the tar and
// gzip-compressed layers), so nothing is stored twice. Berth writes the four small files first,
// then every manifest, then every config, then the layers, so a reader streaming the tar
// learns the whole graph before the large blobs arrive. Readers of other tools' archives must
// not rely on that order.

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const DOCKER_REPOSITORIES_FILE = 'repositories';
export const BLOBS_DIR = 'blobs';

export const OCI_LAYOUT_VERSION = '1.0.0';
export const OCI_LAYOUT_CONTENT = { imageLayoutVersion: OCI_LAYOUT_VERSION } as const;

/** `blobs/sha256/<hex>` for `sha256:<hex>` (the OCI layout's path of a blob). */
export function blobPath(digest: string): string {
  const i = digest.indexOf(':');
  return `${BLOBS_DIR}/${digest.slice(0, i)}/${digest.slice(i + 1)}`;
}

/** The digest a `blobs/<alg>/<hex>` path names, or undefined for any other path. */
export function digestOfBlobPath(path: string): string | undefined {
  const m = /^(?:\.\/)?blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(path);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

export const Annotations = {
  /**
   * The OCI layout's reference name. Berth writes the full `name:tag` (the spec's grammar allows
   * it), so `skopeo copy oci-archive:FILE:name:tag` selects one image of a multi-image archive.
   * Tools that write just the tag (Docker 25, containerd) put the name in the next one.
   */
  refName: 'org.opencontainers.image.ref.name',
  /** containerd's (and Docker 25's) full image name: `name:tag`, or `name@digest` for untagged content. */
  imageName: 'io.containerd.image.name',
} as const;

/** A descriptor as JSON carries it (index.json's entries). */
export interface ArchiveDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

/** index.json: an OCI image index whose entries carry the names above. */
export interface OciIndexFile {
  schemaVersion: 2;
  mediaType: typeof OCI_INDEX_MEDIA_TYPE;
  manifests: ArchiveDescriptor[];
}

/** One image of manifest.json, as `docker save` writes and `docker load` reads it. */
export interface DockerManifestEntry {
  /** Path of the config blob inside the archive. */
  Config: string;
  /** `name:tag` for each tag; null when the image was exported by digest only. */
  RepoTags: string[] | null;
  /** Paths of the layer blobs inside the archive, base first. */
  Layers: string[];
}

/** `repositories`: name → tag → id of the image's top layer (the hex of its blob). */
export type DockerRepositoriesFile = Record<string, Record<string, string>>;

/** Layer media types `docker load` understands (uncompressed or gzip tar). */
export const DOCKER_LOADABLE_LAYER_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar',
]);

/** Config media types of runnable images (anything else is an artifact: signature, SBOM, chart). */
export const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.oci.image.config.v1+json',
]);
