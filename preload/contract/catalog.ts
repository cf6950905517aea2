// The catalog browser: repositories, tags, image details, deletes and garbage collection.

export interface RepositoryRow {
  name: string;
  /** Content cached from a proxy upstream rather than pushed here. */
  cached: boolean;
}

export interface RepositoryPage {
  items: RepositoryRow[];
  /** Repositories matching the filter in total. */
  total: number;
}

export interface TagRow {
  tag: string;
  digest: string;
  mediaType: string;
  /** Image creation time from its config, when known (ISO 8601). */
  created?: string;
  /** Sum of config and layer sizes (for an index: of all platforms). */
  size?: number;
  cached: boolean;
}

export interface PlatformView { os: string; architecture: string; variant?: string; digest: string; size: number }

export interface LayerView {
  digest: string;
  mediaType: string;
  size: number;
  /** Set only for an external (non-distributable) layer: clients fetch it from these URLs; this registry does not hold it. */
  urls?: string[];
}

/** An OCI 1.1 referrer: a manifest whose `subject` is this one (a signature, an SBOM…). */
export interface ReferrerView { digest: string; mediaType: string; size: number; artifactType?: string; annotations?: Record<string, string> }

export interface ImageDetail {
  repository: string;
  reference: string;
  digest: string;
  mediaType: string;
  /** Tags in this repository that point at this digest. */
  tags: string[];
  /** For an index / manifest list. */
  platforms?: PlatformView[];
  /** For an image manifest. */
  layers?: LayerView[];
  configDigest?: string;
  totalSize: number;
  created?: string;
  os?: string;
  architecture?: string;
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  history?: Array<{ created?: string; createdBy?: string; emptyLayer?: boolean; comment?: string }>;
  artifactType?: string;
  /** Manifests in this repository whose subject is this one, as the referrers API lists them. */
  referrers: ReferrerView[];
  /** Pull commands for docker, podman and nerdctl. */
  pullCommands: { docker: string; podman: string; nerdctl: string };
  cached: boolean;
}

export interface GcReport {
  dryRun: boolean;
  blobsMarked: number;
  blobsDeleted: number;
  manifestsDeleted: number;
  bytesFreed: number;
  durationMs: number;
}

export interface CatalogMethods {
  'catalog.repositories': { args: { filter?: string; offset?: number; limit?: number }; result: RepositoryPage };
  'catalog.tags': { args: { repository: string; sort?: 'name' | 'date' }; result: TagRow[] };
  'catalog.image': { args: { repository: string; reference: string }; result: ImageDetail };
  /** Removes only this tag; other tags of the same digest stay. */
  'catalog.deleteTag': { args: { repository: string; tag: string }; result: { deleted: true } };
  /** Removes the manifest and every tag pointing at it. */
  'catalog.deleteManifest': { args: { repository: string; digest: string }; result: { deleted: true } };
  'catalog.deleteRepository': { args: { repository: string }; result: { deleted: true } };
  'catalog.gc': { args: { dryRun: boolean; deleteUntagged?: boolean }; result: GcReport };
}
