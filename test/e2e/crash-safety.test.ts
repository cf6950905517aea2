// Crash safety: `berth serve` (the built bundle) is killed with SIGKILL at random moments while
// workers push images over the real OCI API (POST/PATCH/PUT blobs, manifests, tag moves), delete
// tags, leave uploads half-done and run online GCs. After every kill it is restarted and:
//  - fsck must find no errors (harmless leftovers of interrupted operations are allowed);
//  - every acknowledged (2xx) push must pull by tag, with every blob hashing to its digest,
//    unless a later acknowledged operation moved or deleted the tag (an operation in flight at
//    the kill may have happened or not: either outcome is accepted);
//  - uploads left open either resume (GET status, then complete) or fail with BLOB_UPLOAD_UNKNOWN.
// GC and fsck run online over the server's maintenance channel (the socket `berth gc` uses).
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { askAdmin } from '../../main/runtime/admin-client';
import { adminEndpoint, serverIdentity } from '../../main/runtime/admin-endpoint';
import { repoRoot } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { bodyOf, sha256 } from '../support/oci';
import { freePort, sleep, spawnProcess, useE2EHooks, waitForHttp, type ManagedProcess } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

const ROUNDS = Number(process.env.BERTH_CRASH_ROUNDS ?? 60);
const WORKERS = 4;
const TAGS_PER_WORKER = 3;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

interface Image { manifest: string; blobs: string[] }
/** What a tag must show: an image, or nothing (deleted). `maybe` is the op in flight at the kill. */
interface Expect { now: Image | null; maybe?: Image | null }

describe('crash safety under SIGKILL', () => {
  it(`survives ${ROUNDS} kills during pushes, tag moves, deletes and GC`, { timeout: 240_000 }, async () => {
    const bin = join(repoRoot, 'bin', 'berth.cjs');
    if (!existsSync(join(repoRoot, 'dist', 'berth.cjs'))) throw new Error('dist/berth.cjs is missing: run `npm run build` first');
    const work = await tempDir('berth-crash-');
    const apiPort = await freePort();
    const url = `http://127.0.0.1:${apiPort}`;
    const config = join(work, 'config.yml');
    const env = { ...process.env, BERTH_DATA_DIR: join(work, 'berth-data') };
    await writeFile(config, testRegistryYaml(work, { port: apiPort, extra: [
      // Sessions are left open on purpose, hundreds over the rounds, to check they survive the
      // kills; the caps on them are upload-limits.test.ts's subject, not this test's.
      'berth:', '  uploads:', '    maxperrepository: 0', '    maxperclient: 0',
    ] }));
    const channel = adminEndpoint(env.BERTH_DATA_DIR, serverIdentity(parseConfig(await readFile(config, 'utf8'), { source: config }).config)).path;

    const expected = new Map<string, Expect>();
    const stats = { pushes: 0, deletes: 0, gcs: 0, resumed: 0, uploadsGone: 0, cleanFailures: 0, leftovers: 0 };
    const leftoverKinds = new Map<string, number>();
    let proc: ManagedProcess | undefined;

    const start = async () => {
      proc = spawnProcess(`berth crash ${apiPort}`, process.execPath, [bin, 'serve', '--config', config], { cwd: repoRoot, env });
      await waitForHttp(`${url}/v2/`, { proc, timeoutMs: 20_000 });
      // The channel opens just after the listener (replacing the socket the killed server left).
      for (let i = 0; i < 200 && !proc.output().includes('Maintenance channel'); i++) await sleep(25);
      assert.match(proc.output(), /Maintenance channel/);
    };

    for (let round = 1; round <= ROUNDS; round++) {
      await start();
      // The in-flight op of each worker at the kill; uploads left open on purpose.
      const open: string[] = [];
      let alive = true;
      const worker = async (w: number) => {
        while (alive) {
          const tag = `w${w}-t${randomInt(TAGS_PER_WORKER)}`;
          const repo = `crash/r${w % 2}`;
          const key = `${repo}:${tag}`;
          const dice = randomInt(100);
          try {
            if (dice < 60) {
              const img = await pushImage(url, repo, (candidate) => {
                expected.set(key, { now: expected.get(key)?.now ?? null, maybe: candidate });
              }, tag);
              if (img) {
                expected.set(key, { now: img });
                stats.pushes++;
              } else {
                expected.set(key, { now: expected.get(key)?.now ?? null }); // failed cleanly: unchanged
                stats.cleanFailures++;
              }
            } else if (dice < 75) {
              expected.set(key, { now: expected.get(key)?.now ?? null, maybe: null });
              const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: 'DELETE' });
              await res.arrayBuffer();
              if (res.status === 202 || res.status === 404) expected.set(key, { now: null });
              if (res.status === 202) stats.deletes++;
            } else if (dice < 85) {
              open.push(await openUpload(url, repo));
            } else {
              await gc();
            }
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err; // a wrong answer, not a dead server
            return; // the server died under this request
          }
        }
      };
      // Online GC (one at a time: a second request gets 409). Layers pushed more than a second
      // ago and not yet referenced may go, which fails that push cleanly (MANIFEST_BLOB_UNKNOWN).
      const gc = async () => {
        let report;
        try {
          report = await askAdmin(channel, 'gc', { gracePeriodMs: 1000, deleteUntagged: randomInt(2) === 1 });
        } catch (err) {
          const m = /\(HTTP (\d+)\)/.exec((err as Error).message);
          if (!m) throw err; // the server died under the request
          assert.equal(m[1], '409', `GC answered ${(err as Error).message}`);
          return;
        }
        if (report === undefined) throw new Error('the server is gone');
        stats.gcs++;
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      if (round % 2 === 0) workers.push(gc().catch((err: unknown) => { if (err instanceof assert.AssertionError) throw err; }));
      await sleep(randomInt(40, 400));
      process.kill(proc!.pid, 'SIGKILL'); // our own child, by pid
      alive = false;
      await proc!.exited;
      for (const r of await Promise.allSettled(workers)) if (r.status === 'rejected') throw r.reason;

      await start();
      const fsck = (await askAdmin(channel, 'fsck', {}))!;
      assert.equal(fsck.errors, 0, `round ${round}: fsck found errors: ${JSON.stringify(fsck.problems, null, 1)}`);
      stats.leftovers += fsck.leftovers;
      for (const p of fsck.problems as Array<{ kind: string }>) leftoverKinds.set(p.kind, (leftoverKinds.get(p.kind) ?? 0) + 1);
      for (const [key, exp] of expected) {
        const [repo, tag] = key.split(':') as [string, string];
        const seen = await pullTag(url, repo, tag);
        const ok = [exp.now, ...(exp.maybe !== undefined ? [exp.maybe] : [])].some((e) => (e === null ? seen === null : seen?.manifest === e.manifest));
        assert.ok(ok, `round ${round}: ${key} shows ${seen?.manifest ?? 'nothing'}, expected ${exp.now?.manifest ?? 'nothing'}${exp.maybe !== undefined ? ` or ${exp.maybe?.manifest ?? 'nothing'}` : ''}`);
        expected.set(key, { now: seen && (exp.now?.manifest === seen.manifest ? exp.now : exp.maybe ?? null) });
      }
      for (const loc of open) {
        const status = await fetch(loc);
        await status.arrayBuffer();
        if (status.status === 204) {
          const rest = randomBytes(100);
          const done = await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: rest });
          await done.arrayBuffer();
          assert.equal(done.status, 202, `round ${round}: resumed upload accepts more data`);
          stats.resumed++;
        } else {
          const body = await status.text();
          assert.equal(status.status, 404, `round ${round}: upload status ${status.status} ${body}`);
          assert.match(body, /BLOB_UPLOAD_UNKNOWN/);
          stats.uploadsGone++;
        }
      }
      await proc!.stop();
    }
    process.stdout.write(`# crash safety: ${ROUNDS} SIGKILL rounds survived; ${JSON.stringify(stats)}; leftovers by kind ${JSON.stringify(Object.fromEntries(leftoverKinds))}\n`);
  });
});

