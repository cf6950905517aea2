// Load: hundreds of concurrent keep-alive connections against Berth as users run it (the built
// bundle, `berth serve`, access log off), mixing pushes (config + layer + manifest) and pulls
// (manifest + blobs, every digest verified) for a minute. No request may fail, the server's
// resident memory must stay bounded, and afterwards everything pushed pulls back intact and
// `berth fsck` finds nothing wrong. BERTH_LOAD_SECONDS / BERTH_LOAD_CONNECTIONS scale it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { freePort, runCommand, spawnProcess, useE2EHooks, waitForHttp } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';
import { sha256 } from '../support/oci';

useE2EHooks();

const SECONDS = Number(process.env.BERTH_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BERTH_LOAD_CONNECTIONS ?? 320);
const MAX_RSS_MIB = 300;
const PUSH_SHARE = 0.3;

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/**
 * Worker i's source address. Each worker stands for one client machine, so each connects from
 * its own loopback address: the per-client caps (berth.uploads.maxperclient) then count as they
 * would for real clients, instead of seeing 320 clients as one.
 */
function clientAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/** One request on the worker's own keep-alive agent (maxSockets 1: one connection per worker). */
function call(agent: Agent, port: number, method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}


interface Image { repo: string; tag: string; digest: string; blobs: string[] }

