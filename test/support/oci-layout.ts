// OCI image layouts (image-spec image-layout.md) written and checked in test code, for skopeo:
// a two-platform image index (linux/amd64 + linux/arm64, each with its own config and layer)
// that `skopeo copy --all oci:DIR:TAG docker://…` pushes as-is, so the index bytes that reach
// the registry are exactly the bytes written here.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from './oci';
import { tarArchive } from './tar';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Platform {
  os: string;
  architecture: string;
}

export interface PlatformImage {
  platform: Platform;
  manifest: Buffer;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

export interface OciLayout {
  dir: string;
  tag: string;
  /** The image index that the tag points to, byte for byte as written. */
  index: Buffer;
  indexDigest: string;
  images: PlatformImage[];
  /** Every blob in the layout (index, manifests, configs, layers) by digest. */
  blobs: Map<string, Buffer>;
}


/**
 * Writes an OCI layout whose index.json names one image index (ref.name = tag). `label` goes
 * into every layer, so separate calls produce distinct content.
 */
export async function writeMultiPlatformLayout(
  dir: string,
  opts: { tag?: string; label?: string; platforms?: Platform[] } = {},
): Promise<OciLayout> {
  const tag = opts.tag ?? 'latest';
  const platforms = opts.platforms ?? [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const blobs = new Map<string, Buffer>();
  const add = (data: Buffer) => {
    const digest = sha256(data);
    blobs.set(digest, data);
    return { digest, size: data.length };
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));

  const images: PlatformImage[] = platforms.map((platform) => {
    const name = `${platform.os}/${platform.architecture}`;
    const tar = tarArchive([{ name: 'platform.txt', data: Buffer.from(`${name} ${opts.label ?? ''}\n`) }]);
    const layer = add(gzipSync(tar));
    const config = add(json({
      architecture: platform.architecture,
      os: platform.os,
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }));
    const manifest = json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, ...config },
      layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }],
    });
    const m = add(manifest);
    return { platform, manifest, manifestDigest: m.digest, configDigest: config.digest, layerDigest: layer.digest };
  });

  const index = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((img) => ({
      mediaType: OCI_MANIFEST,
      digest: img.manifestDigest,
      size: img.manifest.length,
      platform: img.platform,
    })),
  });
  const indexDesc = add(index);

  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, data] of blobs) await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_INDEX, ...indexDesc, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { dir, tag, index, indexDigest: indexDesc.digest, images, blobs };
}

/**
 * Reads every blob of a layout, failing if any file's content does not hash to its name;
 * returns them by digest. This is what proves a copy out of the registry is intact.
 */
export async function readVerifiedBlobs(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const blobDir = join(dir, 'blobs', 'sha256');
  for (const name of await readdir(blobDir)) {
    const data = await readFile(join(blobDir, name));
    const digest = sha256(data);
    if (digest !== `sha256:${name}`) throw new Error(`blob ${name} in ${dir} has content digest ${digest}`);
    out.set(digest, data);
  }
  return out;
}

/** The descriptor index.json holds for `tag` (ref.name annotation). */
export async function layoutTagDescriptor(dir: string, tag: string): Promise<{ mediaType: string; digest: string; size: number }> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>;
  };
  const found = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!found) throw new Error(`no ${tag} in ${dir}/index.json: ${JSON.stringify(index)}`);
  return found;
}
