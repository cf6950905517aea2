// Mixed load: 80% pulls / 20% pushes of small images (config + one 32 KiB layer + manifest),
// concurrency 16, counted in images/s. The pull/push choice is a deterministic function of
// the sequence number, so both servers see the same mix. The soak (bench/soak.ts) runs the
// same load for minutes.
import type { Target } from '../http';
import { pullImage, pushImage, smallImage, type SmallImage } from '../images';
import { runLoad, type Op } from '../load';
import { bounds, type Scenario } from './types';

const POOL = 32;
export const MIXED_CONCURRENCY = 16;

/** mulberry32: a tiny seeded PRNG, so the mix does not depend on Math.random. */
function rand(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Pushes the pool of images the pulls choose from (untimed). */
export async function pushMixedPool(target: Target): Promise<SmallImage[]> {
  const imgs = Array.from({ length: POOL }, (_, i) => smallImage(`mixed-pool-${i}`));
  await runLoad(async (i) => { await pushImage(target, 'mixed/pool', `i${i}`, imgs[i]!); return 0; },
    { concurrency: 8, durationMs: 120_000, maxOps: POOL });
  return imgs;
}

/** One operation of the mix: a pull of a pool image, or (20%) a push of a new one. */
export function mixedOp(target: Target, pool: readonly SmallImage[]): Op {
  return async (seq) => {
    const r = rand(seq);
    if (r < 0.2) {
      await pushImage(target, `mixed/push${seq % 16}`, `s${seq}`, smallImage(`mixed-${target.name}-${seq}`));
      return 0;
    }
    const i = Math.floor(rand(seq + 7919) * POOL);
    await pullImage(target, 'mixed/pool', `i${i}`, pool[i]!);
    return 0;
  };
}

export function mixedScenarios(): Scenario[] {
  const concurrency = MIXED_CONCURRENCY;
  return [{
    name: `mixed-c${concurrency}`,
    description: `80% pull / 20% push of small images, concurrency ${concurrency}; every digest verified`,
    unit: 'images/s',
    async prepare(ctx) {
      const pool = await ctx.memo('mixed-pool', () => pushMixedPool(ctx.target));
      return {
        measure: () => runLoad(mixedOp(ctx.target, pool), { concurrency, warmupOps: concurrency, ...bounds(ctx.quick, 15_000, 200_000) }),
      };
    },
  }];
}