class Worker {
  readonly agent: Agent;
  constructor(index: number, readonly port: number, readonly errors: string[], readonly stats: { requests: number; pushes: number; pulls: number }) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: clientAddress(index) });
  }

  private async expect(method: string, path: string, status: number, headers: Record<string, string | number> = {}, body?: Buffer): Promise<Reply> {
    const r = await call(this.agent, this.port, method, path, headers, body);
    this.stats.requests++;
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} (wanted ${status}) ${r.body.toString('utf8').slice(0, 200)}`);
    return r;
  }

  private async pushBlob(repo: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const post = await this.expect('POST', `/v2/${repo}/blobs/uploads/`, 202, { 'Content-Length': 0 });
    const loc = new URL(String(post.headers.location), 'http://x');
    loc.searchParams.set('digest', digest);
    await this.expect('PUT', loc.pathname + loc.search, 201, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length }, bytes);
    return digest;
  }

  async push(repo: string, tag: string): Promise<Image> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: randomBytes(8).toString('hex') }));
    const layer = randomBytes(1024 + Math.floor(Math.random() * 31 * 1024));
    const c = await this.pushBlob(repo, config);
    const l = await this.pushBlob(repo, layer);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: c, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l, size: layer.length }],
    }));
    const put = await this.expect('PUT', `/v2/${repo}/manifests/${tag}`, 201, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': manifest.length }, manifest);
    const digest = sha256(manifest);
    if (put.headers['docker-content-digest'] !== digest) throw new Error(`PUT ${repo}:${tag}: digest header ${String(put.headers['docker-content-digest'])}`);
    this.stats.pushes++;
    return { repo, tag, digest, blobs: [c, l] };
  }

  async pull(img: Image): Promise<void> {
    const m = await this.expect('GET', `/v2/${img.repo}/manifests/${img.tag}`, 200, { Accept: 'application/vnd.oci.image.manifest.v1+json' });
    if (sha256(m.body) !== img.digest) throw new Error(`${img.repo}:${img.tag}: manifest digest ${sha256(m.body)}, pushed ${img.digest}`);
    for (const d of img.blobs) {
      const b = await this.expect('GET', `/v2/${img.repo}/blobs/${d}`, 200);
      if (sha256(b.body) !== d) throw new Error(`${img.repo}@${d}: served bytes hash to ${sha256(b.body)}`);
    }
    this.stats.pulls++;
  }
}

async function vmRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** TCP connections the server process holds: its socket file descriptors (minus the listener). */
async function socketCount(pid: number): Promise<number> {
  let n = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith('socket:')) n++;
  }
  return n;
}

describe('load', () => {
  it(`${CONNECTIONS} keep-alive connections pushing and pulling for ${SECONDS}s: no errors, bounded memory, a clean store`, { timeout: (SECONDS + 300) * 1000 }, async () => {
    const work = await tempDir('berth-load-');
    const port = await freePort();
    const config = join(work, 'config.yml');
    await writeFile(config, testRegistryYaml(work, { port, logLevel: 'warn', deleteEnabled: false }));
    const proc = spawnProcess(`berth load ${port}`, process.execPath, [join(repoRoot, 'bin/berth.cjs'), 'serve', '--config', config], { cwd: repoRoot });
    await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc });

    const errors: string[] = [];
    const stats = { requests: 0, pushes: 0, pulls: 0 };
    const images: Image[] = [];
    const seed = new Worker(0, port, errors, stats);
    for (let i = 0; i < 20; i++) images.push(await seed.push(`load/seed${i % 4}`, `s${i}`));
    seed.agent.destroy();

    let peakRss = 0;
    let peakSockets = 0;
    const startRss = await vmRssMiB(proc.pid);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakRss = Math.max(peakRss, await vmRssMiB(proc.pid).catch(() => 0));
        peakSockets = Math.max(peakSockets, await socketCount(proc.pid));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const deadline = Date.now() + SECONDS * 1000;
    const workers = Array.from({ length: CONNECTIONS }, (_, i) => new Worker(i, port, errors, stats));
    await Promise.all(workers.map(async (w, i) => {
      let n = 0;
      while (Date.now() < deadline && errors.length < 20) {
        try {
          if (Math.random() < PUSH_SHARE) images.push(await w.push(`load/r${i % 16}`, `w${i}-${n++}`));
          else await w.pull(images[Math.floor(Math.random() * images.length)]!);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }));
    sampling = false;
    await sampler;
    for (const w of workers) w.agent.destroy();

    const report = `${CONNECTIONS} workers, server held up to ${peakSockets} sockets; ${stats.requests} requests ` +
      `(${stats.pushes} image pushes, ${stats.pulls} image pulls) in ${SECONDS}s; RSS ${startRss.toFixed(0)} MiB at start, peak ${peakRss.toFixed(0)} MiB`;
    process.stdout.write(`# ${report}\n`);
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} errors under load (${report})`);
    assert.ok(peakSockets >= Math.min(300, CONNECTIONS), `the server never held ${Math.min(300, CONNECTIONS)} connections at once (${peakSockets})`);
    assert.ok(peakRss < MAX_RSS_MIB, `peak RSS ${peakRss.toFixed(0)} MiB ≥ ${MAX_RSS_MIB} MiB`);

    // Everything pushed pulls back intact (32 connections at a time).
    const verifiers = Array.from({ length: 32 }, (_, i) => new Worker(i, port, errors, stats));
    let next = 0;
    await Promise.all(verifiers.map(async (w) => {
      while (next < images.length) {
        const img = images[next++]!;
        await w.pull(img).catch((err: Error) => errors.push(`re-pull: ${err.message}`));
      }
      w.agent.destroy();
    }));
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} images did not pull back intact`);
    process.stdout.write(`# re-pulled and verified all ${images.length} images\n`);

    const exit = await proc.stop();
    assert.equal(exit.code, 0, `berth serve exited with ${JSON.stringify(exit)}`);
    const fsck = await runCommand(process.execPath, [join(repoRoot, 'bin/berth.cjs'), 'fsck', '--json', '--config', config], { check: false, timeoutMs: 300_000 });
    const result = JSON.parse(fsck.stdout) as { errors: number; problems: unknown[] };
    assert.equal(fsck.code, 0, `berth fsck: ${fsck.stdout.slice(0, 2000)}${fsck.stderr}`);
    assert.equal(result.errors, 0, JSON.stringify(result.problems.slice(0, 5)));
    process.stdout.write(`# berth fsck: ${result.errors} errors, ${result.problems.length} problems\n`);
  });
});
