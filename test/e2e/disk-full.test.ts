// Disk full: Berth's storage root on a 32 MiB tmpfs this test mounts. A blob larger than the
// free space, pushed monolithically, in chunks, or streamed, gets the OCI envelope (507,
// UNKNOWN, "insufficient storage…"), its partial data is removed, everything stored before still
// pulls with verified digests, and the server keeps serving. A manifest push that runs out of
// space at any step leaves no half-written tag and no empty or partial link file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { tempDir, deferCleanup } from '../support/cleanup';
import type { FuzzRegistry } from '../support/fuzz';
import { MT, descriptorOf, ociManifest, pushBlob, pushImage, sha256, type PushedImage } from '../support/oci';
import { requireRoot, runCommand, useE2EHooks } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

const SIZE_MIB = 32;

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string; writeError?: string }

/**
 * Sends a body in 64 KiB pieces as fast as the server takes them and resolves with the server's
 * answer, even when it comes early (mid-body) and the rest of the body is refused.
 */
function send(url: string, method: string, path: string, headers: Record<string, string | number>, body: Buffer): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let writeError: string | undefined;
    const req = request({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, ...(writeError ? { writeError } : {}) }));
      res.on('error', reject);
    });
    req.on('error', (err) => { writeError = err.message; setTimeout(() => reject(err), 2_000); });
    void (async () => {
      for (let off = 0; off < body.length && !req.destroyed; off += 65536) {
        if (!req.write(body.subarray(off, off + 65536))) {
          await new Promise<void>((r) => {
            const done = () => { req.off('drain', done); req.off('close', done); r(); };
            req.on('drain', done);
            req.on('close', done);
          });
        }
      }
      req.end();
    })();
  });
}

