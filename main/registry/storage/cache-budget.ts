// What each store's cache may hold, in estimated bytes (Lru weights; the real heap cost is about
// 1.3x the estimate). 8 MiB in all. They only spare file reads the page cache answers anyway
// (tens of µs), so they are kept small. A full cache is live heap, and V8 lets its old generation
// grow to two or three times the live heap before collecting it. With 16 MiB, once the bench's
// other scenarios had filled the caches, the mixed load ran with 17–28 MB live, its heap grew to
// 74 MB, and a full bench run peaked at 134 MiB RSS in it; with 8 MiB the heap stayed at 31–40 MB
// and the mixed load peaked at 103–110 MiB. Under the mixed load of `npm run bench -- --soak`
// caches at 32 MiB were still filling after minutes (a tag list grows with every push).
const MiB = 1 << 20;

export const CACHE_BUDGET = {
  /** tag → digest */
  tagCurrent: 1 * MiB,
  /** repository → its sorted tags */
  tagLists: 2 * MiB,
  /** blob digest → size */
  blobSizes: 1 * MiB,
  /** repository + blob digest → canonical digest (the repository's link) */
  blobLinks: 1 * MiB,
  /** manifest digest → body (bodies up to 64 KiB) */
  manifestBodies: 2 * MiB,
  /** repository + manifest digest → revision link */
  manifestRevisions: 1 * MiB,
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
