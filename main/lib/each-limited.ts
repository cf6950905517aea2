// Runs `fn` over `items` with at most `limit` calls in flight: directory walks over a large tree
// keep a disk busy without opening thousands of directories at once.
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** eachLimited's results, in the order of `items`. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await eachLimited(items, limit, async (item, i) => {
    out[i] = await fn(item);
  });
  return out;
}

/**
 * Drains a stack of work that grows as it is worked (a tree walk: each folder listed pushes its
 * children), `limit` items at a time: each call that ends starts as many as there is room and
 * work for. The stack, not a promise per item, keeps memory small. The first failure rejects,
 * and nothing new starts after it.
 */
export function drainStack<T>(initial: readonly T[], limit: number, fn: (item: T, push: (item: T) => void) => Promise<void>): Promise<void> {
  const pending = [...initial];
  const push = (item: T) => {
    pending.push(item);
  };
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = () => {
      while (!failed && active < limit && pending.length > 0) {
        active++;
        fn(pending.pop()!, push).then(() => {
          active--;
          pump();
        }, (err: unknown) => {
          failed = true;
          reject(err);
        });
      }
      if (!failed && active === 0) resolve();
    };
    pump();
  });
}
