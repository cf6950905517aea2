// GC's mark set: every referenced blob, a million at 100,000 repositories, held while the GC
// runs inside the serving registry. A Map of the digest strings took 117 MB for a million; this
// keeps the first 64 bits of each digest's hex in an open-addressing table (about 20 MB). Two
// digests that share those bits (odds about n²/2^65, 3e-8 at a million) count as one: a blob
// is then kept that could have gone, never deleted while referenced, the safe side for a GC.
const EMPTY = 0;
const PRESENT = 1;
const SEEN = 2;

export class DigestPrefixSet {
  private hi = new Uint32Array(1 << 16);
  private lo = new Uint32Array(1 << 16);
  private state = new Uint8Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a digest ("algorithm:hex"). */
  add(digest: string): void {
    if ((this.count + 1) * 2 > this.state.length) this.grow();
    const [hi, lo] = prefix(digest);
    const i = this.slot(hi, lo);
    if (this.state[i] !== EMPTY) return;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.state[i] = PRESENT;
    this.count++;
  }

  has(digest: string): boolean {
    const [hi, lo] = prefix(digest);
    return this.state[this.slot(hi, lo)] !== EMPTY;
  }

  /** Records that the blob was found on disk; returns whether the digest is in the set. */
  see(digest: string): boolean {
    const [hi, lo] = prefix(digest);
    const i = this.slot(hi, lo);
    if (this.state[i] === EMPTY) return false;
    this.state[i] = SEEN;
    return true;
  }

  /** In the set, and its blob was found (see). */
  seen(digest: string): boolean {
    const [hi, lo] = prefix(digest);
    return this.state[this.slot(hi, lo)] === SEEN;
  }

  /** The slot holding the key, or the empty slot where it would go (linear probing). */
  private slot(hi: number, lo: number): number {
    const mask = this.state.length - 1;
    // The bits of a digest are already uniform: the low word is the hash.
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      if (this.state[i] === EMPTY || (this.hi[i] === hi && this.lo[i] === lo)) return i;
    }
  }

  private grow(): void {
    const { hi, lo, state } = this;
    const n = state.length * 2;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.state = new Uint8Array(n);
    for (let j = 0; j < state.length; j++) {
      if (state[j] === EMPTY) continue;
      const i = this.slot(hi[j]!, lo[j]!);
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.state[i] = state[j]!;
    }
  }
}

/** The first 64 bits of the hex, as two 32-bit words. */
function prefix(digest: string): [number, number] {
  const at = digest.indexOf(':') + 1;
  return [parseInt(digest.slice(at, at + 8), 16) >>> 0, parseInt(digest.slice(at + 8, at + 16), 16) >>> 0];
}
