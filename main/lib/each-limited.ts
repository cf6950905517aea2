// Runs `fn` over `items` with at most `limit` calls in flight: directory walks over a large tree
// keep a disk busy without opening thousands of directories at once. After a failure nothing new
// starts, and the promise rejects only once the calls in flight have ended: a caller's cleanup
// (GC ends its guard) must not run while one of its calls still deletes.
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
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
 * work for. The stack, not a promise per item, keeps memory small. After a failure nothing new
 * starts, and the first failure rejects once the calls in flight have ended (as eachLimited).
 */
export function drainStack<T>(initial: readonly T[], limit: number, fn: (item: T, push: (item: T) => void) => Promise<void>): Promise<void> {
  const pending = [...initial];
  const push = (item: T) => {
    pending.push(item);
  };
  return new Promise((resolve, reject) => {
    let active = 0;
    let failure: { err: unknown } | undefined;
    const ended = () => {
      active--;
      pump();
    };
    const pump = () => {
      while (!failure && active < limit && pending.length > 0) {
        active++;
        fn(pending.pop()!, push).then(ended, (err: unknown) => {
          failure ??= { err };
          ended();
        });
      }
      if (active === 0) {
        if (failure) reject(failure.err); else resolve();
      }
    };
    pump();
  });
}
