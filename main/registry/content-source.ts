// What the read handlers serve from: manifests, blobs and tag lists of a repository. Locally
// that is the store; in proxy mode a pull-through source answers misses from an upstream and
// fills the store. Both implement this one interface, so the handlers don't know which.
import type { Readable } from 'node:stream';
import type { Digest, Reference } from './reference';
import type { ReadRange } from './storage/driver/types';
import type { StoredManifest } from './storage/manifest-store';
import type { RegistryStore } from './storage/registry-store';

export interface BlobSource {
  size: number;
  open(range?: ReadRange): Promise<Readable>;
}

export interface ContentSource {
  manifest(name: string, ref: Reference, head: boolean): Promise<StoredManifest>;
  blob(name: string, digest: Digest, head: boolean): Promise<BlobSource>;
  tags(name: string): Promise<string[]>;
}

export function localContent(store: RegistryStore): ContentSource {
  return {
    manifest: (name, ref) => store.manifests.get(name, ref),
    async blob(name, digest) {
      const info = await store.blobs.require(name, digest);
      return { size: info.size, open: (range) => store.blobs.open(info.canonical, range) };
    },
    tags: (name) => store.tags.list(name),
  };
}
