// Proxy downloads over plain HTTP read into reused slabs (bulk-get.ts): a slab goes back to the
// pool only when the cache file and the first client are both done with its bytes. Real HTTP on
// loopback: an in-process Berth as the upstream, Berth as the proxy, and clients that stall or go
// away while other pulls take buffers from the same pool, so a slab handed back before the file
// was written shows up as wrong bytes (seen failing with the file's count left out). Leaving out
// the client's count is not seen here: the download waits for a stalled client's writes to drain
// before the file gets the next chunk. Also the hostile answers of a raw TCP upstream, end to end.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { runCleanups, tempDir } from '../support/cleanup';
import { expectError, expectStatus, hexOf, pushBlob, sha256, v2Root } from '../support/oci';
import { sleep } from '../support/processes';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const MiB = 1024 * 1024;
let upstream: TestRegistry;
const open: TestRegistry[] = [];
const servers: Server[] = [];

before(async () => {
  upstream = await startTestRegistry();
});
after(async () => {
  for (const r of open) await r.stop();
  for (const s of servers) s.close();
  await upstream.stop();
  await runCleanups();
});

async function proxyOf(remote: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: ${remote}`] }) });
  open.push(r);
  return r;
}

/** A GET that stops reading for `pauseMs` after every `every` bytes. */
function stallingGet(url: string, every: number, pauseMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let next = every;
      let got = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= next) {
          next += every;
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      res.on('end', () => (res.complete ? resolve(Buffer.concat(chunks)) : reject(new Error('body cut short'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const blobPath = (r: TestRegistry, digest: string) => `${v2Root(r.root)}/blobs/sha256/${hexOf(digest).slice(0, 2)}/${hexOf(digest)}/data`;

test('first clients that stall while other misses reuse slabs each get their own bytes, and so does the cache', async () => {
  const p = await proxyOf(upstream.url);
  const repo = 'lib/slabs';
  // Larger than what loopback's socket buffers hold, so a stalled client leaves writes queued in
  // the proxy, each holding a view of a slab.
  const blobs = Array.from({ length: 4 }, () => randomBytes(12 * MiB));
  const digests = await Promise.all(blobs.map((b) => pushBlob(upstream.url, repo, b)));
  const url = (i: number) => `${p.url}/v2/${repo}/blobs/${digests[i]}`;
  const fetchAll = async (i: number) => {
    const got = Buffer.from(await expectStatus(await fetch(url(i)), 200));
    assert.equal(sha256(got), digests[i], `blob ${i} fetched while another client stalled`);
  };
  // Two first clients stall again and again while two other clients keep pulling (misses at
  // first, then cache hits, which read into the same pool).
  let stalling = true;
  const others = [2, 3].map(async (i) => {
    while (stalling) await fetchAll(i);
  });
  try {
    const got = await Promise.all([0, 1].map((i) => stallingGet(url(i), 512 * 1024, 20)));
    for (const i of [0, 1]) assert.equal(sha256(got[i]!), digests[i], `blob ${i}: the stalled client's bytes`);
  } finally {
    stalling = false;
    await Promise.all(others);
  }
  // Every cached copy is right: served from the cache now (the upstream's copies are gone).
  for (const d of digests) await expectStatus(await fetch(`${upstream.url}/v2/${repo}/blobs/${d}`, { method: 'DELETE' }), 202);
  for (let i = 0; i < blobs.length; i++) {
    const got = Buffer.from(await expectStatus(await fetch(url(i)), 200));
    assert.equal(sha256(got), digests[i], `blob ${i} from the cache`);
  }
});

test('a first client that goes away mid-download: the cache still gets every byte right', async () => {
  const p = await proxyOf(upstream.url);
  const repo = 'lib/gone';
  const blob = randomBytes(20 * MiB);
  const digest = await pushBlob(upstream.url, repo, blob);
  const other = randomBytes(20 * MiB);
  const otherDigest = await pushBlob(upstream.url, repo, other);
  await new Promise<void>((resolve, reject) => {
    const req = request(`${p.url}/v2/${repo}/blobs/${digest}`, { agent: false }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= 2 * MiB) req.destroy();
      });
      res.on('error', () => undefined);
      res.on('close', resolve);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
  // Another miss meanwhile takes slabs from the pool.
  assert.equal(sha256(Buffer.from(await expectStatus(await fetch(`${p.url}/v2/${repo}/blobs/${otherDigest}`), 200))), otherDigest);
  const deadline = Date.now() + 10_000;
  while (!existsSync(blobPath(p, digest)) && Date.now() < deadline) await sleep(50);
  await expectStatus(await fetch(`${upstream.url}/v2/${repo}/blobs/${digest}`, { method: 'DELETE' }), 202);
  const cached = Buffer.from(await expectStatus(await fetch(`${p.url}/v2/${repo}/blobs/${digest}`), 200));
  assert.equal(sha256(cached), digest);
});

