// end-2 (GET/HEAD) on blobs: streamed bodies, Range (206/416), the headers clients rely on,
// and repository isolation (a blob is served only where it is linked).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { expectError, expectStatus, hexOf, pushBlob, sha256, startUpload, v2Root, withDigest } from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

function blobUrl(url: string, repo: string, digest: string): string {
  return `${url}/v2/${repo}/blobs/${digest}`;
}

describe('blobs', () => {
  let reg: TestRegistry;
  const data = randomBytes(1000);
  let digest: string;
  before(async () => {
    reg = await startTestRegistry();
    digest = await pushBlob(reg.url, 'blob/repo', data);
  });
  after(async () => { await reg.stop(); });

  it('GET serves the bytes with Content-Length, Docker-Content-Digest, ETag and octet-stream', async () => {
    const res = await fetch(blobUrl(reg.url, 'blob/repo', digest));
    assert.ok((await expectStatus(res, 200)).equals(data));
    assert.equal(res.headers.get('content-length'), '1000');
    assert.equal(res.headers.get('docker-content-digest'), digest);
    assert.equal(res.headers.get('etag'), `"${digest}"`);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
  });

  it('HEAD answers the same headers and no body', async () => {
    const res = await fetch(blobUrl(reg.url, 'blob/repo', digest), { method: 'HEAD' });
    assert.equal((await expectStatus(res, 200)).length, 0);
    assert.equal(res.headers.get('content-length'), '1000');
    assert.equal(res.headers.get('docker-content-digest'), digest);
    assert.equal(res.headers.get('etag'), `"${digest}"`);
  });

  it('Range requests answer 206 with Content-Range', async () => {
    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=10-19', 10, 19],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=500-5000', 500, 999], // an end past the blob is clamped
      ['bytes=999-999', 999, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(blobUrl(reg.url, 'blob/repo', digest), { headers: { Range: range } });
      const body = await expectStatus(res, 206);
      assert.ok(body.equals(data.subarray(start, end + 1)), range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/1000`, range);
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
      assert.equal(res.headers.get('docker-content-digest'), digest);
    }
    const head = await fetch(blobUrl(reg.url, 'blob/repo', digest), { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get('content-length'), '10');
  });

  it('an unsatisfiable Range is 416 with Content-Range: bytes */size', async () => {
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0', 'bytes=20-10']) {
      const res = await fetch(blobUrl(reg.url, 'blob/repo', digest), { headers: { Range: range } });
      await expectError(res, 416, 'RANGE_INVALID');
      assert.equal(res.headers.get('content-range'), 'bytes */1000', range);
    }
  });

  it('If-None-Match with the digest answers 304', async () => {
    const res = await fetch(blobUrl(reg.url, 'blob/repo', digest), { headers: { 'If-None-Match': `"${digest}"` } });
    assert.equal(res.status, 304);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('Docker-Content-Digest is on every answer that serves the blob: 200, 206 and 304, GET and HEAD', async () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['GET', {}, 200], ['HEAD', {}, 200], ['GET', { Range: 'bytes=5-9' }, 206], ['HEAD', { Range: 'bytes=5-9' }, 206],
      ['GET', { Range: 'bytes=-3' }, 206], ['GET', { 'If-None-Match': `"${digest}"` }, 304], ['HEAD', { 'If-None-Match': `"${digest}"` }, 304],
    ];
    for (const [method, headers, status] of cases) {
      const res = await fetch(blobUrl(reg.url, 'blob/repo', digest), { method, headers });
      await res.arrayBuffer();
      assert.equal(res.status, status, `${method} ${JSON.stringify(headers)}`);
      assert.equal(res.headers.get('docker-content-digest'), digest, `${method} ${JSON.stringify(headers)}`);
    }
  });

  it('an unknown blob is 404 BLOB_UNKNOWN (HEAD: 404 with no body)', async () => {
    const unknown = sha256('nothing');
    await expectError(await fetch(blobUrl(reg.url, 'blob/repo', unknown)), 404, 'BLOB_UNKNOWN');
    await expectError(await fetch(blobUrl(reg.url, 'never/pushed', unknown)), 404, 'BLOB_UNKNOWN');
    const head = await fetch(blobUrl(reg.url, 'blob/repo', unknown), { method: 'HEAD' });
    assert.equal(head.status, 404);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('a blob is served only by repositories it is linked in', async () => {
    await expectError(await fetch(blobUrl(reg.url, 'blob/other', digest)), 404, 'BLOB_UNKNOWN');
  });

  it('a malformed digest in the URL is 400 DIGEST_INVALID', async () => {
    for (const bad of ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`, `sha256:${'a'.repeat(63)}g`, 'latest', `sha256:${'a'.repeat(65)}`]) {
      await expectError(await fetch(blobUrl(reg.url, 'blob/repo', bad)), 400, 'DIGEST_INVALID');
    }
  });

  it('an empty blob round-trips', async () => {
    const d = await pushBlob(reg.url, 'blob/empty', Buffer.alloc(0));
    assert.equal(d, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const res = await fetch(blobUrl(reg.url, 'blob/empty', d));
    assert.equal((await expectStatus(res, 200)).length, 0);
    assert.equal(res.headers.get('content-length'), '0');
  });

  it('a large blob (24 MiB) streams back intact, and a range from its middle too', async () => {
    const big = randomBytes(24 * 1024 * 1024);
    const d = await pushBlob(reg.url, 'blob/big', big);
    const res = await fetch(blobUrl(reg.url, 'blob/big', d));
    assert.ok((await expectStatus(res, 200)).equals(big));
    const part = await fetch(blobUrl(reg.url, 'blob/big', d), { headers: { Range: 'bytes=10000000-10000099' } });
    assert.ok((await expectStatus(part, 206)).equals(big.subarray(10_000_000, 10_000_100)));
  });

  it('concurrent pulls of different blobs, some cut off by their clients, each get their own bytes (read buffers are reused)', async () => {
    const blobs = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const bytes = randomBytes(3 * 1024 * 1024 + i * 4099);
      return { bytes, digest: await pushBlob(reg.url, 'blob/reuse', bytes) };
    }));
    for (let round = 0; round < 4; round++) {
      // Half the clients stop reading after the first chunk and cancel: their buffers must not
      // be handed to another pull while a write still uses them.
      await Promise.all(blobs.map(async ({ bytes, digest: d }, i) => {
        const res = await fetch(blobUrl(reg.url, 'blob/reuse', d));
        assert.equal(res.status, 200);
        if ((i + round) % 2 === 0) {
          const reader = res.body!.getReader();
          await reader.read();
          await reader.cancel();
          return;
        }
        assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), `blob ${i}, round ${round}`);
      }));
    }
  });

  it('a blob pushed as sha512 is stored under its sha256 with an alias link, and served by either digest', async () => {
    const bytes = randomBytes(300);
    const d512 = 'sha512:' + createHash('sha512').update(bytes).digest('hex');
    const d256 = sha256(bytes);
    const loc = await startUpload(reg.url, 'blob/sha512');
    const put = await fetch(withDigest(loc, d512), { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    await expectStatus(put, 201);
    assert.equal(put.headers.get('docker-content-digest'), d512);
    const res = await fetch(blobUrl(reg.url, 'blob/sha512', d512));
    assert.ok((await expectStatus(res, 200)).equals(bytes));
    assert.equal(res.headers.get('docker-content-digest'), d512);
    const root = v2Root(reg.root);
    assert.ok((await readFile(`${root}/blobs/sha256/${hexOf(d256).slice(0, 2)}/${hexOf(d256)}/data`)).equals(bytes));
    assert.equal(await readFile(`${root}/repositories/blob/sha512/_layers/sha512/${hexOf(d512)}/link`, 'utf8'), d256);
  });
});
