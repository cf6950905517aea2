// A bounded map that forgets the least recently used entries: Map keeps insertion order, so
// re-inserting on read moves an entry to the back and the front is always the oldest. The bound
// is a total weight: by default each entry weighs 1 (a count), or `weigh` estimates its bytes,
// so a cache of values of very different sizes (whole tag lists, manifest bodies) is bounded in
// memory, not just in entries.
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly max: number, private readonly weigh: (key: K, value: V) => number = () => 1) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(key, value);
    // An entry heavier than the whole bound is not kept at all.
    if (weight > this.max) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.total > this.max) this.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.total -= e.weight;
  }

  /** Drops every key for which `pred` holds (used when a whole repository goes away). */
  deleteWhere(pred: (key: K) => boolean): void {
    for (const k of [...this.map.keys()]) if (pred(k)) this.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** The summed weight of the entries kept. */
  get weight(): number {
    return this.total;
  }
}

/**
 * Rough bytes of a cached string key or value on V8's heap (one byte per character for
 * Latin-1 text, plus the object header and the Map's slot), for `weigh`.
 */
export function stringBytes(s: string): number {
  return 32 + s.length;
}

/** Rough bytes of a cached digest object (its three strings and the object). */
export const DIGEST_BYTES = 200;
