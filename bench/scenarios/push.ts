// Blob push, monolithic (POST → PUT ?digest= with body) and chunked (POST → PATCH 5 MiB chunks
// with Content-Range → PUT ?digest=). Every push is a new digest (see blob-source.ts).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { BlobSource } from '../blob-source';
import { runLoad } from '../load';
import { pushChunked, pushMonolithic } from '../registry-client';
import { bounds, type Scenario } from './types';

const MiB = 1024 * 1024;
export const CHUNK_BYTES = 5 * MiB;

// One source per size, shared by both servers (filling and hashing 100 MiB once, not per run).
const sources = new Map<number, BlobSource>();
function source(size: number): BlobSource {
  let s = sources.get(size);
  if (!s) sources.set(size, (s = new BlobSource(size)));
  return s;
}

/** distribution's layout: blobs/sha256/<2 hex>/<hex>/data. */
export function blobDir(root: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return path.join(root, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex);
}

const LIMITS: Record<number, [number, number]> = { 1: [8000, 2000], 10: [8000, 400], 100: [10_000, 40] };

function pushScenario(mode: 'monolithic' | 'chunked', mib: number, concurrency: number): Scenario {
  const name = `push-${mode}-${mib}MiB-c${concurrency}`;
  return {
    name,
    description: `${mode} push of distinct ${mib} MiB blobs, concurrency ${concurrency}${mode === 'chunked' ? ', 5 MiB PATCHes' : ''}`,
    unit: 'MB/s',
    countsBytes: true,
    async prepare(ctx) {
      const src = source(mib * MiB);
      const repo = `bench/${name.toLowerCase()}`; // repository names are lower-case
      const pushed: string[] = [];
      const [durationMs, maxOps] = LIMITS[mib]!;
      return {
        measure: () =>
          runLoad(async (seq) => {
            const v = src.variant(`${name}-r${ctx.round}`, seq);
            pushed.push(v.digest);
            if (mode === 'monolithic') await pushMonolithic(ctx.target, repo, v.parts, v.digest);
            else await pushChunked(ctx.target, repo, v.parts, v.size, v.digest, CHUNK_BYTES);
            return v.size;
          }, { concurrency, ...bounds(ctx.quick, durationMs, maxOps) }),
        // Reclaims disk behind the server's back; these digests are never requested again.
        cleanup: async () => {
          for (const d of pushed) await rm(blobDir(ctx.server.root, d), { recursive: true, force: true });
        },
      };
    },
  };
}

export function pushScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const mode of ['monolithic', 'chunked'] as const) {
    for (const mib of [1, 10, 100]) {
      for (const c of mib === 10 ? [1] : [1, 4]) out.push(pushScenario(mode, mib, c));
    }
  }
  return out;
}