test('a hostile upstream answer fails the pull with 503 and caches nothing', async () => {
  const answers: Record<string, string | Buffer> = {
    head: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.alloc(70 * 1024, 'a')]),
    length: 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
    status: 'HTTP/9 200 OK\r\n\r\n',
  };
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (d: Buffer) => {
      const kind = /\/lib\/(\w+)\//.exec(d.toString('latin1'))?.[1] ?? '';
      socket.end(answers[kind] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = await proxyOf(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  const digest = sha256('abcde');
  for (const kind of Object.keys(answers)) {
    await expectError(await fetch(`${p.url}/v2/lib/${kind}/blobs/${digest}`), 503, 'UNAVAILABLE');
    assert.ok(!existsSync(blobPath(p, digest)), `${kind}: nothing cached`);
  }
});

test('an upstream that closes mid-body: the client\'s body is cut, nothing is cached, and the proxy stays up', async () => {
  const size = 4 * MiB;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), randomBytes(MiB)])));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = await proxyOf(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  const digest = sha256(randomBytes(8));
  // Before Berth has answered, the failure is the upstream's: 503. Once the body has started, the
  // client's copy is cut short: never a complete wrong blob.
  await expectError(await fetch(`${p.url}/v2/lib/cut/blobs/${digest}`), 503, 'UNAVAILABLE');
  server.removeAllListeners('connection');
  server.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      setTimeout(() => socket.write(randomBytes(MiB)), 100);
      setTimeout(() => socket.end(), 300);
    });
  });
  const res = await fetch(`${p.url}/v2/lib/cut/blobs/${digest}`);
  assert.equal(res.status, 200);
  await assert.rejects(res.arrayBuffer(), 'the body is cut short, never complete');
  await sleep(200);
  assert.equal((await fetch(`${p.url}/v2/`)).status, 200, 'the proxy is still up');
  assert.ok(!existsSync(blobPath(p, digest)), 'nothing cached');
});

test('a stop waits for a download in flight only so long: an upstream that stalls mid-body does not hold it up, and its connection and upload go', { timeout: 60_000 }, async () => {
  const size = 4 * MiB;
  const upstreamSockets: Socket[] = [];
  const upstreamClosed: Array<Promise<void>> = [];
  const server = createServer((socket) => {
    upstreamSockets.push(socket);
    upstreamClosed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => undefined);
    // The headers and a quarter of the body, then silence (the connection stays open).
    socket.once('data', () => socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), randomBytes(MiB)])));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dataDir = await tempDir('berth-stall-');
  const p = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: http://127.0.0.1:${(server.address() as { port: number }).port}`], dataDir }) });
  const client = new AbortController();
  const res = await fetch(`${p.url}/v2/lib/stall/blobs/${sha256(randomBytes(8))}`, { signal: client.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  assert.ok(((await reader.read()).value?.length ?? 0) > 0, 'the first bytes came through');
  const started = performance.now();
  await p.stop();
  const took = performance.now() - started;
  client.abort();
  assert.ok(took >= 4000 && took < 15_000, `stop took ${took.toFixed(0)} ms: it waits for the download, but not for good`);
  // The process lives on after a stop (the desktop app): the stalled connection must not.
  const closed = await Promise.race([Promise.all(upstreamClosed).then(() => true), sleep(2000).then(() => false)]);
  for (const s of upstreamSockets) s.destroy();
  assert.ok(closed, 'Berth closed its connection to the stalled upstream when it stopped');
  const uploads = `${dataDir}/docker/registry/v2/repositories/lib/stall/_uploads`; // the data folder is the storage root here
  assert.deepEqual(existsSync(uploads) ? await readdir(uploads) : [], [], 'no upload left behind');
});

test('a lying upstream whose first request is a Range: that client gets an error, and the proxy stays up', async () => {
  const truth = randomBytes(2 * MiB);
  const digest = sha256(truth);
  const lie = Buffer.from(truth);
  lie[lie.length - 1]! ^= 0xff;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${lie.length}\r\n\r\n`), lie])));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = await proxyOf(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  // Nobody takes the download's live body: a Range waits for the cached copy, which never comes.
  const res = await fetch(`${p.url}/v2/lib/range/blobs/${digest}`, { headers: { Range: 'bytes=0-9' } });
  assert.ok(res.status >= 400, `status ${res.status}`);
  await res.arrayBuffer();
  await sleep(100);
  await expectStatus(await fetch(`${p.url}/v2/`), 200);
  assert.ok(!existsSync(blobPath(p, digest)));
});
