// Blob pull: the same blob GET repeatedly (served from page cache, as hot layers are),
// every body hashed while it streams and compared with the digest.
import { BlobSource, type BlobVariant } from '../blob-source';
import { runLoad } from '../load';
import { pullBlob, pushMonolithic } from '../registry-client';
import { bounds, type Scenario } from './types';

const MiB = 1024 * 1024;

// One blob per size, the same bytes for both servers.
const blobs = new Map<number, BlobVariant>();
function blob(mib: number): BlobVariant {
  let v = blobs.get(mib);
  if (!v) blobs.set(mib, (v = new BlobSource(mib * MiB).variant('pull', mib)));
  return v;
}
const LIMITS: Record<number, [number, number]> = { 1: [6000, 20_000], 10: [6000, 3000], 100: [8000, 400] };

function pullScenario(mib: number, concurrency: number): Scenario {
  return {
    name: `pull-blob-${mib}MiB-c${concurrency}`,
    description: `GET of a ${mib} MiB blob, concurrency ${concurrency}; every body verified byte for byte (or by sha256)`,
    unit: 'MB/s',
    countsBytes: true,
    async prepare(ctx) {
      const repo = 'bench/pull';
      const v = blob(mib);
      await ctx.memo(`pull-${mib}`, () => pushMonolithic(ctx.target, repo, v.parts, v.digest));
      // --verify-sha256 hashes every body instead (the load generator then bounds large pulls).
      const expect = ctx.verify === 'compare' ? v.parts : undefined;
      const [durationMs, maxOps] = LIMITS[mib]!;
      return {
        measure: () =>
          runLoad(() => pullBlob(ctx.target, repo, v.digest, v.size, expect), {
            concurrency, warmupOps: concurrency, ...bounds(ctx.quick, durationMs, maxOps),
          }),
      };
    },
  };
}

export function pullScenarios(): Scenario[] {
  return [1, 10, 100].flatMap((mib) => [1, 8].map((c) => pullScenario(mib, c)));
}
