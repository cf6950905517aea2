// Property-based bad input, part 1: request lines. Random methods over random paths built from
// traversal pieces (`..`, `%2e%2e`, `%252e%252e`, backslashes, NUL, overlong segments) and API
// words, sent byte for byte; then names, references, digests and upload ids against oracles
// written from the spec's grammars. Every answer is a success or the OCI error envelope, the
// server keeps answering, nothing lands outside the storage root or outside distribution's layout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  SPEC_NAME, SPEC_TAG, VERIFIABLE_DIGEST, assertAlive, assertSane, count, describeTally, exchange, layoutViolations,
  newTally, requestBytes, snapshot, startFuzzRegistry, type FuzzRegistry, type Tally,
} from '../support/fuzz';
import { MT, pushImage, sha256, type PushedImage } from '../support/oci';
import { fetchManifest } from '../support/registry-http';

const SEED = 20_251_006;
const HEX = '0123456789abcdef';
const VALID_DIGEST = sha256('fuzz');

const PIECES = [
  '..', '.', '...', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%25252e', '..%2f', '..%2F', '%2f', '%2F', '%5c', '..%5c',
  '\\', '..\\..', '%00', 'a%00b', '%ff', '%', '%zz', '%c0%ae%c0%ae', ';', '..;', '~', '%20', '$', '*',
  'a', 'b', 'fuzz', 'base', 'library', 'v2', 'blobs', 'uploads', 'manifests', 'tags', 'list', 'referrers', '_catalog',
  '_layers', '_manifests', '_uploads', 'docker', 'registry', 'data', 'link', 'current', 'latest', 'sha256',
  VALID_DIGEST, 'sha256:..', 'sha256:%2e%2e', `sha256:${'a'.repeat(63)}`, 'x'.repeat(256), 'y'.repeat(6000),
];

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'FOO', 'get', 'PROPFIND'];

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
);

const pathArb = fc.tuple(
  fc.array(segment, { minLength: 0, maxLength: 7 }),
  fc.constantFrom('', '/', '/tags/list', '/blobs/uploads/', `/blobs/${VALID_DIGEST}`, '/manifests/latest', `/referrers/${VALID_DIGEST}`),
  fc.constantFrom('', '?n=1', '?last=..%2f..', '?digest=' + VALID_DIGEST, '?mount=' + VALID_DIGEST + '&from=..%2f..', '?%00=%00'),
).map(([segs, tail, query]) => `/v2/${segs.join('/')}${tail}${query}`);

const bodyArb = fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined });
const contentTypeArb = fc.constantFrom(undefined, 'application/octet-stream', MT.ociManifest, MT.ociIndex, 'text/plain', '../../x', '');

