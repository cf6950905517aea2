// Distinct blobs of one size without re-hashing 100 MiB per push: every variant is a shared
// random base followed by a unique 32-byte suffix, so its digest is a copy of the base's
// running hash plus 32 bytes. Distinct digests matter: a registry may skip work for a blob
// it already has, which would flatter the push figures.
import { createHash, randomBytes, randomFillSync, type Hash } from 'node:crypto';

export const SUFFIX_BYTES = 32;

export interface BlobVariant {
  /** Body pieces: [base, suffix]; sent without concatenating. */
  parts: Buffer[];
  digest: string;
  size: number;
}

export class BlobSource {
  readonly base: Buffer;
  private readonly baseHash: Hash;
  /** Unique per source so two runs (or two servers) never share digests by accident. */
  private readonly nonce = randomBytes(8).toString('hex');

  constructor(readonly size: number) {
    if (size < SUFFIX_BYTES) throw new Error('blob too small');
    this.base = randomFillSync(Buffer.allocUnsafe(size - SUFFIX_BYTES));
    this.baseHash = createHash('sha256').update(this.base);
  }

  variant(label: string, seq: number): BlobVariant {
    const suffix = Buffer.alloc(SUFFIX_BYTES, ' ');
    suffix.write(`${this.nonce}${label}#${seq}`.slice(-SUFFIX_BYTES));
    const digest = 'sha256:' + this.baseHash.copy().update(suffix).digest('hex');
    return { parts: [this.base, suffix], digest, size: this.size };
  }
}

/** The byte range [start, end) of a logical concatenation of parts, as zero-copy views. */
export function sliceParts(parts: readonly Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const a = Math.max(start, offset);
    const b = Math.min(end, offset + p.length);
    if (a < b) out.push(p.subarray(a - offset, b - offset));
    offset += p.length;
  }
  return out;
}
