// Blob uploads: end-4a/b (POST, monolithic POST ?digest=), end-11 (mount, automatic mount),
// end-5 (chunked and streamed PATCH), end-6 (PUT with and without a final body), end-13 (status),
// DELETE, and an upload that survives a restart of the server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  bodyOf, expectError, expectStatus, hexOf, pushBlob, pushImage, raw, rawSocket, sha256, startUpload, v2Root, withDigest,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

const OCTET = { 'Content-Type': 'application/octet-stream' };

function uuidOf(location: string): string {
  return new URL(location).pathname.split('/').pop()!;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function patch(location: string, body: Uint8Array, range?: string): Promise<Response> {
  return fetch(location, {
    method: 'PATCH',
    headers: { ...OCTET, ...(range ? { 'Content-Range': range } : {}) },
    body: bodyOf(body),
  });
}

describe('uploads', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  const uploadsDir = (repo: string) => `${v2Root(reg.root)}/repositories/${repo}/_uploads`;

  it('POST opens a session: 202 with Location, Docker-Upload-UUID, Range 0-0, Content-Length 0', async () => {
    const res = await fetch(`${reg.url}/v2/up/session/blobs/uploads/`, { method: 'POST' });
    await expectStatus(res, 202);
    const location = res.headers.get('location')!;
    const uuid = res.headers.get('docker-upload-uuid')!;
    assert.ok(uuid.length > 0);
    assert.equal(new URL(location, reg.url).pathname, `/v2/up/session/blobs/uploads/${uuid}`);
    assert.equal(res.headers.get('range'), '0-0');
    assert.equal(res.headers.get('content-length'), '0');
    // distribution's on-disk session: startedat (RFC 3339, UTC, seconds) and an empty data file.
    const dir = `${uploadsDir('up/session')}/${uuid}`;
    assert.match(await readFile(`${dir}/startedat`, 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await stat(`${dir}/data`)).size, 0);
  });

  it('no minimum chunk size: POST sends no OCI-Chunk-Min-Length, and one-byte chunks are accepted', async () => {
    const res = await fetch(`${reg.url}/v2/up/tiny/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
    await expectStatus(res, 202);
    assert.equal(res.headers.get('oci-chunk-min-length'), null);
    const bytes = randomBytes(5);
    let loc = new URL(res.headers.get('location')!, reg.url).toString();
    for (let i = 0; i < bytes.length; i++) {
      const r = await patch(loc, bytes.subarray(i, i + 1), `${i}-${i}`);
      await expectStatus(r, 202);
      assert.equal(r.headers.get('range'), `0-${i}`);
      loc = new URL(r.headers.get('location')!, reg.url).toString();
    }
    await expectStatus(await fetch(withDigest(loc, sha256(bytes)), { method: 'PUT' }), 201);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/tiny/blobs/${sha256(bytes)}`), 200)).equals(bytes));
  });

  it('POST without a trailing slash works too', async () => {
    const res = await fetch(`${reg.url}/v2/up/noslash/blobs/uploads`, { method: 'POST' });
    await expectStatus(res, 202);
  });

  it('monolithic POST ?digest= stores the blob in one request (201)', async () => {
    const bytes = randomBytes(5000);
    const d = sha256(bytes);
    const res = await fetch(`${reg.url}/v2/up/mono/blobs/uploads/?digest=${d}`, { method: 'POST', headers: OCTET, body: bytes });
    await expectStatus(res, 201);
    assert.equal(new URL(res.headers.get('location')!, reg.url).pathname, `/v2/up/mono/blobs/${d}`);
    assert.equal(res.headers.get('docker-content-digest'), d);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/mono/blobs/${d}`), 200)).equals(bytes));
    assert.deepEqual(await readdir(uploadsDir('up/mono')).catch(() => []), [], 'no upload left behind');
  });

  it('monolithic POST with a wrong digest is DIGEST_INVALID and stores nothing', async () => {
    const bytes = randomBytes(100);
    const wrong = sha256('something else');
    const res = await fetch(`${reg.url}/v2/up/monobad/blobs/uploads/?digest=${wrong}`, { method: 'POST', headers: OCTET, body: bytes });
    await expectError(res, 400, 'DIGEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/up/monobad/blobs/${wrong}`), 404, 'BLOB_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/up/monobad/blobs/${sha256(bytes)}`), 404, 'BLOB_UNKNOWN');
    assert.deepEqual(await readdir(uploadsDir('up/monobad')).catch(() => []), []);
  });

  it('mount with from links the blob (201) without an upload', async () => {
    const bytes = randomBytes(700);
    const d = await pushBlob(reg.url, 'up/mount-src', bytes);
    const res = await fetch(`${reg.url}/v2/up/mount-dst/blobs/uploads/?mount=${d}&from=up/mount-src`, { method: 'POST' });
    await expectStatus(res, 201);
    assert.equal(new URL(res.headers.get('location')!, reg.url).pathname, `/v2/up/mount-dst/blobs/${d}`);
    assert.equal(res.headers.get('docker-content-digest'), d);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/mount-dst/blobs/${d}`), 200)).equals(bytes));
    assert.equal(await readFile(`${v2Root(reg.root)}/repositories/up/mount-dst/_layers/sha256/${hexOf(d)}/link`, 'utf8'), d);
    assert.deepEqual(await readdir(uploadsDir('up/mount-dst')).catch(() => []), []);
  });

  it('mount falls back to a normal session (202) when the blob is not in from', async () => {
    const d = sha256('never pushed anywhere');
    for (const q of [`mount=${d}&from=up/mount-src`, `mount=${d}&from=no/such/repo`]) {
      const res = await fetch(`${reg.url}/v2/up/mount-fb/blobs/uploads/?${q}`, { method: 'POST' });
      await expectStatus(res, 202);
      assert.ok(res.headers.get('docker-upload-uuid'));
      assert.equal(res.headers.get('range'), '0-0');
      // The session works: finish it with real content.
      const bytes = randomBytes(10);
      const put = await fetch(withDigest(new URL(res.headers.get('location')!, reg.url).toString(), sha256(bytes)), { method: 'PUT', headers: OCTET, body: bytes });
      await expectStatus(put, 201);
    }
    // A blob that exists elsewhere but not in `from` is not mounted from there.
    const other = await pushBlob(reg.url, 'up/mount-elsewhere', randomBytes(33));
    const res = await fetch(`${reg.url}/v2/up/mount-fb2/blobs/uploads/?mount=${other}&from=up/mount-src`, { method: 'POST' });
    await expectStatus(res, 202);
  });

  it('mount without from links a blob of an image the caller may pull (201), else opens a session', async () => {
    // Without auth everyone may pull everything; who may read what is in mount-access.test.ts.
    const image = await pushImage(reg.url, 'up/auto-src', 'v1', { layerCount: 1, layerSize: 900 });
    const { bytes, digest: d } = image.layers[0]!;
    const res = await fetch(`${reg.url}/v2/up/auto-dst/blobs/uploads/?mount=${d}`, { method: 'POST' });
    await expectStatus(res, 201);
    assert.equal(res.headers.get('docker-content-digest'), d);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/auto-dst/blobs/${d}`), 200)).equals(bytes));
    const unknown = await fetch(`${reg.url}/v2/up/auto-dst/blobs/uploads/?mount=${sha256('nope')}`, { method: 'POST' });
    await expectStatus(unknown, 202);
  });

  it('chunked PATCH with Content-Range: Range grows, an out-of-order chunk is 416, PUT without a body completes', async () => {
    const bytes = randomBytes(3000);
    const loc = await startUpload(reg.url, 'up/chunked');
    const uuid = uuidOf(loc);
    const r1 = await patch(loc, bytes.subarray(0, 1000), '0-999');
    await expectStatus(r1, 202);
    assert.equal(r1.headers.get('range'), '0-999');
    assert.equal(r1.headers.get('docker-upload-uuid'), uuid);
    assert.equal(r1.headers.get('content-length'), '0');
    const loc2 = new URL(r1.headers.get('location')!, reg.url).toString();
    assert.equal(uuidOf(loc2), uuid);

    // Out of order: a gap, and a repeat of the first chunk.
    await expectError(await patch(loc2, bytes.subarray(2000, 3000), '2000-2999'), 416, 'RANGE_INVALID');
    await expectError(await patch(loc2, bytes.subarray(0, 1000), '0-999'), 416, 'RANGE_INVALID');
    // Content-Length that does not match the range.
    const mismatch = await raw(reg.url, {
      method: 'PATCH', path: new URL(loc2).pathname,
      headers: { ...OCTET, 'Content-Range': '1000-1999', 'Content-Length': 10 },
      body: bytes.subarray(1000, 1010),
    });
    await expectError(mismatch, 400, 'SIZE_INVALID');

    const r2 = await patch(loc2, bytes.subarray(1000, 2000), '1000-1999');
    await expectStatus(r2, 202);
    assert.equal(r2.headers.get('range'), '0-1999');
    const r3 = await patch(new URL(r2.headers.get('location')!, reg.url).toString(), bytes.subarray(2000), 'bytes=2000-2999');
    await expectStatus(r3, 202);
    assert.equal(r3.headers.get('range'), '0-2999');

    const put = await fetch(withDigest(loc, sha256(bytes)), { method: 'PUT' });
    await expectStatus(put, 201);
    assert.equal(put.headers.get('docker-content-digest'), sha256(bytes));
    assert.equal(new URL(put.headers.get('location')!, reg.url).pathname, `/v2/up/chunked/blobs/${sha256(bytes)}`);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/chunked/blobs/${sha256(bytes)}`), 200)).equals(bytes));
    assert.equal(await exists(`${uploadsDir('up/chunked')}/${uuid}`), false);
  });

  it('concurrent PATCHes of the same chunk to one upload: one lands, the rest are 416', async () => {
    const bytes = randomBytes(200_000);
    const loc = await startUpload(reg.url, 'up/race');
    const results = await Promise.all(Array.from({ length: 5 }, () => patch(loc, bytes, `0-${bytes.length - 1}`)));
    const statuses = await Promise.all(results.map(async (r) => { await r.arrayBuffer(); return r.status; }));
    assert.deepEqual(statuses.sort(), [202, 416, 416, 416, 416]);
    const status = await fetch(loc);
    await expectStatus(status, 204);
    assert.equal(status.headers.get('range'), `0-${bytes.length - 1}`);
    await expectStatus(await fetch(withDigest(loc, sha256(bytes)), { method: 'PUT' }), 201);
  });

  it('a malformed Content-Range is refused', async () => {
    const loc = await startUpload(reg.url, 'up/badrange');
    const res = await patch(loc, Buffer.from('abc'), 'garbage');
    assert.ok(res.status === 416 || res.status === 400, `status ${res.status}`);
    await res.arrayBuffer();
  });

  it('streamed PATCH (no Content-Range, chunked transfer) then PUT', async () => {
    const parts = Array.from({ length: 5 }, () => randomBytes(300_000));
    const all = Buffer.concat(parts);
    const loc = await startUpload(reg.url, 'up/streamed');
    const res = await fetch(loc, {
      method: 'PATCH',
      headers: OCTET,
      body: new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } }),
      duplex: 'half',
    } as RequestInit);
    await expectStatus(res, 202);
    assert.equal(res.headers.get('range'), `0-${all.length - 1}`);
    const put = await fetch(withDigest(new URL(res.headers.get('location')!, reg.url).toString(), sha256(all)), { method: 'PUT' });
    await expectStatus(put, 201);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/streamed/blobs/${sha256(all)}`), 200)).equals(all));
  });

  it('PUT with the final chunk as its body', async () => {
    const bytes = randomBytes(2500);
    const loc = await startUpload(reg.url, 'up/finalbody');
    await expectStatus(await patch(loc, bytes.subarray(0, 1000), '0-999'), 202);
    const put = await fetch(withDigest(loc, sha256(bytes)), {
      method: 'PUT', headers: { ...OCTET, 'Content-Range': '1000-2499' }, body: bytes.subarray(1000),
    });
    await expectStatus(put, 201);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/finalbody/blobs/${sha256(bytes)}`), 200)).equals(bytes));
  });

  it('PUT with an out-of-order final chunk is 416', async () => {
    const bytes = randomBytes(200);
    const loc = await startUpload(reg.url, 'up/finalooo');
    await expectStatus(await patch(loc, bytes.subarray(0, 100), '0-99'), 202);
    const put = await fetch(withDigest(loc, sha256(bytes)), {
      method: 'PUT', headers: { ...OCTET, 'Content-Range': '150-199' }, body: bytes.subarray(150),
    });
    await expectError(put, 416, 'RANGE_INVALID');
  });

  it('PUT without a digest, or with a malformed one, is DIGEST_INVALID', async () => {
    const loc = await startUpload(reg.url, 'up/nodigest');
    await expectError(await fetch(loc, { method: 'PUT', headers: OCTET, body: Buffer.from('x') }), 400, 'DIGEST_INVALID');
    const loc2 = await startUpload(reg.url, 'up/nodigest');
    await expectError(await fetch(withDigest(loc2, 'sha256:xyz'), { method: 'PUT', headers: OCTET, body: Buffer.from('x') }), 400, 'DIGEST_INVALID');
  });

  it('a digest mismatch on PUT is DIGEST_INVALID and the upload is gone', async () => {
    const loc = await startUpload(reg.url, 'up/mismatch');
    const uuid = uuidOf(loc);
    await expectStatus(await patch(loc, Buffer.from('hello'), '0-4'), 202);
    const put = await fetch(withDigest(loc, sha256('goodbye')), { method: 'PUT' });
    await expectError(put, 400, 'DIGEST_INVALID');
    await expectError(await fetch(loc), 404, 'BLOB_UPLOAD_UNKNOWN');
    assert.equal(await exists(`${uploadsDir('up/mismatch')}/${uuid}`), false);
    await expectError(await fetch(`${reg.url}/v2/up/mismatch/blobs/${sha256('goodbye')}`), 404, 'BLOB_UNKNOWN');
  });

  it('GET and HEAD of an upload answer 204 with Range, Location and Docker-Upload-UUID', async () => {
    const loc = await startUpload(reg.url, 'up/status');
    const uuid = uuidOf(loc);
    const empty = await fetch(loc);
    await expectStatus(empty, 204);
    assert.equal(empty.headers.get('range'), '0-0');
    await expectStatus(await patch(loc, randomBytes(42), '0-41'), 202);
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(loc, { method });
      assert.equal((await expectStatus(res, 204)).length, 0);
      assert.equal(res.headers.get('range'), '0-41');
      assert.equal(res.headers.get('docker-upload-uuid'), uuid);
      assert.equal(new URL(res.headers.get('location')!, reg.url).pathname, `/v2/up/status/blobs/uploads/${uuid}`);
    }
  });

  it('DELETE cancels an upload (204); the session is then unknown', async () => {
    const loc = await startUpload(reg.url, 'up/cancel');
    const uuid = uuidOf(loc);
    await expectStatus(await patch(loc, randomBytes(10), '0-9'), 202);
    const del = await fetch(loc, { method: 'DELETE' });
    await expectStatus(del, 204);
    assert.equal(del.headers.get('docker-upload-uuid'), uuid);
    assert.equal(await exists(`${uploadsDir('up/cancel')}/${uuid}`), false);
    await expectError(await fetch(loc), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await fetch(loc, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await patch(loc, randomBytes(1)), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an unknown upload id is BLOB_UPLOAD_UNKNOWN for every method', async () => {
    const loc = `${reg.url}/v2/up/unknown/blobs/uploads/3f1e6a0c-0000-4000-8000-000000000000`;
    await expectError(await fetch(loc), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await patch(loc, Buffer.from('x')), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await fetch(withDigest(loc, sha256('x')), { method: 'PUT', headers: OCTET, body: Buffer.from('x') }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await fetch(loc, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    const head = await fetch(loc, { method: 'HEAD' });
    assert.equal(head.status, 404);
  });

  it('an upload belongs to its repository', async () => {
    const loc = await startUpload(reg.url, 'up/owner');
    const elsewhere = loc.replace('/v2/up/owner/', '/v2/up/intruder/');
    await expectError(await fetch(elsewhere), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await patch(elsewhere, Buffer.from('x')), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a PATCH body that is not octet-stream is refused', async () => {
    const loc = await startUpload(reg.url, 'up/ctype');
    const res = await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    await expectError(res, 400, 'BLOB_UPLOAD_INVALID');
  });

  it('a PATCH body cut short of its Content-Length leaves a consistent upload that can be completed', async () => {
    const loc = await startUpload(reg.url, 'up/short');
    const path = new URL(loc).pathname;
    const sent = randomBytes(100);
    const head = `PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n`;
    await rawSocket(reg.url, Buffer.concat([Buffer.from(head, 'latin1'), sent]), 2000);
    // Whatever the server kept is reported, and the upload finishes with the matching digest.
    let status: Response | undefined;
    for (let i = 0; i < 50; i++) {
      status = await fetch(loc);
      if (status.status === 204) break;
      await status.arrayBuffer();
      await new Promise((r) => setTimeout(r, 50));
    }
    await expectStatus(status!, 204);
    const m = /^0-(\d+)$/.exec(status!.headers.get('range') ?? '')!;
    assert.ok(m, `Range ${status!.headers.get('range')}`);
    const kept = (await stat(`${uploadsDir('up/short')}/${uuidOf(loc)}/data`)).size;
    assert.ok(kept <= sent.length);
    assert.equal(Number(m[1]), Math.max(kept - 1, 0));
    const rest = randomBytes(50);
    const all = Buffer.concat([sent.subarray(0, kept), rest]);
    await expectStatus(await patch(loc, rest, `${kept}-${kept + rest.length - 1}`), 202);
    await expectStatus(await fetch(withDigest(loc, sha256(all)), { method: 'PUT' }), 201);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/short/blobs/${sha256(all)}`), 200)).equals(all));
  });

  it('an upload in progress survives a restart of the server and completes after it', async () => {
    const bytes = randomBytes(4000);
    const loc = await startUpload(reg.url, 'up/restart');
    const r1 = await patch(loc, bytes.subarray(0, 1500), '0-1499');
    await expectStatus(r1, 202);
    await reg.restart();
    const status = await fetch(loc);
    await expectStatus(status, 204);
    assert.equal(status.headers.get('range'), '0-1499');
    await expectError(await patch(loc, bytes.subarray(2000), '2000-3999'), 416, 'RANGE_INVALID');
    const r2 = await patch(loc, bytes.subarray(1500, 3000), '1500-2999');
    await expectStatus(r2, 202);
    assert.equal(r2.headers.get('range'), '0-2999');
    const put = await fetch(withDigest(loc, sha256(bytes)), { method: 'PUT', headers: OCTET, body: bytes.subarray(3000) });
    await expectStatus(put, 201);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/up/restart/blobs/${sha256(bytes)}`), 200)).equals(bytes));
    // And a wrong digest after a restart is still caught (the hash is rebuilt from the file).
    const loc2 = await startUpload(reg.url, 'up/restart');
    await expectStatus(await patch(loc2, Buffer.from('abc'), '0-2'), 202);
    await reg.restart();
    await expectError(await fetch(withDigest(loc2, sha256('abd')), { method: 'PUT' }), 400, 'DIGEST_INVALID');
  });
});
