// The registry operations the scenarios are made of, each verifying what the spec promises
// (status codes, Location, Docker-Content-Digest, digests of bytes received).
import { sliceParts } from './blob-source';
import {
  BenchError, expectHeader, expectStatus, locationPath, request, type Reply, type Target,
} from './http';
import { sha256 } from '../test/support/oci';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MANIFEST_ACCEPT = [DOCKER_MANIFEST, OCI_MANIFEST].join(', ');

const OCTET = { 'content-type': 'application/octet-stream' };

export async function startUpload(t: Target, repo: string): Promise<string> {
  const r = await request(t, 'POST', `/v2/${repo}/blobs/uploads/`);
  expectStatus(r, 202, `POST upload ${repo}`);
  return locationPath(t, r, `POST upload ${repo}`);
}

function withDigest(loc: string, digest: string): string {
  return `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

function expectCreated(r: Reply, digest: string, what: string): void {
  expectStatus(r, 201, what);
  expectHeader(r, 'docker-content-digest', digest, what);
}

/** POST → PUT ?digest= with the whole body. */
export async function pushMonolithic(t: Target, repo: string, parts: readonly Buffer[], digest: string): Promise<void> {
  const loc = await startUpload(t, repo);
  const r = await request(t, 'PUT', withDigest(loc, digest), { headers: OCTET, body: parts });
  expectCreated(r, digest, `PUT blob ${repo}`);
}

/** POST → PATCH chunks with Content-Range (inclusive, spec §pushing-a-blob-in-chunks) → PUT ?digest=. */
export async function pushChunked(
  t: Target, repo: string, parts: readonly Buffer[], size: number, digest: string, chunkSize: number,
): Promise<void> {
  let loc = await startUpload(t, repo);
  for (let start = 0; start < size; start += chunkSize) {
    const end = Math.min(size, start + chunkSize);
    const r = await request(t, 'PATCH', loc, {
      headers: { ...OCTET, 'content-range': `${start}-${end - 1}` },
      body: sliceParts(parts, start, end),
    });
    expectStatus(r, 202, `PATCH ${repo} ${start}-${end - 1}`);
    const range = r.headers['range'];
    if (range !== `0-${end - 1}`) throw new BenchError(`PATCH ${repo}: Range ${String(range)}, expected 0-${end - 1}`);
    loc = locationPath(t, r, `PATCH ${repo}`);
  }
  const r = await request(t, 'PUT', withDigest(loc, digest));
  expectCreated(r, digest, `PUT chunked blob ${repo}`);
}

/** HEAD first, as docker does; upload only when the repository lacks the blob. */
export async function ensureBlob(t: Target, repo: string, body: Buffer, digest = sha256(body)): Promise<string> {
  const h = await request(t, 'HEAD', `/v2/${repo}/blobs/${digest}`, { read: 'discard' });
  if (h.status === 200) return digest;
  expectStatus(h, 404, `HEAD blob ${repo}`);
  await pushMonolithic(t, repo, [body], digest);
  return digest;
}

export async function mountBlob(t: Target, repo: string, from: string, digest: string): Promise<void> {
  const r = await request(t, 'POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`);
  expectCreated(r, digest, `mount ${digest} from ${from} into ${repo}`);
}

/**
 * GET a blob and verify every byte: against the known content when `expect` is given (its
 * sha256 is `digest`), else by hashing the body as it streams. Also checks the digest header.
 */
export async function pullBlob(t: Target, repo: string, digest: string, size: number, expect?: readonly Buffer[]): Promise<number> {
  return (await pullBlobReply(t, repo, digest, size, expect)).bytes;
}

/** pullBlob, returning the whole reply (for time to first byte). */
export async function pullBlobReply(t: Target, repo: string, digest: string, size: number, expect?: readonly Buffer[]): Promise<Reply> {
  const what = `GET blob ${repo}@${digest}`;
  const r = await request(t, 'GET', `/v2/${repo}/blobs/${digest}`, expect ? { read: 'compare', expect } : { read: 'sha256' });
  if (r.status !== 200) throw new BenchError(`${what}: status ${r.status}`);
  expectHeader(r, 'docker-content-digest', digest, what);
  if (expect ? r.matches !== true : r.digest !== digest) throw new BenchError(`${what}: received bytes differ from the blob`);
  if (r.bytes !== size) throw new BenchError(`${what}: got ${r.bytes} bytes, expected ${size}`);
  return r;
}

export async function putManifest(t: Target, repo: string, ref: string, body: Buffer, mediaType: string): Promise<string> {
  const digest = sha256(body);
  const r = await request(t, 'PUT', `/v2/${repo}/manifests/${ref}`, { headers: { 'content-type': mediaType }, body });
  expectCreated(r, digest, `PUT manifest ${repo}:${ref}`);
  return digest;
}

/** GET (bytes hashed and compared) or HEAD of a manifest; verifies status and Docker-Content-Digest. */
export async function fetchManifest(t: Target, method: 'GET' | 'HEAD', repo: string, ref: string, digest: string): Promise<number> {
  const r = await request(t, method, `/v2/${repo}/manifests/${ref}`, {
    headers: { accept: MANIFEST_ACCEPT },
    read: method === 'GET' ? 'buffer' : 'discard',
  });
  const what = `${method} manifest ${repo}:${ref}`;
  expectStatus(r, 200, what);
  expectHeader(r, 'docker-content-digest', digest, what);
  if (method === 'GET' && sha256(r.body!) !== digest) throw new BenchError(`${what}: body does not match ${digest}`);
  return r.bytes;
}