function assertStorageFull(r: Reply, what: string): void {
  assert.equal(r.status, 507, `${what}: ${r.status} ${r.body}`);
  const env = JSON.parse(r.body) as { errors: Array<{ code: string; message: string }> };
  assert.equal(env.errors[0]!.code, 'UNKNOWN', what);
  assert.match(env.errors[0]!.message, /insufficient storage/, what);
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

describe('disk full', () => {
  let mnt: string;
  let reg: FuzzRegistry;
  const before_: PushedImage[] = [];

  before(async () => {
    requireRoot('mounting a tmpfs for the storage root');
    const dir = await tempDir('berth-full-');
    mnt = join(dir, 'mnt');
    await mkdir(mnt);
    await runCommand('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MIB}m`, 'tmpfs', mnt]);
    deferCleanup(`umount ${mnt}`, async () => void (await runCommand('umount', [mnt], { check: false })));
    reg = await startRegistryOn(join(mnt, 'data'));
    deferCleanup('stop registry', () => reg.registry.stop());
    for (let i = 0; i < 3; i++) before_.push(await pushImage(reg.url, `full/app${i}`, 'v1', { layerCount: 2, layerSize: 64 * 1024 }));
  });

  async function assertEverythingPulls(): Promise<void> {
    for (const img of before_) {
      const repo = `full/app${before_.indexOf(img)}`;
      const m = await fetch(`${reg.url}/v2/${repo}/manifests/v1`, { headers: { Accept: MT.ociManifest } });
      assert.equal(sha256(Buffer.from(await m.arrayBuffer())), img.digest, `${repo}:v1`);
      for (const b of [img.config, ...img.layers]) {
        const res = await fetch(`${reg.url}/v2/${repo}/blobs/${b.digest}`);
        assert.equal(sha256(Buffer.from(await res.arrayBuffer())), b.digest, `${repo}@${b.digest}`);
      }
    }
  }

  /** No link file is empty or holds anything but a digest; no temp file or upload data is left. */
  async function assertNothingCorrupt(): Promise<void> {
    const all = await files(join(mnt, 'data'));
    for (const f of all.filter((p) => p.endsWith('/link'))) {
      assert.match(await readFile(f, 'utf8'), /^sha256:[0-9a-f]{64}$/, `${f} is not a complete link`);
    }
    assert.deepEqual(all.filter((p) => p.endsWith('.tmp')), [], 'temp files left behind');
    assert.deepEqual(all.filter((p) => p.includes('/_uploads/') && p.endsWith('/data')), [], 'upload data left behind');
    assert.deepEqual(reg.errors, [], 'the server logged unexpected errors');
  }

  for (const variant of ['monolithic', 'chunked', 'streamed'] as const) {
    it(`a ${variant} push larger than the free space: 507 envelope, partial data removed, old images intact`, async () => {
      const freeBefore = await freeBytes(mnt);
      const big = randomBytes(freeBefore + 4 * 1024 * 1024);
      const digest = sha256(big);
      const octet = { 'Content-Type': 'application/octet-stream' };
      let r: Reply;
      if (variant === 'monolithic') {
        r = await send(reg.url, 'POST', `/v2/full/big/blobs/uploads/?digest=${digest}`, { ...octet, 'Content-Length': big.length }, big);
      } else {
        const post = await fetch(`${reg.url}/v2/full/big/blobs/uploads/`, { method: 'POST' });
        await post.arrayBuffer();
        let loc = new URL(post.headers.get('location')!, reg.url).pathname;
        if (variant === 'chunked') {
          // 8 MiB chunks with Content-Range, until one fails.
          r = { status: 202, headers: {}, body: '' };
          for (let off = 0; off < big.length && r.status === 202; off += 8 << 20) {
            const chunk = big.subarray(off, off + (8 << 20));
            r = await send(reg.url, 'PATCH', loc, { ...octet, 'Content-Length': chunk.length, 'Content-Range': `${off}-${off + chunk.length - 1}` }, chunk);
            if (r.status === 202) loc = new URL(String(r.headers.location), reg.url).pathname;
          }
        } else {
          r = await send(reg.url, 'PATCH', loc, { ...octet, 'Transfer-Encoding': 'chunked' }, big);
        }
        // The upload is gone with its data: the session no longer exists.
        const status = await fetch(`${reg.url}${loc}`);
        await status.arrayBuffer();
        assert.equal(status.status, 404, 'the failed upload session should have been removed');
      }
      assertStorageFull(r, variant);
      const head = await fetch(`${reg.url}/v2/full/big/blobs/${digest}`, { method: 'HEAD' });
      assert.equal(head.status, 404);
      // Free space is back (within a few pages of directories and small files).
      assert.ok(await freeBytes(mnt) >= freeBefore - 64 * 1024, `free space ${await freeBytes(mnt)} < ${freeBefore} before the push`);
      await assertEverythingPulls();
      await assertNothingCorrupt();
      // The server keeps serving: a new small push works.
      await pushImage(reg.url, 'full/after', `${variant}`, { layerCount: 1, layerSize: 4096 });
    });
  }

  it('a manifest push that runs out of space at any step leaves no half-written tag', async () => {
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = randomBytes(2048);
    await pushBlob(reg.url, 'full/man', cfg);
    await pushBlob(reg.url, 'full/man', layer);
    const filler = join(mnt, 'filler');
    let fullFailures = 0;
    const outcomes: string[] = [];
    // Leave 0, 1, 2, … pages free: the push fails at the manifest blob, the revision link, the
    // tag's index link or its current link, until enough is free for all of them.
    for (let pages = 0; pages <= 8; pages++) {
      const manifest = ociManifest(descriptorOf(MT.ociConfig, cfg), [descriptorOf(MT.ociLayer, layer)], { annotations: { pages: String(pages) } });
      const s = await statfs(mnt);
      await writeFile(filler, Buffer.alloc(Math.max(0, (s.bavail - pages) * s.bsize)));
      const res = await fetch(`${reg.url}/v2/full/man/manifests/p${pages}`, { method: 'PUT', headers: { 'Content-Type': MT.ociManifest }, body: new Uint8Array(manifest) });
      const text = await res.text();
      const tag = await fetch(`${reg.url}/v2/full/man/manifests/p${pages}`);
      const tagged = Buffer.from(await tag.arrayBuffer());
      outcomes.push(`${pages} free pages → ${res.status}, tag ${tag.status}`);
      if (res.status === 507) {
        fullFailures++;
        assertStorageFull({ status: res.status, headers: {}, body: text }, `manifest with ${pages} pages free`);
        // Either the tag does not exist, or (never half-way) it serves the complete manifest.
        assert.ok(tag.status === 404 || tagged.equals(manifest), `tag p${pages} after a failed push: ${tag.status}`);
      } else {
        assert.equal(res.status, 201, `manifest with ${pages} pages free: ${res.status} ${text}`);
        assert.ok(tagged.equals(manifest));
      }
      await rm(filler);
      await assertNothingCorrupt();
    }
    process.stdout.write(`# manifest pushes near full: ${outcomes.join('; ')}\n`);
    assert.ok(fullFailures >= 1, 'no manifest push ran out of space');
    await assertEverythingPulls();
    await pushImage(reg.url, 'full/after', 'manifests', { layerCount: 1, layerSize: 4096 });
  });
});

/** In process, so every unexpected (500-class) failure the server logs is recorded. */
async function startRegistryOn(dataDir: string): Promise<FuzzRegistry> {
  const { parseConfig } = await import('../../main/config/load');
  const { startRegistry } = await import('../../main/registry/registry');
  const yaml = testRegistryYaml(dataDir, { dataDir, deleteEnabled: false });
  const { config } = parseConfig(yaml, { env: {}, source: 'disk-full' });
  const errors: string[] = [];
  const log = {
    error: (msg: string, fields?: unknown) => void errors.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    warn() {}, info() {}, debug() {},
    child() { return log; },
  };
  const registry = await startRegistry({ config, log });
  return { url: `http://127.0.0.1:${registry.address.port}`, dir: dataDir, dataDir, registry, errors, stop: () => registry.stop() };
}
