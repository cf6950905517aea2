// Log-bucketed latency histogram (1% relative precision). Mergeable and JSON-serialisable so
// worker processes can send theirs to the parent; exact count/min/max/sum are kept alongside.
const GROWTH = Math.log(1.01);

export interface HistogramJSON {
  buckets: [number, number][];
  count: number;
  min: number;
  max: number;
  sum: number;
}

export class Histogram {
  private buckets = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = 0;
  sum = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const idx = Math.ceil(Math.log(us) / GROWTH);
    this.buckets.set(idx, (this.buckets.get(idx) ?? 0) + 1);
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  merge(o: Histogram): void {
    for (const [k, v] of o.buckets) this.buckets.set(k, (this.buckets.get(k) ?? 0) + v);
    this.count += o.count;
    this.sum += o.sum;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  /** p in [0, 100]; returns milliseconds (bucket upper bound, clamped to the exact max). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.buckets.get(k) ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, Math.exp(k * GROWTH) / 1000));
    }
    return this.max;
  }

  toJSON(): HistogramJSON {
    return { buckets: [...this.buckets], count: this.count, min: this.min, max: this.max, sum: this.sum };
  }

  static fromJSON(j: HistogramJSON): Histogram {
    const h = new Histogram();
    h.buckets = new Map(j.buckets);
    h.count = j.count;
    h.min = j.min ?? Infinity;
    h.max = j.max;
    h.sum = j.sum;
    return h;
  }
}
