// Shared pieces of the property-based (fast-check) bad-input tests: an in-process registry whose
// unexpected errors are recorded, a sentinel directory beside its root, byte-exact requests over
// raw sockets, and the property every answer must have (success, or the OCI error envelope with
// a spec code and a sensible status, or a bare refusal from Node's HTTP parser).
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { parseConfig } from '../../main/config/load';
import type { Logger } from '../../main/lib/logger';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { JOURNAL_DIR } from '../../main/registry/storage/driver/filesystem';
import { SEGMENT_NAME } from '../../main/registry/storage/driver/write-journal';
import { tempDir } from './cleanup';
import { testRegistryYaml } from './registry-yaml';

/** Every error code of the distribution spec (code-1 … code-14) plus distribution's UNKNOWN/UNAVAILABLE. */
export const SPEC_CODES = new Set([
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED',
  'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS', 'RANGE_INVALID', 'TAG_INVALID', 'PAGINATION_NUMBER_INVALID',
  'UNKNOWN', 'UNAVAILABLE',
]);

/** The spec's name grammar, written out again here so the tests do not trust the server's copy. */
export const SPEC_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const SPEC_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const VERIFIABLE_DIGEST = /^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

export interface FuzzRegistry {
  url: string;
  /** The temp dir holding `data/` (the storage root) and `sentinel/` beside it. */
  dir: string;
  dataDir: string;
  registry: RunningRegistry;
  /** Lines the server logged at error level: every one is an unexpected (500-class) failure. */
  errors: string[];
  stop(): Promise<void>;
}

function recordingLogger(errors: string[]): Logger {
  const log: Logger = {
    error: (msg, fields) => void errors.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    warn() {}, info() {}, debug() {},
    child: () => log,
  };
  return log;
}

/** Starts a registry on `<tmp>/data` with `<tmp>/sentinel` beside it; `extra` is more top-level YAML. */
export async function startFuzzRegistry(extra: string[] = []): Promise<FuzzRegistry> {
  const dir = await tempDir('berth-fuzz-');
  const dataDir = join(dir, 'data');
  await mkdir(join(dir, 'sentinel', 'docker', 'registry', 'v2'), { recursive: true });
  await writeFile(join(dir, 'sentinel', 'data'), 'sentinel');
  await writeFile(join(dir, 'sentinel', 'docker', 'registry', 'v2', 'link'), 'sentinel');
  const yaml = testRegistryYaml(dir, { dataDir, extra });
  const { config } = parseConfig(yaml, { env: {}, source: 'fuzz' });
  const errors: string[] = [];
  const registry = await startRegistry({ config, log: recordingLogger(errors) });
  return {
    url: `http://127.0.0.1:${registry.address.port}`,
    dir, dataDir, registry, errors,
    async stop() {
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every file and directory under `dir` except `skip` (relative names), with sizes and contents' lengths. */
export async function snapshot(dir: string, skip: string[] = []): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip.includes(rel)) continue;
      if (e.isDirectory()) {
        out.push(`${rel}/`);
        await walk(p);
      } else {
        out.push(`${rel} ${(await stat(p)).size} ${(await readFile(p)).toString('base64')}`);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Files under the storage root that are not where distribution's layout puts them: everything
 * must live under docker/registry/v2/{blobs,repositories}, and every repository directory must
 * be a valid name. An empty list means nothing escaped the layout.
 */
export async function layoutViolations(dataDir: string): Promise<string[]> {
  const bad: string[] = [];
  const walk = async (d: string, check: (rel: string) => boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (!check(relative(dataDir, p))) bad.push(relative(dataDir, p));
      if (e.isDirectory()) await walk(p, check);
    }
  };
  await walk(dataDir, (rel) => {
    if (['docker', 'docker/registry', 'docker/registry/v2'].includes(rel)) return true;
    // The write journal's folder and its segments.
    if (rel === JOURNAL_DIR || (rel.startsWith(`${JOURNAL_DIR}/`) && SEGMENT_NAME.test(rel.slice(JOURNAL_DIR.length + 1)))) return true;
    const m = /^docker\/registry\/v2\/(blobs|repositories)(?:\/(.*))?$/.exec(rel);
    if (!m) return false;
    if (m[1] === 'blobs' || m[2] === undefined) return true;
    // repositories/<name components…>/_layers|_manifests|_uploads/…
    const parts = m[2].split('/');
    const i = parts.findIndex((p) => p.startsWith('_'));
    const name = (i === -1 ? parts : parts.slice(0, i)).join('/');
    return SPEC_NAME.test(name) && (i === -1 || ['_layers', '_manifests', '_uploads'].includes(parts[i]!));
  });
  return bad;
}

// --- raw exchanges ---------------------------------------------------------------------------

export interface Exchange {
  /** undefined when the server closed the connection without answering. */
  status: number | undefined;
  headers: Record<string, string>;
  body: Buffer;
  raw: string;
  /** The request's method (a HEAD answer has no body to check). */
  method?: string;
}

/**
 * Sends exact bytes on a fresh connection and reads the first response. With `halfClose` the
 * client ends its side after writing (a truncated body looks like that); otherwise it waits for
 * the server to answer (requests carry `Connection: close`, so the server closes after it).
 */
export function exchange(url: string, data: Uint8Array, opts: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<Exchange> {
  const u = new URL(url);
  const method = Buffer.from(data.subarray(0, 16)).toString('latin1').split(' ')[0];
  return new Promise((resolve, reject) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...parseResponse(Buffer.concat(chunks)), method });
    };
    const timer = setTimeout(finish, opts.timeoutMs ?? 10_000);
    sock.on('connect', () => {
      if (opts.halfClose) sock.end(data);
      else sock.write(data);
    });
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      // A complete response (head + Content-Length bytes) is enough; no need to wait for close.
      const r = parseResponse(Buffer.concat(chunks));
      if (r.status !== undefined && r.complete) finish();
    });
    sock.on('close', finish);
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return; // close follows
      if (!settled) { settled = true; clearTimeout(timer); reject(err); }
    });
  });
}

