// Hashing helpers. Blobs are stored under their sha256 (distribution's canonical algorithm);
// a client may name another registered algorithm, which we verify with a second hash.
import { createHash, type Hash } from 'node:crypto';
import type { Digest } from './reference';

export function sha256Digest(data: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function hashFor(algorithm: Digest['algorithm']): Hash {
  return createHash(algorithm);
}

export function digestOf(algorithm: Digest['algorithm'], data: Uint8Array): string {
  return `${algorithm}:` + createHash(algorithm).update(data).digest('hex');
}
