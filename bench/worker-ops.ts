// Operations that can run in load-worker processes, built from serialisable parameters.
// Scenarios use the same factories in-process, so both paths verify identically.
import type { Target } from './http';
import type { Op } from './load';
import { fetchManifest, pullBlob } from './registry-client';
import { expectHeader, expectStatus, request } from './http';

export interface ManifestFetchParams { method: 'GET' | 'HEAD'; repo: string; ref: string; digest: string }
export interface BlobHeadParams { repo: string; digest: string; size: number }
export interface BlobGetParams { repo: string; digest: string; size: number }

export const workerOps = {
  'manifest-fetch': (t: Target, p: ManifestFetchParams): Op => () => fetchManifest(t, p.method, p.repo, p.ref, p.digest),
  'blob-head': (t: Target, p: BlobHeadParams): Op => async () => {
    const r = await request(t, 'HEAD', `/v2/${p.repo}/blobs/${p.digest}`, { read: 'discard' });
    expectStatus(r, 200, `HEAD blob ${p.repo}`);
    expectHeader(r, 'docker-content-digest', p.digest, `HEAD blob ${p.repo}`);
    expectHeader(r, 'content-length', String(p.size), `HEAD blob ${p.repo}`);
    return 0;
  },
  'blob-get': (t: Target, p: BlobGetParams): Op => () => pullBlob(t, p.repo, p.digest, p.size),
} as const;

export type WorkerOpName = keyof typeof workerOps;

export function buildOp(t: Target, name: string, params: unknown): Op {
  const make = (workerOps as Record<string, (t: Target, p: never) => Op>)[name];
  if (!make) throw new Error(`unknown worker op ${name}`);
  return make(t, params as never);
}
