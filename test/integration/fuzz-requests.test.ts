// Property-based bad input, part 2: everything around a well-formed request line. Range
// headers against an oracle from RFC 9110, pagination and upload query parameters (n, last,
// digest, mount, from, artifactType), Content-Type/Content-Range on chunks, Content-Length that
// lies in both directions, bodies cut short, and request heads near and over Node's limit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertAlive, assertSane, count, describeTally, exchange, fromFetch, layoutViolations, newTally, requestBytes, snapshot,
  startFuzzRegistry, type FuzzRegistry, type Tally,
} from '../support/fuzz';
import { pushArtifact, pushBlob, pushImage, sha256, type PushedImage } from '../support/oci';

const SEED = 61_006;

describe('fuzz: headers, ranges, query parameters, lying bodies', () => {
  let reg: FuzzRegistry;
  let blob: Buffer;
  let blobDigest: string;
  let img: PushedImage;
  let outside: string[];
  const tallies: Array<[string, Tally]> = [];

  before(async () => {
    reg = await startFuzzRegistry();
    blob = randomBytes(1000);
    blobDigest = await pushBlob(reg.url, 'fuzz/req', blob);
    img = await pushImage(reg.url, 'fuzz/req', 'latest');
    for (const tag of ['a', 'b', 'c', 'v1', 'v1.1', 'v2', 'z']) {
      await fetch(`${reg.url}/v2/fuzz/req/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': img.mediaType }, body: new Uint8Array(img.manifest) });
    }
    await pushArtifact(reg.url, 'fuzz/req', img.descriptor, 'application/vnd.example.sbom');
    await pushArtifact(reg.url, 'fuzz/req', img.descriptor, 'application/vnd.example.sig');
    outside = await snapshot(reg.dir, ['data']);
  });

  after(async () => {
    const total = tallies.reduce((n, [, t]) => n + t.cases, 0);
    for (const [name, t] of tallies) process.stdout.write(`# ${describeTally(name, t)}\n`);
    process.stdout.write(`# fuzz-requests total: ${total} cases\n`);
    await reg.stop();
  });

  function tally(name: string): Tally {
    const t = newTally();
    tallies.push([name, t]);
    return t;
  }

  it('Range on a blob: 206 with the exact slice, 200 whole, or 416 RANGE_INVALID, as RFC 9110 says', async () => {
    const t = tally('ranges');
    const size = blob.length;
    const num = fc.oneof(fc.integer({ min: 0, max: size + 50 }), fc.constantFrom(0, size - 1, size, 2 ** 53, 99999999999999999999));
    const rangeArb = fc.oneof(
      fc.tuple(num, num).map(([a, b]) => `bytes=${a}-${b}`),
      num.map((a) => `bytes=${a}-`),
      num.map((b) => `bytes=-${b}`),
      fc.tuple(num, num, num, num).map(([a, b, c, d]) => `bytes=${a}-${b},${c}-${d}`),
      fc.constantFrom('bytes=', 'bytes=-', 'items=0-1', 'bytes=a-b', 'bytes=1-2-3', 'bytes 0-1', '', 'bytes=-0', 'bytes=0--1'),
      fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s)).map((s) => `bytes=${s}`),
    );
    await fc.assert(fc.asyncProperty(rangeArb, async (range) => {
      const res = await fromFetch(await fetch(`${reg.url}/v2/fuzz/req/blobs/${blobDigest}`, { headers: { Range: range } }));
      count(t, res.status);
      const code = assertSane(res, `Range ${range}`, t);
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (res.status === 200) assert.ok(res.body.equals(blob), 'a 200 must carry the whole blob');
      if (res.status === 206) {
        const cr = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
        assert.ok(cr, `206 without a valid Content-Range: ${res.headers['content-range']}`);
        assert.equal(Number(cr[3]), size);
        assert.ok(res.body.equals(blob.subarray(Number(cr[1]), Number(cr[2]) + 1)), `206 body is not bytes ${cr[1]}-${cr[2]}`);
      }
      if (res.status === 416) {
        assert.equal(code, 'RANGE_INVALID');
        assert.equal(res.headers['content-range'], `bytes */${size}`);
      }
      // The oracle for the simple forms (RFC 9110 §14.1.2: first-pos past the end is unsatisfiable).
      if (m && Number.isSafeInteger(Number(m[1])) && (m[2] === '' || Number.isSafeInteger(Number(m[2])))) {
        const a = Number(m[1]);
        const b = m[2] === '' ? size - 1 : Number(m[2]);
        if (b < a) assert.ok(res.status === 416 || res.status === 200, `${range}: ${res.status}`);
        else if (a >= size) assert.equal(res.status, 416, range);
        else {
          assert.equal(res.status, 206, range);
          assert.ok(res.body.equals(blob.subarray(a, Math.min(b, size - 1) + 1)), range);
        }
      }
    }), { numRuns: 400, seed: SEED });
    await assertAlive(reg, 'ranges');
  });

  it('n and last on tags/list and _catalog: a sorted page after last, at most n, or PAGINATION_NUMBER_INVALID', async () => {
    const t = tally('pagination');
    const all = ['a', 'b', 'c', 'latest', 'v1', 'v1.1', 'v2', 'z'];
    const nArb = fc.option(fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('-1', '1.5', '1e3', 'abc', '', ' 1', '0x10', '99999999999999999999999'), fc.string({ maxLength: 6 })), { nil: undefined });
    const lastArb = fc.option(fc.oneof(fc.constantFrom(...all, '', 'v', 'zz', '..', '%00'), fc.string({ maxLength: 10 })), { nil: undefined });
    await fc.assert(fc.asyncProperty(nArb, lastArb, fc.boolean(), async (n, last, catalog) => {
      const q = new URLSearchParams();
      if (n !== undefined) q.set('n', n);
      if (last !== undefined) q.set('last', last);
      const path = catalog ? `/v2/_catalog?${q}` : `/v2/fuzz/req/tags/list?${q}`;
      const res = await fromFetch(await fetch(reg.url + path));
      count(t, res.status);
      const code = assertSane(res, path, t);
      const nValid = n === undefined || n === '' || /^\d+$/.test(n);
      if (!nValid) {
        assert.equal(code, 'PAGINATION_NUMBER_INVALID', path);
        return;
      }
      assert.equal(res.status, 200, path);
      const body = JSON.parse(res.body.toString('utf8')) as { tags?: string[]; repositories?: string[] };
      const list = catalog ? body.repositories! : body.tags!;
      assert.deepEqual([...list].sort(), list, `${path}: not sorted`);
      if (n !== undefined && n !== '') assert.ok(list.length <= Number(n), `${path}: ${list.length} entries`);
      if (!catalog) {
        const expected = all.filter((x) => last === undefined || last === '' || x > last);
        assert.deepEqual(list, n !== undefined && n !== '' ? expected.slice(0, Number(n)) : expected, path);
      }
    }), { numRuns: 300, seed: SEED + 1 });
  });

  it('upload query parameters (digest, mount, from) and referrers\' artifactType: spec codes only', async () => {
    const t = tally('upload and referrers parameters');
    const digestish = fc.oneof(
      fc.constantFrom(blobDigest, img.config.digest, sha256('missing'), 'sha256:..%2F..', 'sha256:', '', 'md5:00', blobDigest.toUpperCase()),
      fc.string({ maxLength: 20 }),
    );
    const nameish = fc.oneof(fc.constantFrom('fuzz/req', 'fuzz/none', '..', '../fuzz/req', 'FUZZ', '', 'a//b'), fc.string({ maxLength: 12 }));
    await fc.assert(fc.asyncProperty(
      fc.record({ digest: fc.option(digestish, { nil: undefined }), mount: fc.option(digestish, { nil: undefined }), from: fc.option(nameish, { nil: undefined }), artifactType: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }) }),
      fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
      async (params, body) => {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
        const post = await fromFetch(await fetch(`${reg.url}/v2/fuzz/target/blobs/uploads/?${q}`, { method: 'POST', ...(body ? { body: new Uint8Array(body), headers: { 'Content-Type': 'application/octet-stream' } } : {}) }));
        count(t, post.status);
        assertSane(post, `POST ?${q}`, t);
        assert.ok([201, 202, 400, 404].includes(post.status), `POST ?${q}: ${post.status}`);
        if (post.status === 201) {
          // Whatever was created must be what the digest says.
          const d = post.headers['docker-content-digest']!;
          const got = await fetch(`${reg.url}/v2/fuzz/target/blobs/${d}`);
          assert.equal(sha256(Buffer.from(await got.arrayBuffer())), d);
        }
        const ref = await fromFetch(await fetch(`${reg.url}/v2/fuzz/req/referrers/${img.digest}?${q}`));
        count(t, ref.status);
        assertSane(ref, `referrers ?${q}`, t);
        assert.equal(ref.status, 200);
        const index = JSON.parse(ref.body.toString('utf8')) as { manifests: Array<{ artifactType?: string }> };
        if (params.artifactType) assert.ok(index.manifests.every((m) => m.artifactType === params.artifactType));
        else assert.equal(index.manifests.length, 2);
      },
    ), { numRuns: 250, seed: SEED + 2 });
    await assertAlive(reg, 'query parameters');
  });

  it('chunk headers (Content-Type, Content-Range, Content-Length) on PATCH and PUT: uploads stay consistent', async () => {
    const t = tally('chunk headers');
    const ctArb = fc.constantFrom(undefined, 'application/octet-stream', 'application/octet-stream; charset=x', 'text/plain', 'application/json', '', '\t');
    const rangeArb = fc.option(fc.oneof(
      fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 })).map(([a, b]) => `${a}-${b}`),
      fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 })).map(([a, b]) => `bytes ${a}-${b}/*`),
      fc.constantFrom('0-', '-1', 'bytes=0-0', '0-99999999999999999999', 'garbage', '1-0'),
    ), { nil: undefined });
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 20 }), ctArb, rangeArb, fc.constantFrom('exact', 'none', 'short', 'long')), { minLength: 1, maxLength: 4 }),
      async (chunks) => {
        const post = await fetch(`${reg.url}/v2/fuzz/chunks/blobs/uploads/`, { method: 'POST' });
        await post.arrayBuffer();
        const location = new URL(post.headers.get('location')!, reg.url);
        const accepted: Buffer[] = [];
        for (const [bytes, ct, range, lengthMode] of chunks) {
          const headers: Array<[string, string]> = [];
          if (ct !== undefined) headers.push(['Content-Type', ct]);
          if (range !== undefined) headers.push(['Content-Range', range]);
          const len = lengthMode === 'short' ? bytes.length + 5 : lengthMode === 'long' ? Math.max(bytes.length - 1, 0) : bytes.length;
          if (lengthMode !== 'none') headers.push(['Content-Length', String(len)]);
          else headers.push(['Transfer-Encoding', 'chunked']);
          const payload = lengthMode === 'none'
            ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from(bytes.length ? '\r\n0\r\n\r\n' : '\r\n')])
            : Buffer.from(bytes);
          // A body shorter than its Content-Length can only end by the client closing its side.
          const r = await exchange(reg.url, requestBytes('PATCH', location.pathname, headers, payload), { halfClose: lengthMode === 'short', timeoutMs: 5_000 });
          count(t, r.status);
          if (lengthMode === 'short' && r.status === undefined) continue; // cut off: the server may just close
          assertSane(r, `PATCH ${JSON.stringify(headers)}`, t);
          if (r.status === 202) accepted.push(Buffer.from(lengthMode === 'long' ? bytes.subarray(0, len) : bytes));
        }
        // The session reports exactly the bytes on disk, and completing it stores exactly them.
        const status = await fetch(location, { method: 'GET' });
        await status.arrayBuffer();
        if (status.status === 404) return; // a refused chunk may have ended the session
        assert.equal(status.status, 204);
        const size = Number(status.headers.get('range')!.split('-')[1]) + 1;
        const stored = Buffer.concat(accepted);
        // A refused or cut-off chunk may have left part of its bytes: the session's size is the truth.
        assert.ok(size >= stored.length || stored.length === 0, `session size ${size} < accepted ${stored.length}`);
        const put = await fetch(`${location}?digest=${sha256(Buffer.alloc(0))}`, { method: 'PUT' });
        await put.arrayBuffer();
        if (size === 1 && stored.length === 0) return;
        assert.ok(put.status === 201 || put.status === 400, `PUT: ${put.status}`);
      },
    ), { numRuns: 200, seed: SEED + 3 });
    await assertAlive(reg, 'chunk headers');
  });

  it('Content-Length that lies, and bodies cut short, never store a blob under a wrong digest', async () => {
    const t = tally('lying Content-Length');
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.integer({ min: -50, max: 50 }), fc.constantFrom('post', 'put', 'patch'), fc.boolean(),
      async (bytes, delta, how, cut) => {
        const body = Buffer.from(bytes);
        const digest = sha256(body);
        const declared = Math.max(0, body.length + delta);
        let target: string;
        let method = 'PUT';
        if (how === 'post') {
          method = 'POST';
          target = `/v2/fuzz/lies/blobs/uploads/?digest=${digest}`;
        } else {
          const post = await fetch(`${reg.url}/v2/fuzz/lies/blobs/uploads/`, { method: 'POST' });
          await post.arrayBuffer();
          const loc = new URL(post.headers.get('location')!, reg.url).pathname;
          target = how === 'put' ? `${loc}?digest=${digest}` : loc;
          if (how === 'patch') method = 'PATCH';
        }
        const headers: Array<[string, string]> = [['Content-Type', 'application/octet-stream'], ['Content-Length', String(declared)]];
        const r = await exchange(reg.url, requestBytes(method, target, headers, body), { halfClose: cut || declared > body.length, timeoutMs: 5_000 });
        count(t, r.status);
        if (r.status !== undefined) assertSane(r, `${method} len ${declared} for ${body.length}`, t);
        const stored = await fetch(`${reg.url}/v2/fuzz/lies/blobs/${digest}`);
        const storedBytes = Buffer.from(await stored.arrayBuffer());
        if (stored.status === 200) {
          // Stored only if the bytes the server read really are the blob.
          assert.equal(sha256(storedBytes), digest);
          assert.ok(declared >= body.length, `stored although only ${declared} of ${body.length} bytes were announced`);
        } else {
          assert.equal(stored.status, 404);
        }
        if (declared === body.length && !cut && how !== 'patch') assert.equal(r.status, 201, `${method} with an honest length`);
      },
    ), { numRuns: 250, seed: SEED + 4 });
    await assertAlive(reg, 'lying lengths');
    assert.deepEqual(await snapshot(reg.dir, ['data']), outside);
    assert.deepEqual(await layoutViolations(reg.dataDir), []);
  });

  it('request heads near and over Node\'s limit: 431 above it, normal answers below it, header junk refused', async () => {
    const t = tally('header sizes and junk');
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom('value', 'junk', 'name'),
      async (size, headerCount, kind) => {
        const headers: Array<[string, string]> = [];
        const per = Math.max(1, Math.floor(size / headerCount));
        for (let i = 0; i < headerCount; i++) {
          if (kind === 'name') headers.push([`X-${'n'.repeat(per)}${i}`, 'v']);
          else if (kind === 'junk') headers.push([`X-J${i}`, String.fromCharCode(...randomBytes(Math.min(per, 64)).map((b) => (b === 10 || b === 13 ? 32 : b)))]);
          else headers.push([`X-V${i}`, 'v'.repeat(per)]);
        }
        const r = await exchange(reg.url, requestBytes('GET', `/v2/fuzz/req/manifests/latest`, headers));
        count(t, r.status);
        assertSane(r, `${headerCount} headers, ${size} bytes, ${kind}`, t);
        // Node's default maxHeaderSize is 16 KiB for the whole head.
        if (size * (kind === 'junk' ? 0 : 1) > 17_000) assert.equal(r.status, 431, `${size} bytes of headers`);
        if (size < 15_000 && kind !== 'junk') assert.equal(r.status, 200, `${size} bytes of headers`);
      },
    ), { numRuns: 200, seed: SEED + 5 });
    await assertAlive(reg, 'header sizes');
  });
});
