// Slow and stalled clients cannot pin the server: connections that send nothing, stop in the
// middle of their headers, trickle headers forever (slowloris), or stall in the middle of a body
// are closed by berth.http.headerstimeout / berth.http.idletimeout, while normal clients keep
// being served promptly the whole time.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFuzzRegistry, type FuzzRegistry } from '../support/fuzz';
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { pushImage, sha256 } from '../support/oci';

const HEADERS_TIMEOUT_MS = 1_000;
const IDLE_TIMEOUT_MS = 2_000;

interface Stalled {
  kind: string;
  sock: Socket;
  opened: number;
  closedAfter?: number;
  received: string;
  timer?: NodeJS.Timeout;
}

function open(url: string, kind: string, onConnect: (s: Stalled) => void): Promise<Stalled> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    const s: Stalled = { kind, sock, opened: Date.now(), received: '' };
    sock.on('data', (c: Buffer) => { s.received += c.toString('latin1'); });
    sock.on('close', () => { s.closedAfter = Date.now() - s.opened; clearInterval(s.timer); });
    sock.on('error', () => undefined);
    sock.once('connect', () => { onConnect(s); resolve(s); });
    sock.once('error', reject);
  });
}

describe('slow clients', () => {
  let reg: FuzzRegistry;
  before(async () => {
    reg = await startFuzzRegistry(['berth:', '  http:', `    headerstimeout: ${HEADERS_TIMEOUT_MS}ms`, `    idletimeout: ${IDLE_TIMEOUT_MS}ms`]);
  });
  after(async () => { await reg.stop(); });

  it('stalled connections are closed by the timeouts while normal clients are served', async () => {
    const base = await new Promise<number>((r) => reg.registry.server.getConnections((_, n) => r(n)));
    const post = await fetch(`${reg.url}/v2/slow/blobs/uploads/`, { method: 'POST' });
    await post.arrayBuffer();
    const uploadPath = new URL(post.headers.get('location')!, reg.url).pathname;

    const stalled: Stalled[] = [];
    for (let i = 0; i < 10; i++) {
      stalled.push(await open(reg.url, 'silent', () => undefined));
      stalled.push(await open(reg.url, 'partial headers', (s) => s.sock.write('GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ')));
      stalled.push(await open(reg.url, 'slowloris', (s) => {
        s.sock.write('GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        let n = 0;
        s.timer = setInterval(() => { if (!s.sock.destroyed) s.sock.write(`X-Drip-${n++}: 1\r\n`); }, 200);
      }));
      stalled.push(await open(reg.url, 'stalled body', (s) => s.sock.write(
        `PATCH ${uploadPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(10)}`)));
      stalled.push(await open(reg.url, 'idle keep-alive', (s) => s.sock.write('GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
    }

    // Normal clients, meanwhile: pushes and pulls, each answered promptly.
    let served = 0;
    let slowest = 0;
    const deadline = Date.now() + IDLE_TIMEOUT_MS + 3_000;
    while (Date.now() < deadline) {
      const t0 = Date.now();
      const img = await pushImage(reg.url, 'slow/normal', `t${served}`, { layerCount: 1 });
      const res = await fetch(`${reg.url}/v2/slow/normal/blobs/${img.layers[0]!.digest}`);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), img.layers[0]!.digest);
      slowest = Math.max(slowest, Date.now() - t0);
      served++;
    }
    assert.ok(served > 5, `only ${served} normal push+pull rounds completed`);
    assert.ok(slowest < 1_000, `a normal push+pull took ${slowest} ms while stalled clients were connected`);

    // Node checks the headers timeout every headerstimeout/2, so allow one check interval plus slack.
    const bound: Record<string, number> = {
      silent: HEADERS_TIMEOUT_MS * 1.5 + 1_000,
      'partial headers': HEADERS_TIMEOUT_MS * 1.5 + 1_000,
      slowloris: HEADERS_TIMEOUT_MS * 1.5 + 1_000,
      'stalled body': IDLE_TIMEOUT_MS + 1_000,
      // Node adds a second of grace to keep-alive sockets.
      'idle keep-alive': IDLE_TIMEOUT_MS + 2_000,
    };
    const summary = new Map<string, number[]>();
    for (const s of stalled) {
      assert.ok(s.closedAfter !== undefined, `a ${s.kind} connection is still open after ${Date.now() - s.opened} ms`);
      assert.ok(s.closedAfter <= bound[s.kind]!, `a ${s.kind} connection was closed only after ${s.closedAfter} ms`);
      summary.set(s.kind, [...(summary.get(s.kind) ?? []), s.closedAfter]);
      if (s.kind === 'partial headers' || s.kind === 'slowloris') assert.match(s.received, /^HTTP\/1\.1 408 /, `${s.kind}: ${s.received.slice(0, 40)}`);
      if (s.kind === 'idle keep-alive') assert.match(s.received, /^HTTP\/1\.1 200 /);
    }
    for (const [kind, ms] of summary) process.stdout.write(`# ${kind}: ${ms.length} closed after ${Math.min(...ms)}–${Math.max(...ms)} ms\n`);
    process.stdout.write(`# normal clients: ${served} push+pull rounds, slowest ${slowest} ms\n`);

    const now = await new Promise<number>((r) => reg.registry.server.getConnections((_, n) => r(n)));
    assert.ok(now <= base + 2, `${now} connections still open (were ${base})`);
    // The stalled chunk left its 10 bytes in the upload, which stays resumable.
    const status = await fetch(`${reg.url}${uploadPath}`);
    await status.arrayBuffer();
    assert.equal(status.status, 204);
    assert.deepEqual(reg.errors, []);
  });
});

// berth.http.minbodyrate: the idle timeout never fires on a body that trickles a byte at a
// time, so a body that averages below the minimum over the window is cut, with a 408 envelope.
// A body at any rate above it is never cut, however long it takes.
const MIN_RATE = 1024;
const RATE_WINDOW_MS = 2_000;

/** Sends `total` bytes as a PATCH body in `piece`-byte writes every `everyMs`; resolves with the status and digest sent. */
function paceUpload(url: string, path: string, total: number, piece: number, everyMs: number): Promise<{ status: number; body: string; digest: string; ms: number }> {
  const u = new URL(url);
  const hash = createHash('sha256');
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname, port: u.port, method: 'PATCH', path, agent: false,
      headers: { 'content-type': 'application/octet-stream', 'content-length': total },
    }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, digest: `sha256:${hash.digest('hex')}`, ms: Date.now() - t0 }));
    });
    req.on('error', reject);
    let sent = 0;
    const timer = setInterval(() => {
      const n = Math.min(piece, total - sent);
      const chunk = randomBytes(n);
      hash.update(chunk);
      req.write(chunk);
      sent += n;
      if (sent >= total) { clearInterval(timer); req.end(); }
    }, everyMs);
  });
}

