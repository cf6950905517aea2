// Small images (config + one layer + manifest) as docker pushes and pulls them.
import { randomBytes } from 'node:crypto';
import { sha256 } from '../test/support/oci';
import type { Target } from './http';
import { DOCKER_MANIFEST, ensureBlob, fetchManifest, OCI_MANIFEST, pullBlob, putManifest } from './registry-client';

export interface SmallImage {
  config: Buffer;
  configDigest: string;
  layer: Buffer;
  layerDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  mediaType: string;
}

export function manifestFor(
  mediaType: string, config: { digest: string; size: number }, layer: { digest: string; size: number },
  annotations?: Record<string, string>,
): Buffer {
  const oci = mediaType === OCI_MANIFEST;
  const m: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', ...config },
    layers: [{ mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
  };
  if (annotations) m.annotations = annotations;
  return Buffer.from(JSON.stringify(m));
}

/** A unique image: the label lands in the config, the layer is random. */
export function smallImage(label: string, layerBytes = 32 * 1024, mediaType = DOCKER_MANIFEST): SmallImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { bench: label } }, rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = randomBytes(layerBytes);
  const configDigest = sha256(config);
  const layerDigest = sha256(layer);
  const manifest = manifestFor(mediaType, { digest: configDigest, size: config.length }, { digest: layerDigest, size: layer.length });
  return { config, configDigest, layer, layerDigest, manifest, manifestDigest: sha256(manifest), mediaType };
}

/** docker push: HEAD each blob, upload the missing ones, then PUT the manifest. */
export async function pushImage(t: Target, repo: string, tag: string, img: SmallImage): Promise<void> {
  await ensureBlob(t, repo, img.config, img.configDigest);
  await ensureBlob(t, repo, img.layer, img.layerDigest);
  await putManifest(t, repo, tag, img.manifest, img.mediaType);
}

/** docker pull: manifest by tag, then config and layer, every digest verified. */
export async function pullImage(t: Target, repo: string, tag: string, img: SmallImage): Promise<number> {
  let bytes = await fetchManifest(t, 'GET', repo, tag, img.manifestDigest);
  bytes += await pullBlob(t, repo, img.configDigest, img.config.length);
  bytes += await pullBlob(t, repo, img.layerDigest, img.layer.length);
  return bytes;
}
