// What `_catalog`, the control API and maintenance need from the repository list. One node on
// its own store keeps it in memory (catalog-index.ts); nodes sharing a bucket keep it in Redis
// (shared-catalog.ts), so a repository pushed through one node is listed by all at once.
export interface Catalog {
  /** Reads the store's repositories (in the background at start); listings wait for it. */
  load(): Promise<void>;
  /** Picks up repositories written or removed behind this process's back. */
  rescan(): Promise<void>;
  has(name: string): Promise<boolean>;
  /** A manifest was stored in `name`: it is listed from when this resolves. */
  add(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** Up to `n` names strictly after `last`, in distribution's order, and whether more follow. */
  page(n: number, last?: string): Promise<{ names: string[]; more: boolean }>;
  all(): Promise<readonly string[]>;
}