/** Pushes config + 1–2 layers (chunked PATCHes) and the manifest under `tag`. Undefined: clean failure. */
async function pushImage(url: string, repo: string, inFlight: (img: Image) => void, tag: string): Promise<Image | undefined> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: randomBytes(8).toString('hex') }));
  const layers = Array.from({ length: randomInt(1, 3) }, () => randomBytes(randomInt(1, 96 * 1024)));
  for (const b of [config, ...layers]) if (!(await pushBlob(url, repo, b))) return undefined;
  const desc = (mediaType: string, b: Buffer) => ({ mediaType, digest: sha256(b), size: b.length });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: ACCEPT, config: desc('application/vnd.oci.image.config.v1+json', config),
    layers: layers.map((l) => desc('application/vnd.oci.image.layer.v1.tar+gzip', l)),
  }));
  const img: Image = { manifest: sha256(manifest), blobs: [config, ...layers].map(sha256) };
  inFlight(img);
  const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': ACCEPT }, body: manifest });
  const body = await res.text();
  if (res.status === 201) return img;
  // A GC may remove layers pushed before it began and not yet referenced: a clean, retryable failure.
  assert.match(body, /MANIFEST_BLOB_UNKNOWN/, `manifest PUT: ${res.status} ${body}`);
  return undefined;
}

async function pushBlob(url: string, repo: string, bytes: Buffer): Promise<true> {
  const loc = await startUpload(url, repo);
  const half = randomInt(bytes.length + 1);
  const patch = await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: bodyOf(bytes.subarray(0, half)) });
  assert.equal(patch.status, 202, `blob PATCH: ${await patch.text()}`);
  const next = new URL(patch.headers.get('location')!, url);
  next.searchParams.set('digest', sha256(bytes));
  const put = await fetch(next, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bodyOf(bytes.subarray(half)) });
  assert.equal(put.status, 201, `blob PUT: ${await put.text()}`);
  return true;
}

async function startUpload(url: string, repo: string): Promise<string> {
  const res = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await res.arrayBuffer();
  assert.equal(res.status, 202);
  return new URL(res.headers.get('location')!, url).toString();
}

/** An upload with some bytes in it, left open (as a client that dies mid-push leaves it). */
async function openUpload(url: string, repo: string): Promise<string> {
  const loc = await startUpload(url, repo);
  const first = await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: randomBytes(randomInt(1, 4096)) });
  await first.arrayBuffer();
  assert.equal(first.status, 202);
  return new URL(first.headers.get('location')!, url).toString();
}

/** The image a tag serves (every blob fetched and hashed), or null when the tag is unknown. */
async function pullTag(url: string, repo: string, tag: string): Promise<Image | null> {
  const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { headers: { Accept: ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status === 404) return null;
  assert.equal(res.status, 200, `${repo}:${tag}: ${body.toString()}`);
  const m = JSON.parse(body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const blobs = [m.config, ...m.layers].map((d) => d.digest);
  for (const d of blobs) {
    const b = await fetch(`${url}/v2/${repo}/blobs/${d}`);
    const bytes = Buffer.from(await b.arrayBuffer());
    assert.equal(b.status, 200, `${repo}:${tag} blob ${d}`);
    assert.equal(sha256(bytes), d, `${repo}:${tag} blob ${d} is intact`);
  }
  return { manifest: sha256(body), blobs };
}
