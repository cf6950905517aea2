// Runs `fn` over `items` with at most `limit` calls in flight: directory walks over a large tree
// keep a disk busy without opening thousands of directories at once.
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
