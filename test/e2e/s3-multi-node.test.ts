// Several `berth serve` processes on one S3 bucket (a real Ceph RADOS Gateway) and one Redis,
// in shared mode (storage.cache.blobdescriptor: redis, redis.addr), must behave as one
// registry: whatever a client did through one node is what every other node serves at once.
// Real clients cross the nodes (docker, skopeo, podman), and plain HTTP checks what caches would
// get wrong: a tag moved or deleted on one node, the catalog, an upload session whose chunks
// arrive at different nodes, and a node killed with SIGKILL in the middle of a chunk.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { startCephGateway, type CephGateway } from '../support/ceph-gateway';
import { tempDir } from '../support/cleanup';
import { preparePodman, prepareSkopeo } from '../support/container-tools';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { pullFresh, pushAndCheck, rootfsLayers, runInImage } from '../support/docker-flows';
import { buildMultiLayerImage, importBusyboxImage, writeBusyboxRootfsTar } from '../support/images';
import {
  ALL_MANIFEST_TYPES, bodyOf, descriptorOf, expectError, expectStatus, json, MT, ociManifest, pushBlob, pushImage, putManifest, sha256, startUpload, withDigest,
} from '../support/oci';
import { readVerifiedBlobs, writeMultiPlatformLayout } from '../support/oci-layout';
import { useE2EHooks } from '../support/processes';
import { startRedis, type RedisServer } from '../support/redis-server';
import { fetchManifest, fetchTags } from '../support/registry-http';
import { startRegistryProcess, type RegistryProcess } from '../support/registry-process';

useE2EHooks();

const MiB = 1024 * 1024;

let d: Dockerd;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let podman: Awaited<ReturnType<typeof preparePodman>>;
let gw: CephGateway;
let redis: RedisServer;
let storage: string[];
let A: RegistryProcess;
let B: RegistryProcess;

before(async () => {
  [d, skopeo, podman, gw, redis] = await Promise.all([sharedDockerd(), prepareSkopeo(), preparePodman(), startCephGateway(), startRedis()]);
  const bucket = 'berth-multi-node';
  await gw.createBucket(bucket);
  storage = [
    // Below the bucket's root, so both nodes must agree on the prefix, not just on the bucket.
    ...gw.storageLines(bucket, { rootdirectory: '/registry' }),
    '  cache:',
    '    blobdescriptor: redis',
  ];
  [A, B] = await Promise.all([startNode(), startNode()]);
});

/** One more `berth serve` on the shared bucket and Redis, on its own port and data folder. */
function startNode(): Promise<RegistryProcess> {
  return startRegistryProcess('berth', { storage, extraYaml: ['redis:', `  addr: 127.0.0.1:${redis.port}`].join('\n') });
}

/** An upload Location one node handed out, addressed to another node. */
function at(node: RegistryProcess, location: string): string {
  const u = new URL(location);
  return new URL(u.pathname + u.search, node.url).toString();
}

function patchChunk(location: string, bytes: Buffer, offset: number): Promise<Response> {
  return fetch(location, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + bytes.length - 1}` },
    body: bodyOf(bytes),
  });
}

/** GET of a blob through `node`, checked against the bytes pushed. */
async function expectBlob(node: RegistryProcess, repo: string, bytes: Buffer, label: string): Promise<void> {
  const digest = sha256(bytes);
  const res = await fetch(`${node.url}/v2/${repo}/blobs/${digest}`);
  const body = await expectStatus(res, 200);
  assert.equal(res.headers.get('docker-content-digest'), digest, `${label}: Docker-Content-Digest`);
  assert.equal(body.length, bytes.length, `${label}: size`);
  assert.equal(sha256(body), digest, `${label}: the bytes hash to the digest`);
}

test('docker pushes through node A; docker pulls the same image through node B and runs it', { timeout: 300_000 }, async () => {
  const repo = 'mn/docker';
  const refA = `${A.addr}/${repo}:v1`;
  const refB = `${B.addr}/${repo}:v1`;
  await importBusyboxImage(d, 'mn-base:latest');
  const files = await buildMultiLayerImage(d, 'mn-base:latest', refA);
  const layers = await rootfsLayers(d, refA);
  const digest = await pushAndCheck(d, A.url, refA);

  assert.deepEqual(await fetchTags(B.url, repo), ['v1']);
  assert.equal(await pullFresh(d, refB, layers), digest, 'B serves the manifest docker pushed through A');
  const sums = await runInImage(d, refB, ['/bin/busybox', 'sha256sum', ...files.map((f) => f.path)]);
  assert.equal(sums, files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
});

test('skopeo copies a two-platform index into node A; node B serves its bytes and every blob', { timeout: 300_000 }, async () => {
  const layout = await writeMultiPlatformLayout(join(await tempDir('berth-oci-'), 'layout'), { tag: 'v1', label: 'multi-node' });
  await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${A.addr}/mn/multi:v1`]);
  const refB = `docker://${B.addr}/mn/multi:v1`;
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', refB]);
  assert.ok(raw.stdoutBytes.equals(layout.index), 'B serves the index bytes skopeo pushed through A');
  const out = join(await tempDir('berth-oci-out-'), 'layout');
  await skopeo(['copy', '--all', '--src-tls-verify=false', refB, `oci:${out}:v1`]);
  const blobs = await readVerifiedBlobs(out);
  for (const digest of layout.blobs.keys()) assert.ok(blobs.has(digest), `blob ${digest} read back through B`);
});

