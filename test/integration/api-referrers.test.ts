// end-12a/b: the referrers API (distribution spec v1.1), and OCI-Subject on manifest PUT.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MT, EMPTY_JSON, descriptorOf, expectError, expectStatus, ociIndex, pushArtifact, pushBlob, pushImage, putManifest, sha256,
  type PushedImage,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

interface Index { schemaVersion: number; mediaType: string; manifests: Array<{ mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }> }

const SBOM = 'application/vnd.example.sbom.v1+json';
const SIG = 'application/vnd.example.signature.v1';

async function referrers(url: string, repo: string, digest: string, artifactType?: string): Promise<{ res: Response; index: Index }> {
  const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const res = await fetch(`${url}/v2/${repo}/referrers/${digest}${q}`);
  const index = JSON.parse((await expectStatus(res, 200)).toString()) as Index;
  return { res, index };
}

describe('referrers', () => {
  let reg: TestRegistry;
  let subject: PushedImage;
  let sbom: { manifest: Buffer; digest: string };
  let sig: { manifest: Buffer; digest: string };
  let sbom2: { manifest: Buffer; digest: string };
  before(async () => {
    reg = await startTestRegistry();
    subject = await pushImage(reg.url, 'ref/repo', 'v1');
  });
  after(async () => { await reg.stop(); });

  it('an unknown subject has an empty index, not a 404', async () => {
    const { res, index } = await referrers(reg.url, 'ref/repo', sha256('no such subject'));
    assert.equal(res.headers.get('content-type'), MT.ociIndex);
    assert.deepEqual(index, { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] });
  });

  it('PUT of a manifest with a subject answers OCI-Subject', async () => {
    const pushed = await pushArtifact(reg.url, 'ref/repo', subject.descriptor, SBOM, { annotations: { 'org.example.kind': 'sbom' } });
    await expectStatus(pushed.response, 201);
    assert.equal(pushed.response.headers.get('oci-subject'), subject.digest);
    assert.equal(pushed.response.headers.get('docker-content-digest'), pushed.digest);
    sbom = pushed;
    const s = await pushArtifact(reg.url, 'ref/repo', subject.descriptor, SIG);
    await expectStatus(s.response, 201);
    sig = s;
    // The image-spec 1.1 rc form: no artifactType, the config media type says what it is.
    const s2 = await pushArtifact(reg.url, 'ref/repo', subject.descriptor, SBOM, { viaConfigMediaType: true });
    await expectStatus(s2.response, 201);
    sbom2 = s2;
  });

  it('the artifact is stored byte for byte, with its artifactType and empty config', async () => {
    const res = await fetch(`${reg.url}/v2/ref/repo/manifests/${sbom.digest}`);
    const body = await expectStatus(res, 200);
    assert.ok(body.equals(sbom.manifest));
    const m = JSON.parse(body.toString()) as { artifactType: string; config: { mediaType: string; digest: string; size: number }; subject: { digest: string } };
    assert.equal(m.artifactType, SBOM);
    assert.deepEqual(m.config, descriptorOf(MT.ociEmpty, EMPTY_JSON));
    assert.equal(m.subject.digest, subject.digest);
    const cfg = await fetch(`${reg.url}/v2/ref/repo/blobs/${sha256(EMPTY_JSON)}`);
    assert.equal((await expectStatus(cfg, 200)).toString(), '{}');
  });

  it('lists every referrer with descriptor, artifactType and annotations', async () => {
    const { res, index } = await referrers(reg.url, 'ref/repo', subject.digest);
    assert.equal(res.headers.get('content-type'), MT.ociIndex);
    assert.equal(res.headers.get('oci-filters-applied'), null);
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MT.ociIndex);
    const byDigest = new Map(index.manifests.map((d) => [d.digest, d]));
    assert.equal(index.manifests.length, 3);
    assert.deepEqual(byDigest.get(sbom.digest), {
      mediaType: MT.ociManifest, digest: sbom.digest, size: sbom.manifest.length, artifactType: SBOM,
      annotations: { 'org.example.kind': 'sbom' },
    });
    assert.equal(byDigest.get(sig.digest)?.artifactType, SIG);
    assert.equal(byDigest.get(sbom2.digest)?.artifactType, SBOM, 'artifactType falls back to the config media type');
    assert.equal(byDigest.get(sig.digest)?.size, sig.manifest.length);
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const { res, index } = await referrers(reg.url, 'ref/repo', subject.digest, SBOM);
    assert.equal(res.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(index.manifests.map((d) => d.digest).sort(), [sbom.digest, sbom2.digest].sort());
    const none = await referrers(reg.url, 'ref/repo', subject.digest, 'application/vnd.example.none');
    assert.deepEqual(none.index.manifests, []);
    assert.equal(none.res.headers.get('oci-filters-applied'), 'artifactType');
  });

  it('an index can be a referrer too', async () => {
    const child = await pushImage(reg.url, 'ref/repo');
    const idx = ociIndex([child.descriptor], { subject: subject.descriptor, artifactType: 'application/vnd.example.bundle' });
    const put = await putManifest(reg.url, 'ref/repo', sha256(idx), idx, MT.ociIndex);
    await expectStatus(put, 201);
    assert.equal(put.headers.get('oci-subject'), subject.digest);
    const { index } = await referrers(reg.url, 'ref/repo', subject.digest, 'application/vnd.example.bundle');
    assert.deepEqual(index.manifests, [{ mediaType: MT.ociIndex, digest: sha256(idx), size: idx.length, artifactType: 'application/vnd.example.bundle' }]);
  });

  it('a manifest whose subject does not exist is accepted and listed under that subject', async () => {
    const ghost = descriptorOf(MT.ociManifest, Buffer.from('{"ghost":true}'));
    const pushed = await pushArtifact(reg.url, 'ref/repo', ghost, SIG);
    await expectStatus(pushed.response, 201);
    assert.equal(pushed.response.headers.get('oci-subject'), ghost.digest);
    const { index } = await referrers(reg.url, 'ref/repo', ghost.digest);
    assert.deepEqual(index.manifests.map((d) => d.digest), [pushed.digest]);
  });

  it('referrers are per repository', async () => {
    const { index } = await referrers(reg.url, 'ref/other', subject.digest);
    assert.deepEqual(index.manifests, []);
  });

  it('a deleted referrer disappears from the list', async () => {
    await expectStatus(await fetch(`${reg.url}/v2/ref/repo/manifests/${sig.digest}`, { method: 'DELETE' }), 202);
    const { index } = await referrers(reg.url, 'ref/repo', subject.digest);
    assert.ok(!index.manifests.some((d) => d.digest === sig.digest));
  });

  it('the list is rebuilt from disk after a restart', async () => {
    await reg.restart();
    const { index } = await referrers(reg.url, 'ref/repo', subject.digest, SBOM);
    assert.deepEqual(index.manifests.map((d) => d.digest).sort(), [sbom.digest, sbom2.digest].sort());
  });

  it('a malformed subject digest is 400 DIGEST_INVALID', async () => {
    await expectError(await fetch(`${reg.url}/v2/ref/repo/referrers/sha256:short`), 400, 'DIGEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/ref/repo/referrers/v1`), 400, 'DIGEST_INVALID');
  });

  it('pushing the empty config blob is an ordinary blob push', async () => {
    const d = await pushBlob(reg.url, 'ref/empty', EMPTY_JSON);
    assert.equal(d, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
