// Small HTTP helpers for the auth tests: Basic credentials, a chosen client address (the failure
// limiter keys on it), and pushing a tiny image with credentials.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { descriptorOf, json, MT, ociManifest, sha256 } from './oci';

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function send(
  base: string,
  path: string,
  opts: { method?: string; auth?: [string, string]; localAddress?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Reply> {
  const u = new URL(base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) headers.authorization = basic(...opts.auth);
  if (opts.body) headers['content-length'] = String(opts.body.length);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers, agent: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POST + PUT of one blob; returns the response of the first request that was not a success. */
async function pushBlob(base: string, repo: string, bytes: Buffer, auth?: [string, string]): Promise<Reply | undefined> {
  const start = await send(base, `/v2/${repo}/blobs/uploads/`, { method: 'POST', ...(auth ? { auth } : {}) });
  if (start.status !== 202) return start;
  const loc = new URL(String(start.headers.location), base);
  loc.searchParams.set('digest', sha256(bytes));
  const put = await send(base, loc.pathname + loc.search, {
    method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' }, ...(auth ? { auth } : {}),
  });
  return put.status === 201 ? undefined : put;
}

/** Pushes config + one layer + an OCI manifest under `tag`; returns the manifest digest or the failing reply. */
export async function pushTinyImage(base: string, repo: string, tag: string, auth?: [string, string]): Promise<{ digest: string } | Reply> {
  const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(4).toString('hex') });
  const layer = randomBytes(64);
  for (const b of [config, layer]) {
    const failed = await pushBlob(base, repo, b, auth);
    if (failed) return failed;
  }
  const manifest = ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)]);
  const put = await send(base, `/v2/${repo}/manifests/${tag}`, {
    method: 'PUT', body: manifest, headers: { 'content-type': MT.ociManifest }, ...(auth ? { auth } : {}),
  });
  return put.status === 201 ? { digest: sha256(manifest) } : put;
}

export function errorCode(r: Reply): string | undefined {
  try {
    return (JSON.parse(r.body) as { errors: Array<{ code: string }> }).errors[0]?.code;
  } catch {
    return undefined;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
