// The Storage view: space per repository, largest first, and the disk the data lives on.

export interface RepositoryUsage {
  name: string;
  /**
   * Bytes of every blob this repository links (layers, configs, manifests). A blob shared with
   * other repositories is stored once but counted in full in each of them.
   */
  bytes: number;
  /** The part of `bytes` in blobs that other repositories link too. */
  sharedBytes: number;
  blobs: number;
  /** Content cached from a proxy upstream rather than pushed here. */
  cached: boolean;
}

export interface StorageUsage {
  /** Largest first (by `bytes`), then by name. */
  repositories: RepositoryUsage[];
  totals: {
    /** Every blob under the storage root, each counted once. */
    blobBytes: number;
    blobs: number;
    /** Blobs no repository links: a garbage collection removes them. */
    unreferencedBytes: number;
  };
  /** The disk holding the storage root; absent for in-memory storage. */
  disk?: { path: string; freeBytes: number; totalBytes: number };
}

export interface StorageMethods {
  'storage.usage': { args: Record<string, never>; result: StorageUsage };
}
