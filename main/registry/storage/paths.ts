// distribution's on-disk layout (registry/storage/paths.go), so a volume is shared with
// registry:2/3 in either direction. Every path below is a driver key.
//
// /docker/registry/v2/
//   blobs/sha256/<hex[0:2]>/<hex>/data                   the bytes (layers, configs, manifests)
//   repositories/<name>/
//     _layers/sha256/<hex>/link                          "sha256:<hex>": blob belongs to the repo
//     _manifests/revisions/sha256/<hex>/link             manifest belongs to the repo
//     _manifests/tags/<tag>/current/link                 what the tag points to now
//     _manifests/tags/<tag>/index/sha256/<hex>/link      every digest the tag has pointed to
//     _uploads/<uuid>/{data,startedat}                   uploads in progress
import type { Digest } from '../reference';

export const ROOT = '/docker/registry/v2';
export const BLOBS = `${ROOT}/blobs`;
export const REPOSITORIES = `${ROOT}/repositories`;

type D = Pick<Digest, 'algorithm' | 'hex'>;

export const paths = {
  blobDir: (d: D) => `${BLOBS}/${d.algorithm}/${d.hex.slice(0, 2)}/${d.hex}`,
  blobData: (d: D) => `${BLOBS}/${d.algorithm}/${d.hex.slice(0, 2)}/${d.hex}/data`,
  repo: (name: string) => `${REPOSITORIES}/${name}`,
  layerLink: (name: string, d: D) => `${REPOSITORIES}/${name}/_layers/${d.algorithm}/${d.hex}/link`,
  layersDir: (name: string) => `${REPOSITORIES}/${name}/_layers`,
  manifestsDir: (name: string) => `${REPOSITORIES}/${name}/_manifests`,
  revisionsDir: (name: string) => `${REPOSITORIES}/${name}/_manifests/revisions`,
  revisionDir: (name: string, d: D) => `${REPOSITORIES}/${name}/_manifests/revisions/${d.algorithm}/${d.hex}`,
  revisionLink: (name: string, d: D) => `${REPOSITORIES}/${name}/_manifests/revisions/${d.algorithm}/${d.hex}/link`,
  tagsDir: (name: string) => `${REPOSITORIES}/${name}/_manifests/tags`,
  tagDir: (name: string, tag: string) => `${REPOSITORIES}/${name}/_manifests/tags/${tag}`,
  tagCurrent: (name: string, tag: string) => `${REPOSITORIES}/${name}/_manifests/tags/${tag}/current/link`,
  tagIndexLink: (name: string, tag: string, d: D) =>
    `${REPOSITORIES}/${name}/_manifests/tags/${tag}/index/${d.algorithm}/${d.hex}/link`,
  uploadsDir: (name: string) => `${REPOSITORIES}/${name}/_uploads`,
  uploadDir: (name: string, id: string) => `${REPOSITORIES}/${name}/_uploads/${id}`,
  uploadData: (name: string, id: string) => `${REPOSITORIES}/${name}/_uploads/${id}/data`,
  uploadStartedAt: (name: string, id: string) => `${REPOSITORIES}/${name}/_uploads/${id}/startedat`,
};