describe('minimum body rate', () => {
  let reg: FuzzRegistry;
  before(async () => {
    reg = await startFuzzRegistry(['berth:', '  http:', '    idletimeout: 30s', `    minbodyrate: ${MIN_RATE}`, `    minbodyratewindow: ${RATE_WINDOW_MS}ms`]);
  });
  after(async () => { await reg.stop(); });

  const startUpload = async (repo: string): Promise<string> => {
    const post = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await post.arrayBuffer();
    assert.equal(post.status, 202);
    return new URL(post.headers.get('location')!, reg.url).pathname;
  };

  it('cuts a body sent at one byte per second within the window, while steady uploads above the rate complete', async () => {
    const loris: Stalled[] = [];
    const lorisPaths: string[] = [];
    for (let i = 0; i < 3; i++) {
      const path = await startUpload('rate/loris');
      lorisPaths.push(path);
      loris.push(await open(reg.url, 'trickle', (s) => {
        s.sock.write(`PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`);
        s.timer = setInterval(() => { if (!s.sock.destroyed) s.sock.write('x'); }, 1_000);
      }));
    }
    // Meanwhile: 5 MB at about 1 MB/s, and 18 KiB at 3 KiB/s (slow, but three times the minimum).
    const bigPath = await startUpload('rate/big');
    const [big, slow] = await Promise.all([
      paceUpload(reg.url, bigPath, 5 * 1024 * 1024, 64 * 1024, 60),
      paceUpload(reg.url, await startUpload('rate/slow'), 18 * 1024, 300, 100),
    ]);
    assert.equal(big.status, 202, big.body);
    assert.equal(slow.status, 202, slow.body);
    const commit = await fetch(`${reg.url}${bigPath}?digest=${big.digest}`, { method: 'PUT' });
    await commit.arrayBuffer();
    assert.equal(commit.status, 201, 'the 5 MB upload holds exactly the bytes sent');
    assert.ok(big.ms > RATE_WINDOW_MS * 1.5 && slow.ms > RATE_WINDOW_MS * 2, `the paced uploads spanned several windows (${big.ms} ms, ${slow.ms} ms)`);

    // The check runs every window/10; then the dispatcher drains for up to 5 s before closing.
    const bound = RATE_WINDOW_MS * 1.2 + 5_000 + 1_500;
    const deadline = Date.now() + bound;
    while (loris.some((s) => s.closedAfter === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const s of loris) {
      assert.ok(s.closedAfter !== undefined, `a trickling body is still open after ${Date.now() - s.opened} ms`);
      assert.ok(s.closedAfter <= bound, `a trickling body was closed only after ${s.closedAfter} ms`);
      assert.match(s.received, /^HTTP\/1\.1 408 /, s.received.slice(0, 80));
      assert.match(s.received, /"code":"UNKNOWN".*berth\.http\.minbodyrate/);
    }
    process.stdout.write(`# trickling bodies closed after ${loris.map((s) => s.closedAfter).join(', ')} ms; 5 MB in ${big.ms} ms, 18 KiB in ${slow.ms} ms\n`);

    // A cut upload keeps the bytes that arrived and stays resumable.
    for (const path of lorisPaths) {
      const status = await fetch(`${reg.url}${path}`);
      await status.arrayBuffer();
      assert.equal(status.status, 204);
      assert.match(status.headers.get('range') ?? '', /^0-\d+$/);
    }
    assert.deepEqual(reg.errors, []);
  });
});
