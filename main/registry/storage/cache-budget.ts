// What each store's cache may hold, in estimated bytes (Lru weights; the real heap cost is about
// 1.3x the estimate). 16 MiB in all. They only spare file reads the page cache answers anyway
// (tens of µs), so they are kept small: under the mixed load of `npm run bench -- --soak` the
// caches at 32 MiB were still filling after minutes (a tag list grows with every push), and were
// most of the process's growth over the first ten minutes.
const MiB = 1 << 20;

export const CACHE_BUDGET = {
  /** tag → digest */
  tagCurrent: 2 * MiB,
  /** repository → its sorted tags */
  tagLists: 4 * MiB,
  /** blob digest → size */
  blobSizes: 2 * MiB,
  /** repository + blob digest → canonical digest (the repository's link) */
  blobLinks: 2 * MiB,
  /** manifest digest → body (bodies up to 64 KiB) */
  manifestBodies: 4 * MiB,
  /** repository + manifest digest → revision link */
  manifestRevisions: 2 * MiB,
};

export type CacheBudget = typeof CACHE_BUDGET;

/**
 * The budget for a store other nodes write too (several nodes on one bucket): a cached tag, link,
 * revision or blob size would keep answering what another node has since changed or collected
 * (a size is what says a blob exists), so those are off. Manifest bodies stay: they are read
 * only after their revision link, read afresh, says the manifest is there.
 */
export function cacheBudgetFor(shared: boolean): CacheBudget {
  return shared ? { ...CACHE_BUDGET, tagCurrent: 0, tagLists: 0, blobSizes: 0, blobLinks: 0, manifestRevisions: 0 } : CACHE_BUDGET;
}
