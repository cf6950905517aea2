// Small OCI/Docker building blocks for the HTTP-level API tests: digests, blob and image
// pushes over the plain registry API, manifest/index/artifact builders, raw node:http requests
// (for bodies and paths fetch would normalise), and assertions on the error envelope.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export const ALL_MANIFEST_TYPES = [MT.ociIndex, MT.ociManifest, MT.dockerList, MT.dockerManifest].join(', ');

/** The OCI empty descriptor's content: exactly `{}` (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
export const EMPTY_JSON = Buffer.from('{}');

export function sha256(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

export function descriptorOf(mediaType: string, bytes: Uint8Array, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.byteLength, ...extra };
}

// --- requests -------------------------------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A request with exact control: the path is sent as given (no `..` normalisation), headers
 * are sent as given (Content-Length may lie), and the body may be written in several pieces.
 */
export function raw(
  baseUrl: string,
  opts: {
    method?: string; path: string; headers?: Record<string, string | number>; body?: Uint8Array | Uint8Array[];
    /** Source address of the connection (another 127.x address is another client). */
    localAddress?: string;
  },
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      method: opts.method ?? 'GET',
      path: opts.path,
      headers: opts.headers ?? {},
      agent: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const parts = opts.body === undefined ? [] : Array.isArray(opts.body) ? opts.body : [opts.body];
    for (const p of parts) req.write(p);
    req.end();
  });
}

/**
 * Writes raw bytes on a fresh TCP connection, half-closes it, and returns whatever the server
 * answers before closing (possibly nothing). For requests no HTTP client would send, such as a
 * body shorter than its Content-Length.
 */
export function rawSocket(baseUrl: string, data: Uint8Array, timeoutMs = 5000): Promise<string> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.end(data));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return; // the close event follows
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function headerOf(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

interface ErrorEnvelope { errors: Array<{ code: string; message: string; detail?: unknown }> }

/** Asserts an OCI error envelope with the given status and first error code. */
export async function expectError(res: Response | RawResponse, status: number, code: string): Promise<ErrorEnvelope> {
  const text = res instanceof Response ? await res.text() : res.body.toString('utf8');
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${text}`);
  const ct = res instanceof Response ? res.headers.get('content-type') : headerOf(res, 'content-type');
  assert.match(ct ?? '', /^application\/json/);
  const env = JSON.parse(text) as ErrorEnvelope;
  assert.ok(Array.isArray(env.errors) && env.errors.length > 0, `no errors in ${text}`);
  assert.equal(env.errors[0]!.code, code, text);
  assert.equal(typeof env.errors[0]!.message, 'string');
  return env;
}

/** Asserts a response that is not an error (and drains it); returns the body. */
export async function expectStatus(res: Response, status: number): Promise<Buffer> {
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${body.toString('utf8')}`);
  assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  return body;
}

/**
 * fetch's BodyInit wants bytes over a plain ArrayBuffer; Node's Buffers are typed over
 * ArrayBufferLike though they never use a SharedArrayBuffer here.
 */
export function bodyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

// --- pushes ---------------------------------------------------------------------------------

/** Opens an upload session and returns its absolute Location. */
export async function startUpload(url: string, repo: string): Promise<string> {
  const res = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(res, 202);
  return new URL(res.headers.get('location')!, url).toString();
}

/** Appends `?digest=` (or `&digest=`) to an upload Location. */
export function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** Pushes a blob with POST + PUT (the portable monolithic form) and returns its digest. */
export async function pushBlob(url: string, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const loc = await startUpload(url, repo);
  const res = await fetch(withDigest(loc, digest), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bodyOf(bytes),
  });
  await expectStatus(res, 201);
  return digest;
}