describe('fuzz: request lines, names, references, digests', () => {
  let reg: FuzzRegistry;
  let img: PushedImage;
  let outside: string[];
  const tallies: Array<[string, Tally]> = [];

  before(async () => {
    reg = await startFuzzRegistry();
    img = await pushImage(reg.url, 'fuzz/base', 'latest');
    outside = await snapshot(reg.dir, ['data']);
  });

  after(async () => {
    const total = tallies.reduce((n, [, t]) => n + t.cases, 0);
    for (const [name, t] of tallies) process.stdout.write(`# ${describeTally(name, t)}\n`);
    process.stdout.write(`# fuzz-paths total: ${total} cases\n`);
    await reg.stop();
  });

  /** Nothing outside the root changed, nothing inside it is outside the layout, the image still pulls. */
  async function assertContained(what: string): Promise<void> {
    assert.deepEqual(await snapshot(reg.dir, ['data']), outside, `${what}: something changed outside the storage root`);
    assert.deepEqual(await layoutViolations(reg.dataDir), [], `${what}: files outside distribution's layout`);
  }

  it('random methods and paths: envelope or success, never a crash, nothing outside the root', async () => {
    const t = newTally();
    tallies.push(['methods × paths', t]);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...METHODS), pathArb, bodyArb, contentTypeArb, async (method, path, body, ct) => {
      const headers: Array<[string, string]> = [];
      if (ct !== undefined) headers.push(['Content-Type', ct]);
      if (body !== undefined) headers.push(['Content-Length', String(body.length)]);
      const r = await exchange(reg.url, requestBytes(method, path, headers, body));
      const what = `${method} ${JSON.stringify(path.slice(0, 200))}`;
      count(t, r.status);
      assertSane(r, what, t);
      await assertAlive(reg, what);
    }), { numRuns: 500, seed: SEED });
    await assertContained('after random paths');
  });

  it('names: grammar-valid names are never NAME_INVALID, everything else is', async () => {
    const t = newTally();
    tallies.push(['names', t]);
    const nameArb = fc.oneof(
      fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:\.|_|__|-{1,3})[a-z0-9]{1,8}){0,2}(?:\/[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,6})?){0,3}$/),
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'abc019._-/A:@'), minLength: 1, maxLength: 30 }),
      fc.integer({ min: 200, max: 300 }).map((n) => 'a/'.repeat(n).slice(0, n) + 'b'),
    ).filter((n) => !n.split('/').some((c) => c === '.' || c === '..')); // dot segments are resolved by URL parsing first
    await fc.assert(fc.asyncProperty(nameArb, fc.constantFrom('tags/list', 'manifests/latest', `blobs/${VALID_DIGEST}`), async (name, tail) => {
      const path = `/v2/${name.split('/').map(encodeURIComponent).join('/')}/${tail}`;
      const r = await exchange(reg.url, requestBytes('GET', path, []));
      count(t, r.status);
      const code = assertSane(r, `GET ${path}`, t);
      const valid = SPEC_NAME.test(name) && name.length <= 255;
      if (valid) {
        assert.notEqual(code, 'NAME_INVALID', `valid name ${JSON.stringify(name)} refused`);
        if (name !== 'fuzz/base') assert.ok(r.status === 404, `unknown repository ${name}: ${r.status}`);
      } else {
        assert.equal(r.status, 400, `invalid name ${JSON.stringify(name)} answered ${r.status}`);
        assert.equal(code, 'NAME_INVALID', `invalid name ${JSON.stringify(name)} got ${code}`);
      }
      await assertAlive(reg, path);
    }), { numRuns: 400, seed: SEED + 1 });
  });

  it('references: a lookup of a tag or of nothing nameable is MANIFEST_UNKNOWN, of a malformed digest DIGEST_INVALID; PUT of a non-tag is TAG_INVALID', async () => {
    const t = newTally();
    tallies.push(['references', t]);
    const refArb = fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,140}$/),
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.string({ unit: fc.constantFrom(...HEX), minLength: 60, maxLength: 130 }).chain((hex) =>
        fc.constantFrom('sha256:', 'sha384:', 'sha512:', 'md5:', 'SHA256:', 'sha256+b64:', ':').map((a) => a + hex)),
      fc.constantFrom('latest', img.digest, img.digest.toUpperCase(), img.digest + '\n', ' latest', '.INVALID_MANIFEST_NAME'),
    ).filter((r) => r !== '.' && r !== '..');
    await fc.assert(fc.asyncProperty(refArb, fc.constantFrom('GET', 'HEAD', 'DELETE', 'PUT'), async (ref, method) => {
      const path = `/v2/fuzz/other/manifests/${encodeURIComponent(ref)}`;
      // PUT carries a body that is no manifest: past the reference, it can only be MANIFEST_INVALID.
      const put: Array<[string, string]> = [['Content-Type', 'application/vnd.oci.image.manifest.v1+json'], ['Content-Length', '2']];
      const r = await exchange(reg.url, method === 'PUT' ? requestBytes(method, path, put, Buffer.from('{}')) : requestBytes(method, path, []));
      count(t, r.status);
      const code = assertSane(r, `${method} ${path}`, t);
      // The oracle, from the spec's grammars: ':' makes a digest (a tag cannot hold one).
      const malformedDigest = ref.includes(':') && !VERIFIABLE_DIGEST.test(ref);
      const valid = ref.includes(':') ? !malformedDigest : SPEC_TAG.test(ref);
      let expected: string;
      if (malformedDigest) expected = 'DIGEST_INVALID';
      else if (method !== 'PUT') expected = 'MANIFEST_UNKNOWN';
      else expected = valid ? 'MANIFEST_INVALID' : 'TAG_INVALID';
      if (method === 'HEAD') {
        // No body: only the status can be checked.
        assert.equal(r.status, malformedDigest ? 400 : 404, `HEAD ${path}`);
      } else {
        assert.equal(code, expected, `${method} ${path}`);
        assert.equal(r.status, expected === 'MANIFEST_UNKNOWN' ? 404 : 400, `${method} ${path}`);
      }
      await assertAlive(reg, path);
    }), { numRuns: 500, seed: SEED + 2 });
  });

  it('digests and upload ids: BLOB_UNKNOWN / BLOB_UPLOAD_UNKNOWN for well-formed, DIGEST_INVALID otherwise', async () => {
    const t = newTally();
    tallies.push(['digests + upload ids', t]);
    const digestArb = fc.oneof(
      fc.string({ unit: fc.constantFrom(...HEX, 'A', 'g'), minLength: 60, maxLength: 130 }).chain((hex) =>
        fc.constantFrom('sha256:', 'sha512:', 'sha384:', 'sha1:', 'sha256::').map((a) => a + hex)),
      fc.string({ minLength: 1, maxLength: 80 }),
    ).filter((d) => d !== '.' && d !== '..' && d !== 'uploads');
    await fc.assert(fc.asyncProperty(digestArb, fc.constantFrom('GET', 'HEAD', 'DELETE', 'PATCH', 'PUT'), async (value, method) => {
      const upload = method === 'PATCH' || method === 'PUT';
      const path = upload
        ? `/v2/fuzz/base/blobs/uploads/${encodeURIComponent(value)}?digest=${encodeURIComponent(value)}`
        : `/v2/fuzz/base/blobs/${encodeURIComponent(value)}`;
      const r = await exchange(reg.url, requestBytes(method, path, [['Content-Length', '1']], Buffer.from('x')));
      count(t, r.status);
      const code = assertSane(r, `${method} ${path}`, t);
      if (method === 'HEAD') assert.ok(r.status === 404 || r.status === 400, `HEAD ${path}: ${r.status}`);
      else if (upload) assert.ok(code === 'BLOB_UPLOAD_UNKNOWN' || code === 'DIGEST_INVALID', `${method} ${path}: ${code}`);
      else assert.equal(code, VERIFIABLE_DIGEST.test(value) ? 'BLOB_UNKNOWN' : 'DIGEST_INVALID', `${method} ${path}`);
      await assertAlive(reg, path);
    }), { numRuns: 300, seed: SEED + 3 });
    await assertContained('after digests');
  });

  it('what was pushed before the fuzzing still pulls byte for byte', async () => {
    const m = await fetchManifest(reg.url, 'fuzz/base', 'latest');
    assert.equal(m.bodyDigest, img.digest);
    for (const l of [img.config, ...img.layers]) {
      const res = await fetch(`${reg.url}/v2/fuzz/base/blobs/${l.digest}`);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), l.digest);
    }
  });
});