test('podman pushes through node B and pulls through node A, then runs the image', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-pmt-');
  const tar = join(dir, 'rootfs.tar');
  await writeBusyboxRootfsTar(tar);
  await podman(['import', '--change', 'CMD ["/bin/busybox", "sh"]', tar, 'localhost/mn-podman:latest']);
  const digestFile = join(dir, 'pushed.digest');
  await podman(['push', '--tls-verify=false', '--format', 'oci', '--digestfile', digestFile, 'localhost/mn-podman:latest', `${B.addr}/mn/podman:v1`]);
  const digest = (await readFile(digestFile, 'utf8')).trim();

  const served = await fetchManifest(A.url, 'mn/podman', 'v1');
  assert.equal(served.digest, digest, 'A answers with the digest podman pushed through B');
  assert.equal(served.bodyDigest, digest, 'the manifest bytes A serves hash to that digest');

  const refA = `${A.addr}/mn/podman:v1`;
  await podman(['rmi', '--all', '--force']);
  assert.equal((await podman(['images', '--quiet'])).stdout.trim(), '', 'local store is empty before pulling');
  await podman(['pull', '--tls-verify=false', refA]);
  assert.equal((await podman(['image', 'inspect', '--format', '{{.Digest}}', refA])).stdout.trim(), digest);
  // Limits any root can set: podman's defaults need CAP_SYS_RESOURCE (see podman.test.ts).
  const run = await podman(['run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', refA, '/bin/busybox', 'echo', 'ok']);
  assert.equal(run.stdout, 'ok\n');
});

test('a tag moved or deleted through node A is never served stale by node B', { timeout: 180_000 }, async () => {
  const repo = 'mn/moving';
  const layer = randomBytes(4096);
  await pushBlob(A.url, repo, layer);
  const manifests = await Promise.all(['one', 'two'].map(async (name) => {
    const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, name });
    await pushBlob(A.url, repo, config);
    const bytes = ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)]);
    return { bytes, digest: sha256(bytes) };
  }));
  const [m1, m2] = manifests as [typeof manifests[0], typeof manifests[0]];
  const put = async (tag: string, m: typeof m1) => void (await expectStatus(await putManifest(A.url, repo, tag, m.bytes, MT.ociManifest), 201));
  // A second tag keeps the repository's tag list non-empty once `t` is deleted.
  await put('keep', m1);
  await put('t', m1);
  // B reads (and may cache) the tag and the tag list before every move.
  assert.equal((await fetchManifest(B.url, repo, 't')).digest, m1.digest, 'B serves the first push of t');
  assert.deepEqual(await fetchTags(B.url, repo), ['keep', 't']);

  // Every answer is collected, so a failure says how often B was stale, not just that it was.
  const stale: string[] = [];
  for (let round = 1; round <= 20; round++) {
    const want = round % 2 === 1 ? m2 : m1;
    await put('t', want);
    const served = await fetchManifest(B.url, repo, 't');
    if (served.digest !== want.digest || served.bodyDigest !== want.digest) {
      stale.push(`round ${round}: B served ${served.digest} (body ${served.bodyDigest}) right after A moved t to ${want.digest}`);
    }
  }

  const del = await fetch(`${A.url}/v2/${repo}/manifests/t`, { method: 'DELETE' });
  await expectStatus(del, 202);
  const after = await fetch(`${B.url}/v2/${repo}/manifests/t`, { headers: { Accept: ALL_MANIFEST_TYPES } });
  if (after.status === 404) await expectError(after, 404, 'MANIFEST_UNKNOWN');
  else stale.push(`after A deleted t, B answered ${after.status} ${after.headers.get('docker-content-digest')} instead of 404: ${await after.text()}`);
  const tags = await fetchTags(B.url, repo);
  if (tags.join() !== 'keep') stale.push(`after A deleted t, B lists tags ${JSON.stringify(tags)} instead of ["keep"]`);

  assert.deepEqual(stale, [], `B answered from a stale view ${stale.length} times`);
});

test('the catalog on node B lists a repository created through node A at once', { timeout: 60_000 }, async () => {
  // A name neither node has seen, so only the shared state can tell B about it.
  const repo = `mn/catalog-${randomBytes(4).toString('hex')}`;
  const earlier = await fetch(`${B.url}/v2/_catalog?n=1000`);
  assert.ok(!(JSON.parse((await expectStatus(earlier, 200)).toString()) as { repositories: string[] }).repositories.includes(repo));
  await pushImage(A.url, repo, 'v1', { layerCount: 1 });
  for (const node of [A, B]) {
    const res = await fetch(`${node.url}/v2/_catalog?n=1000`);
    const { repositories } = JSON.parse((await expectStatus(res, 200)).toString()) as { repositories: string[] };
    assert.ok(repositories.includes(repo), `${node === A ? 'A' : 'B'} lists ${repo} right after the push through A: ${JSON.stringify(repositories)}`);
  }
});