function parseResponse(buf: Buffer): Exchange & { complete: boolean } {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: undefined, headers: {}, body: Buffer.alloc(0), raw: text, complete: false };
  const lines = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = buf.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
  const complete = len !== undefined ? body.length >= len : false;
  return { status: m ? Number(m[1]) : undefined, headers, body: len !== undefined ? body.subarray(0, len) : body, raw: text, complete };
}

/** An HTTP/1.1 request as bytes: the target and header values are sent exactly as given. */
export function requestBytes(method: string, target: string, headers: Array<[string, string]>, body?: Uint8Array): Buffer {
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return Buffer.concat([Buffer.from(head + '\r\n\r\n', 'latin1'), Buffer.from(body ?? [])]);
}

// --- the property ------------------------------------------------------------------------------

export interface Tally {
  cases: number;
  byStatus: Map<number | 'none', number>;
  /** Responses from Node's parser (no registry headers): malformed requests refused before routing. */
  parserRefusals: number;
}

export function newTally(): Tally {
  return { cases: 0, byStatus: new Map(), parserRefusals: 0 };
}

export function count(t: Tally, status: number | undefined): void {
  t.cases++;
  const k = status ?? 'none';
  t.byStatus.set(k, (t.byStatus.get(k) ?? 0) + 1);
}

export function describeTally(name: string, t: Tally): string {
  const statuses = [...t.byStatus.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([s, n]) => `${s}×${n}`).join(' ');
  return `${name}: ${t.cases} cases (${statuses}; ${t.parserRefusals} refused by the HTTP parser)`;
}

/**
 * The property every response must have. Success (< 400) passes. An error from the registry
 * carries `Docker-Distribution-API-Version` and must be the OCI envelope with a spec code and a
 * 4xx status (507 only for a full disk). An error without that header came from Node's HTTP
 * parser, which refuses a malformed request before routing: 400, 408 or 431, no body needed.
 * Returns the first error code, if any.
 */
export function assertSane(
  r: Exchange | { status: number; headers: Record<string, string>; body: Buffer; method?: string },
  what: string,
  t?: Tally,
): string | undefined {
  const status = r.status;
  assert.ok(status !== undefined, `${what}: no response (${JSON.stringify((r as Exchange).raw?.slice(0, 200))})`);
  assert.notEqual(status, 500, `${what}: 500 ${r.body.toString('utf8')}`);
  if (status < 400) return undefined;
  if (r.headers['docker-distribution-api-version'] === undefined) {
    assert.ok([400, 408, 431].includes(status), `${what}: parser refusal with status ${status}`);
    if (t) t.parserRefusals++;
    return undefined;
  }
  assert.ok((status >= 400 && status < 500) || status === 507, `${what}: status ${status}`);
  if (r.method === 'HEAD') return undefined; // the envelope is not sent, only its headers
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, `${what}: error without JSON content type`);
  let env: { errors?: Array<{ code?: unknown; message?: unknown }> };
  try {
    env = JSON.parse(r.body.toString('utf8')) as typeof env;
  } catch {
    assert.fail(`${what}: error body is not JSON: ${r.body.toString('utf8').slice(0, 200)}`);
  }
  assert.ok(Array.isArray(env.errors) && env.errors.length > 0, `${what}: no errors[] in ${r.body.toString('utf8')}`);
  for (const e of env.errors) {
    assert.ok(typeof e.code === 'string' && SPEC_CODES.has(e.code), `${what}: code ${String(e.code)} is not a spec code`);
    assert.equal(typeof e.message, 'string', `${what}: message missing`);
  }
  return env.errors[0]!.code as string;
}

/** The server still answers its base endpoint, and has logged no unexpected failure. */
export async function assertAlive(reg: FuzzRegistry, what: string): Promise<void> {
  const res = await fetch(`${reg.url}/v2/`, { signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  assert.equal(res.status, 200, `${what}: GET /v2/ answered ${res.status}`);
  assert.equal(reg.errors.length, 0, `${what}: the server logged ${reg.errors.length} unexpected errors, first: ${reg.errors.slice(0, 2).join('\n')}`);
}

/** Headers of a fetch Response as a plain lower-cased record, for assertSane. */
export async function fromFetch(res: Response): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => { headers[k] = v; });
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}