export async function putManifest(url: string, repo: string, ref: string, bytes: Uint8Array, mediaType: string): Promise<Response> {
  return fetch(`${url}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: bodyOf(bytes) });
}

// --- manifest builders ----------------------------------------------------------------------

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function ociManifest(config: Descriptor, layers: Descriptor[], extra: { subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> } = {}): Buffer {
  return json({ schemaVersion: 2, mediaType: MT.ociManifest, ...(extra.artifactType ? { artifactType: extra.artifactType } : {}), config, layers, ...(extra.subject ? { subject: extra.subject } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) });
}

export function dockerManifest(config: Descriptor, layers: Descriptor[]): Buffer {
  return json({ schemaVersion: 2, mediaType: MT.dockerManifest, config, layers });
}

export function ociIndex(manifests: Descriptor[], extra: { subject?: Descriptor; artifactType?: string } = {}): Buffer {
  return json({ schemaVersion: 2, mediaType: MT.ociIndex, ...(extra.artifactType ? { artifactType: extra.artifactType } : {}), manifests, ...(extra.subject ? { subject: extra.subject } : {}) });
}

export function dockerList(manifests: Descriptor[]): Buffer {
  return json({ schemaVersion: 2, mediaType: MT.dockerList, manifests });
}

export interface PushedImage {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  descriptor: Descriptor;
  config: { bytes: Buffer; digest: string };
  layers: Array<{ bytes: Buffer; digest: string }>;
}

/**
 * Pushes a config and `layerCount` random layers, then the manifest (OCI by default) under
 * `ref` (a tag, or the manifest's digest when `ref` is omitted).
 */
export async function pushImage(
  url: string,
  repo: string,
  ref?: string,
  opts: { layerCount?: number; layerSize?: number; docker?: boolean; platform?: { os: string; architecture: string } } = {},
): Promise<PushedImage> {
  const docker = opts.docker ?? false;
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = json({ architecture: platform.architecture, os: platform.os, rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') });
  const layers = Array.from({ length: opts.layerCount ?? 2 }, () => randomBytes(opts.layerSize ?? 1024));
  await pushBlob(url, repo, config);
  for (const l of layers) await pushBlob(url, repo, l);
  const configDesc = descriptorOf(docker ? MT.dockerConfig : MT.ociConfig, config);
  const layerDescs = layers.map((l) => descriptorOf(docker ? MT.dockerLayer : MT.ociLayer, l));
  const mediaType = docker ? MT.dockerManifest : MT.ociManifest;
  const manifest = docker ? dockerManifest(configDesc, layerDescs) : ociManifest(configDesc, layerDescs);
  const digest = sha256(manifest);
  await expectStatus(await putManifest(url, repo, ref ?? digest, manifest, mediaType), 201);
  return {
    manifest, digest, mediaType,
    descriptor: descriptorOf(mediaType, manifest, { platform }),
    config: { bytes: config, digest: configDesc.digest },
    layers: layers.map((bytes) => ({ bytes, digest: sha256(bytes) })),
  };
}

/**
 * Pushes an OCI 1.1 artifact referring to `subject`: empty config (`{}` as
 * application/vnd.oci.empty.v1+json), one small layer, and an artifactType.
 */
export async function pushArtifact(
  url: string,
  repo: string,
  subject: Descriptor,
  artifactType: string,
  opts: { annotations?: Record<string, string>; viaConfigMediaType?: boolean; tag?: string } = {},
): Promise<{ manifest: Buffer; digest: string; response: Response }> {
  await pushBlob(url, repo, EMPTY_JSON);
  const payload = Buffer.from(`payload for ${artifactType} ${randomBytes(4).toString('hex')}`);
  await pushBlob(url, repo, payload);
  // The older form (image-spec 1.1 rc): no artifactType, the type is the config's media type.
  const manifest = opts.viaConfigMediaType
    ? ociManifest(descriptorOf(artifactType, EMPTY_JSON), [descriptorOf('application/octet-stream', payload)], { subject, ...(opts.annotations ? { annotations: opts.annotations } : {}) })
    : ociManifest(descriptorOf(MT.ociEmpty, EMPTY_JSON), [descriptorOf('application/octet-stream', payload)], { subject, artifactType, ...(opts.annotations ? { annotations: opts.annotations } : {}) });
  const digest = sha256(manifest);
  if (opts.viaConfigMediaType) await pushBlob(url, repo, EMPTY_JSON); // same bytes, same digest
  const response = await putManifest(url, repo, opts.tag ?? digest, manifest, MT.ociManifest);
  return { manifest, digest, response };
}

// --- registry config and disk -----------------------------------------------------------------

/** distribution's layout root inside the default test data directory. */
export function v2Root(root: string): string {
  return `${root}/data/docker/registry/v2`;
}

export function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}