test('one upload session takes its chunks, status and commit through both nodes', { timeout: 120_000 }, async () => {
  const repo = 'mn/upload';
  const first = randomBytes(6 * MiB);
  const second = randomBytes(3 * MiB + 123);
  const whole = Buffer.concat([first, second]);
  const location = await startUpload(A.url, repo);

  const p1 = await patchChunk(at(B, location), first, 0);
  await expectStatus(p1, 202);
  assert.equal(p1.headers.get('range'), `0-${first.length - 1}`, 'B took the first chunk of an upload A started');

  const status = await fetch(at(A, location));
  await expectStatus(status, 204);
  assert.equal(status.headers.get('range'), `0-${first.length - 1}`, 'A reports the chunk B received');

  const p2 = await patchChunk(at(A, location), second, first.length);
  await expectStatus(p2, 202);
  assert.equal(p2.headers.get('range'), `0-${whole.length - 1}`, 'A appended the second chunk after B\'s');

  const put = await fetch(withDigest(at(B, p2.headers.get('location') ?? location), sha256(whole)), { method: 'PUT' });
  await expectStatus(put, 201);
  assert.equal(put.headers.get('docker-content-digest'), sha256(whole));
  await expectBlob(A, repo, whole, 'through A');
  await expectBlob(B, repo, whole, 'through B');
});

test('a node killed with SIGKILL mid-chunk loses no acknowledged push; its upload resumes on another node', { timeout: 180_000 }, async () => {
  // A node of its own to kill, so the pair the other tests use stays up whatever the order.
  const victim = await startNode();
  const repo = 'mn/killed';
  const acked = await pushImage(victim.url, repo, 'acked', { layerCount: 3, layerSize: 256 * 1024 });

  const first = randomBytes(6 * MiB);
  const rest = randomBytes(40 * MiB);
  const whole = Buffer.concat([first, rest]);
  const location = await startUpload(victim.url, repo);
  const p1 = await patchChunk(location, first, 0);
  await expectStatus(p1, 202);
  assert.equal(p1.headers.get('range'), `0-${first.length - 1}`);

  const outcome = await killWhileStreaming(victim, new URL(location).pathname, rest, first.length, 24 * MiB);
  assert.ok(outcome instanceof Error, `the killed node must not have answered the interrupted chunk, got HTTP ${String(outcome)}`);

  const status = await fetch(at(B, location));
  await expectStatus(status, 204);
  assert.equal(status.headers.get('range'), `0-${first.length - 1}`, 'B sees exactly the acknowledged first chunk');
  const p2 = await patchChunk(at(B, location), rest, first.length);
  await expectStatus(p2, 202);
  assert.equal(p2.headers.get('range'), `0-${whole.length - 1}`);
  const put = await fetch(withDigest(at(B, p2.headers.get('location') ?? location), sha256(whole)), { method: 'PUT' });
  await expectStatus(put, 201);
  await expectBlob(B, repo, whole, 'the resumed upload through B');

  const served = await fetchManifest(B.url, repo, 'acked');
  assert.equal(served.digest, acked.digest, 'B serves the image acknowledged by the killed node');
  assert.equal(served.bodyDigest, acked.digest);
  await expectBlob(B, repo, acked.config.bytes, 'config pushed through the killed node');
  for (const [i, l] of acked.layers.entries()) await expectBlob(B, repo, l.bytes, `layer ${i} pushed through the killed node`);
});

/**
 * PATCHes `chunk` to `node` and SIGKILLs the node once `killAfter` bytes have left this process
 * (the socket buffers hold only a few MiB, so the node is then writing the chunk to the bucket).
 * Resolves with the status the node answered, or the connection's error.
 */
async function killWhileStreaming(node: RegistryProcess, path: string, chunk: Buffer, offset: number, killAfter: number): Promise<number | Error> {
  const u = new URL(node.url);
  const req = request({
    host: u.hostname, port: u.port, method: 'PATCH', path, agent: false,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': chunk.length, 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
  });
  const answered = new Promise<number | Error>((resolve) => {
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', resolve);
  });
  for (let sent = 0; sent < killAfter; sent += MiB) {
    if (req.write(chunk.subarray(sent, sent + MiB))) continue;
    const drained = new Promise<'drained'>((resolve) => req.once('drain', () => resolve('drained')));
    if ((await Promise.race([drained, answered])) !== 'drained') break;
  }
  process.kill(node.proc.pid, 'SIGKILL'); // our own child, by pid
  const exit = await node.proc.exited;
  assert.equal(exit.signal, 'SIGKILL', `${node.proc.name} died of the SIGKILL`);
  const outcome = await answered;
  req.destroy();
  return outcome;
}
