// Plain HTTP looks at a registry from the tests, to check what the clients stored (media
// types, digests, layer counts) without trusting the client that did the storing.
import { sha256 } from './oci';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface FetchedManifest {
  status: number;
  contentType: string;
  /** Docker-Content-Digest header. */
  digest: string;
  body: Buffer;
  /** sha256 of the body as received. */
  bodyDigest: string;
  json: { mediaType?: string; layers?: unknown[]; manifests?: unknown[] };
}

export async function fetchManifest(registryUrl: string, repo: string, reference: string): Promise<FetchedManifest> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET manifest ${repo}:${reference} → ${res.status}: ${body.toString('utf8')}`);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    digest: res.headers.get('docker-content-digest') ?? '',
    body,
    bodyDigest: sha256(body),
    json: JSON.parse(body.toString('utf8')) as FetchedManifest['json'],
  };
}

export async function fetchTags(registryUrl: string, repo: string): Promise<string[]> {
  const res = await fetch(`${registryUrl}/v2/${repo}/tags/list`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET tags of ${repo} → ${res.status}: ${text}`);
  return ((JSON.parse(text) as { tags: string[] | null }).tags ?? []).sort();
}
