// Property-based bad input, part 3: manifest bodies. Random JSON, random mutations of valid
// manifests and indexes (fields removed or replaced, digests pointing at missing blobs, garbage
// media types, subjects), random Content-Types, oversize and deeply nested bodies, bodies cut
// short. A push either succeeds and then serves exactly the pushed bytes under their digest, or
// fails with a manifest error code and leaves no tag behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertAlive, assertSane, count, describeTally, exchange, fromFetch, newTally, requestBytes, startFuzzRegistry,
  type FuzzRegistry, type Tally,
} from '../support/fuzz';
import { MT, bodyOf, descriptorOf, pushBlob, pushImage, sha256, type Descriptor, type PushedImage } from '../support/oci';

const SEED = 7_061_006;
const MAX_BYTES = 64 * 1024;
const MANIFEST_CODES = new Set(['MANIFEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'DIGEST_INVALID', 'TAG_INVALID', 'BLOB_UNKNOWN']);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

describe('fuzz: manifest bodies', () => {
  let reg: FuzzRegistry;
  let img: PushedImage;
  let config: Descriptor;
  let layer: Descriptor;
  let tagNo = 0;
  const tallies: Array<[string, Tally]> = [];

  before(async () => {
    reg = await startFuzzRegistry(['berth:', `  manifestmaxbytes: ${MAX_BYTES}`]);
    img = await pushImage(reg.url, 'fuzz/m', 'base');
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
    await pushBlob(reg.url, 'fuzz/m', cfg);
    const lay = Buffer.from('layer bytes');
    await pushBlob(reg.url, 'fuzz/m', lay);
    config = descriptorOf(MT.ociConfig, cfg);
    layer = descriptorOf(MT.ociLayer, lay);
  });

  after(async () => {
    const total = tallies.reduce((n, [, t]) => n + t.cases, 0);
    for (const [name, t] of tallies) process.stdout.write(`# ${describeTally(name, t)}\n`);
    process.stdout.write(`# fuzz-manifests total: ${total} cases\n`);
    await reg.stop();
  });

  /** PUTs `body` under a fresh tag and checks the outcome against the property. */
  async function pushAndCheck(t: Tally, body: Buffer, contentType: string | undefined, what: string): Promise<number> {
    const tag = `t${++tagNo}`;
    const res = await fromFetch(await fetch(`${reg.url}/v2/fuzz/m/manifests/${tag}`, {
      method: 'PUT', headers: contentType === undefined ? {} : { 'Content-Type': contentType }, body: bodyOf(body),
    }));
    count(t, res.status);
    const code = assertSane(res, what, t);
    const got = await fetch(`${reg.url}/v2/fuzz/m/manifests/${tag}`);
    const gotBytes = Buffer.from(await got.arrayBuffer());
    if (res.status === 201) {
      assert.equal(res.headers['docker-content-digest'], sha256(body), `${what}: digest header`);
      assert.equal(got.status, 200, `${what}: pushed tag does not resolve`);
      assert.ok(gotBytes.equals(body), `${what}: served bytes differ from pushed bytes`);
      assert.equal(got.headers.get('docker-content-digest'), sha256(body));
    } else {
      assert.ok(code !== undefined && MANIFEST_CODES.has(code) || res.status === 413, `${what}: ${res.status} ${code}`);
      assert.equal(got.status, 404, `${what}: a refused push left tag ${tag} behind`);
    }
    return res.status;
  }

  const contentTypeArb = fc.oneof(
    fc.constantFrom(undefined, MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList, `${MT.ociManifest}; charset=utf-8`,
      MT.ociManifest.toUpperCase(), 'application/json', 'text/plain', '', 'application/vnd.oci.image.manifest.v2+json'),
    fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s) && s.trim() === s && /^[\x20-\x7e]*$/.test(s)),
  );

  it('random JSON and random bytes: MANIFEST_INVALID (or, rarely, a valid empty index)', async () => {
    const t = newTally();
    tallies.push(['random bodies', t]);
    const bodyArb = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 100 }).map((s) => Buffer.from(s)),
      fc.constantFrom('{', '[]', '{"schemaVersion":2}', '{"schemaVersion":"2"}', '\ufeff{}', '{"schemaVersion":2,"manifests":{}}').map((s) => Buffer.from(s)),
    );
    await fc.assert(fc.asyncProperty(bodyArb, contentTypeArb, async (body, ct) => {
      await pushAndCheck(t, body, ct, `random body ${JSON.stringify(body.toString('utf8').slice(0, 80))} as ${ct}`);
    }), { numRuns: 300, seed: SEED });
    await assertAlive(reg, 'random bodies');
  });

  it('mutated manifests and indexes: success exactly when still valid, else a manifest error and no tag', async () => {
    const t = newTally();
    tallies.push(['mutated manifests', t]);
    const garbageDigest = fc.oneof(
      fc.constantFrom(sha256('missing blob'), 'sha256:..', '', 'sha256:' + 'A'.repeat(64), 'md5:00', config.digest.toUpperCase()),
      fc.string({ maxLength: 20 }),
    );
    const valueArb: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, garbageDigest, fc.constant(null));
    const fieldArb = fc.constantFrom('schemaVersion', 'mediaType', 'config', 'layers', 'manifests', 'subject', 'artifactType', 'annotations');
    const descFieldArb = fc.constantFrom('mediaType', 'digest', 'size', 'urls', 'platform', 'annotations', 'artifactType');
    const mutationArb = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), field: fieldArb }),
      fc.record({ kind: fc.constant('set' as const), field: fieldArb, value: valueArb }),
      fc.record({ kind: fc.constant('desc-drop' as const), field: descFieldArb }),
      fc.record({ kind: fc.constant('desc-set' as const), field: descFieldArb, value: valueArb }),
      fc.record({ kind: fc.constant('missing-blob' as const) }),
      fc.record({ kind: fc.constant('subject' as const), known: fc.boolean() }),
      fc.record({ kind: fc.constant('foreign' as const) }),
    );
    const baseArb = fc.constantFrom('oci', 'docker', 'index', 'list');
    await fc.assert(fc.asyncProperty(baseArb, fc.array(mutationArb, { minLength: 0, maxLength: 3 }), fc.boolean(), async (base, mutations, sendType) => {
      const doc = baseDocument(base);
      for (const m of mutations) mutate(doc, m);
      const body = Buffer.from(JSON.stringify(doc));
      const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
      const status = await pushAndCheck(t, body, sendType ? declared ?? MT.ociManifest : undefined, `${base} + ${JSON.stringify(mutations)}`);
      if (mutations.length === 0) assert.equal(status, 201, `unmutated ${base} must be accepted`);
      if (mutations.length === 1 && mutations[0]!.kind === 'missing-blob') assert.equal(status, 400, 'a missing blob is MANIFEST_BLOB_UNKNOWN');
    }), { numRuns: 400, seed: SEED + 1 });
    await assertAlive(reg, 'mutations');

    function baseDocument(base: string): Record<string, Json> {
      const d = (x: Descriptor) => ({ ...x }) as unknown as Json;
      if (base === 'oci') return { schemaVersion: 2, mediaType: MT.ociManifest, config: d(config), layers: [d(layer)] };
      if (base === 'docker') return { schemaVersion: 2, mediaType: MT.dockerManifest, config: d({ ...config, mediaType: MT.dockerConfig }), layers: [d({ ...layer, mediaType: MT.dockerLayer })] };
      const child = d({ ...img.descriptor });
      return { schemaVersion: 2, mediaType: base === 'index' ? MT.ociIndex : MT.dockerList, manifests: [child] };
    }

    function mutate(doc: Record<string, Json>, m: { kind: string; field?: string; value?: Json; known?: boolean }): void {
      const list = (Array.isArray(doc.layers) ? doc.layers : Array.isArray(doc.manifests) ? doc.manifests : []) as Json[];
      const target = (list[0] ?? doc.config) as Record<string, Json> | undefined;
      switch (m.kind) {
        case 'drop': delete doc[m.field!]; break;
        case 'set': doc[m.field!] = m.value!; break;
        case 'desc-drop': if (target && typeof target === 'object') delete target[m.field!]; break;
        case 'desc-set': if (target && typeof target === 'object') target[m.field!] = m.value!; break;
        case 'missing-blob': if (target && typeof target === 'object') target.digest = sha256(`missing ${JSON.stringify(doc).length}`); break;
        case 'subject': doc.subject = { mediaType: MT.ociManifest, digest: m.known ? img.digest : sha256('nothing'), size: 10 }; break;
        case 'foreign': if (target && typeof target === 'object') target.urls = ['https://example.com/layer', 'file:///etc/passwd']; break;
      }
    }
  });

  it('PUT by digest: accepted only when the digest is the body\'s', async () => {
    const t = newTally();
    tallies.push(['digest references', t]);
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.constantFrom('sha256', 'sha512'), async (honest, alg) => {
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer], annotations: { n: String(++tagNo) } }));
      const { createHash } = await import('node:crypto');
      const digest = `${alg}:${createHash(alg).update(honest ? body : Buffer.concat([body, Buffer.from(' ')])).digest('hex')}`;
      const res = await fromFetch(await fetch(`${reg.url}/v2/fuzz/m/manifests/${digest}`, { method: 'PUT', headers: { 'Content-Type': MT.ociManifest }, body: bodyOf(body) }));
      count(t, res.status);
      const code = assertSane(res, `PUT by ${digest}`, t);
      if (honest) assert.equal(res.status, 201);
      else assert.equal(code, 'DIGEST_INVALID');
      const got = await fetch(`${reg.url}/v2/fuzz/m/manifests/${digest}`);
      const bytes = Buffer.from(await got.arrayBuffer());
      if (honest) assert.ok(bytes.equals(body));
      else assert.equal(got.status, 404);
    }), { numRuns: 100, seed: SEED + 2 });
  });

  it('oversize, deeply nested and truncated bodies: 413, MANIFEST_INVALID, or nothing stored', async () => {
    const t = newTally();
    tallies.push(['oversize / nested / truncated', t]);
    await fc.assert(fc.asyncProperty(fc.integer({ min: MAX_BYTES - 100, max: MAX_BYTES * 4 }), fc.boolean(), async (size, chunked) => {
      const pad = 'x'.repeat(Math.max(0, size - 120));
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [], annotations: { pad } }));
      const tag = `big${++tagNo}`;
      const headers: Array<[string, string]> = [['Content-Type', MT.ociIndex]];
      let payload: Buffer = body;
      if (chunked) {
        headers.push(['Transfer-Encoding', 'chunked']);
        payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      } else {
        headers.push(['Content-Length', String(body.length)]);
      }
      const r = await exchange(reg.url, requestBytes('PUT', `/v2/fuzz/m/manifests/${tag}`, headers, payload));
      count(t, r.status);
      const code = assertSane(r, `PUT ${body.length} bytes${chunked ? ' chunked' : ''}`, t);
      if (body.length > MAX_BYTES) {
        assert.equal(r.status, 413);
        assert.equal(code, 'MANIFEST_INVALID');
      } else {
        assert.equal(r.status, 201);
      }
    }), { numRuns: 60, seed: SEED + 3 });

    for (const depth of [1_000, 10_000, 30_000]) {
      const body = Buffer.from(`{"schemaVersion":2,"mediaType":"${MT.ociIndex}","manifests":[],"annotations":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
      if (body.length > MAX_BYTES) continue;
      const status = await pushAndCheck(t, body, MT.ociIndex, `nesting depth ${depth}`);
      assert.ok(status === 201 || status === 400, `depth ${depth}: ${status}`);
    }

    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 300 }), async (cut) => {
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer], annotations: { cut: String(cut), n: String(++tagNo) } }));
      const tag = `cut${tagNo}`;
      const part = body.subarray(0, Math.max(0, body.length - cut));
      const r = await exchange(reg.url, requestBytes('PUT', `/v2/fuzz/m/manifests/${tag}`, [['Content-Type', MT.ociManifest], ['Content-Length', String(body.length)]], part), { halfClose: true, timeoutMs: 5_000 });
      count(t, r.status);
      if (r.status !== undefined) assertSane(r, `truncated by ${cut}`, t);
      const got = await fetch(`${reg.url}/v2/fuzz/m/manifests/${tag}`);
      await got.arrayBuffer();
      assert.equal(got.status, 404, `a truncated manifest push created tag ${tag}`);
    }), { numRuns: 100, seed: SEED + 4 });
    await assertAlive(reg, 'oversize and truncated');
  });

  it('layers with urls: accepted exactly when every checked URL passes and the blob is pushed or the layer is external', async () => {
    const t = newTally();
    tallies.push(['layers with urls', t]);
    const ext = await startFuzzRegistry(['validation:', '  manifests:', '    urls:', '      allow:', "        - '^https?://layers\\.example\\.com/'", '      deny:', "        - '/denied/'"]);
    try {
      // The oracle, written from distribution's rules rather than from Berth's code.
      const nondistributable = ['application/vnd.oci.image.layer.nondistributable.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
        'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'];
      const urlChecked = [...nondistributable, 'application/vnd.oci.image.layer.v1.tar', MT.ociLayer, 'application/vnd.oci.image.layer.v1.tar+zstd'];
      const types = [...urlChecked, MT.dockerLayer, 'application/octet-stream'];
      const urls: Array<[string, boolean]> = [
        ['https://layers.example.com/a', true], ['http://layers.example.com/b', true], ['https://layers.example.com/c#', true],
        ['https://layers.example.com/denied/d', false], ['https://other.example.org/e', false], ['ftp://layers.example.com/f', false],
        ['https://layers.example.com/g#part', false], ['HTTPS://layers.example.com/h', false], ['layers.example.com/i', false],
      ];
      const cfg = Buffer.from('{"os":"windows"}');
      await pushBlob(ext.url, 'fuzz/ext', cfg);
      await fc.assert(fc.asyncProperty(
        fc.constantFrom(...types), fc.subarray(urls), fc.boolean(), fc.boolean(),
        async (mediaType, chosen, pushed, docker) => {
          const bytes = Buffer.from(`layer ${++tagNo}`);
          if (pushed) await pushBlob(ext.url, 'fuzz/ext', bytes);
          const l = { mediaType, digest: sha256(bytes), size: bytes.length, ...(chosen.length > 0 ? { urls: chosen.map(([u]) => u) } : {}) };
          const type = docker ? MT.dockerManifest : MT.ociManifest;
          const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: type, config: descriptorOf(docker ? MT.dockerConfig : MT.ociConfig, cfg), layers: [l] }));
          const urlsPass = !urlChecked.includes(mediaType) || chosen.every(([, ok]) => ok);
          const external = nondistributable.includes(mediaType) && chosen.length > 0;
          const accepted = urlsPass && (pushed || external);
          const res = await fromFetch(await fetch(`${ext.url}/v2/fuzz/ext/manifests/t${tagNo}`, { method: 'PUT', headers: { 'Content-Type': type }, body: bodyOf(body) }));
          count(t, res.status);
          const code = assertSane(res, `${mediaType} ${JSON.stringify(l.urls)} pushed=${pushed}`, t);
          assert.equal(res.status, accepted ? 201 : 400, `${mediaType} ${JSON.stringify(l.urls)} pushed=${pushed}: ${code}`);
          if (!accepted) assert.equal(code, 'MANIFEST_BLOB_UNKNOWN');
          const got = await fetch(`${ext.url}/v2/fuzz/ext/manifests/t${tagNo}`);
          const served = Buffer.from(await got.arrayBuffer());
          if (accepted) assert.ok(served.equals(body), 'served byte for byte');
          else assert.equal(got.status, 404);
        },
      ), { numRuns: 200, seed: SEED + 5 });
      await assertAlive(ext, 'layers with urls');
    } finally {
      await ext.stop();
    }
  });
});
