// The headless entry runs under plain node with no Electron: bundle it, check the bundle's
// inputs, then run `berth serve` from the bundle, push and pull an image through it, and check
// the CLI's startup errors and clean shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testRegistryYaml, type TestYamlOptions } from '../support/registry-yaml';
import { sha256 } from '../support/oci';
import { tempDir } from '../support/cleanup';

let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  dir = await tempDir('berth-headless-');
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `build failed: ${r.stderr}`);
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function config(root: string, port: number, o: TestYamlOptions = {}): string {
  return testRegistryYaml(root, { dataDir: root, port, logLevel: 'warn', accessLog: true, deleteEnabled: false, ...o });
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/berth.cjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitReady(url: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url + '/v2/')).status === 200) return;
    } catch {}
    if (Date.now() > end) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** serve prints its startup lines once the registry and its maintenance channel are up, just after /v2/ answers. */
async function waitPrinted(p: { output: () => string }, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!/Berth registry listening on/.test(p.output()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}


test('the bundle has no electron among its inputs', async () => {
  const meta = JSON.parse(await readFile('dist/berth.meta.json', 'utf8')) as { inputs: Record<string, unknown> };
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.some((p) => p.includes('main/headless/cli.ts')));
  assert.deepEqual(inputs.filter((p) => /electron/.test(p)), []);
});

test('the AWS SDK, the Redis client and node-forge are bundles of their own, which a filesystem registry that only serves never loads', async () => {
  const meta = JSON.parse(await readFile('dist/berth.meta.json', 'utf8')) as { inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }> };
  const inputs = Object.keys(meta.inputs);
  assert.deepEqual(inputs.filter((p) => /node_modules\/(@aws-sdk|@smithy|ioredis|node-forge)\//.test(p)), []);
  const externals = new Set(Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => x.path)));
  for (const lazy of ['./s3-sdk.cjs', './redis-sdk.cjs', './forge-lib.cjs']) {
    assert.ok(externals.has(lazy), `${lazy} is required at run time, not bundled`);
    for (const dir of ['dist', 'dist/app']) assert.ok((await readFile(join(dir, lazy))).length > 10_000, `${dir}/${lazy} is built`);
  }
});

test('certificates from the bundle: certs init and show run node-forge from its own bundle', async () => {
  const cert = join(dir, 'tls', 'server.crt');
  const key = join(dir, 'tls', 'server.key');
  const init = run(['certs', 'init', '--cert', cert, '--key', key, '--name', 'registry.test', '--bits', '2048']);
  assert.equal(await init.exited, 0, init.output());
  const server = new X509Certificate(await readFile(cert));
  const ca = new X509Certificate(await readFile(join(dir, 'tls', 'ca.crt')));
  assert.ok(server.verify(ca.publicKey), 'the server certificate is signed by the CA');
  assert.equal(server.checkHost('registry.test'), 'registry.test');
  const show = run(['certs', 'show', '--cert', cert]);
  assert.equal(await show.exited, 0, show.output());
  assert.match(show.output(), /subject\s+CN=registry\.test/);
  assert.ok(show.output().includes(server.fingerprint256), 'show prints the certificate\'s SHA-256 fingerprint');
});

test('the bundles are Latin-1 text, which V8 keeps at one byte per character (two for all of it otherwise)', async () => {
  for (const file of ['dist/berth.cjs', 'dist/app/main.cjs', 'dist/s3-sdk.cjs', 'dist/redis-sdk.cjs', 'dist/forge-lib.cjs']) {
    const text = await readFile(file, 'utf8');
    const wide = [...new Set(text.match(/[\u0100-\uffff]/g) ?? [])];
    assert.deepEqual(wide, [], `${file} holds characters above U+00FF`);
  }
});

test('berth serve from the bundle: push and pull an image, then stop on SIGTERM', async () => {
  const port = await freePort();
  const cfg = join(dir, 'serve.yml');
  await writeFile(cfg, config(join(dir, 'data'), port));
  const p = run(['serve', '--config', cfg]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url);

  const layer = Buffer.from('layer bytes');
  const conf = Buffer.from('{"architecture":"amd64","os":"linux"}');
  for (const blob of [layer, conf]) {
    const r = await fetch(`${url}/v2/headless/test/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
    assert.equal(r.status, 201);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(conf), size: conf.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  const put = await fetch(`${url}/v2/headless/test/manifests/v1`, {
    method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(put.status, 201);
  const got = await fetch(`${url}/v2/headless/test/manifests/v1`);
  assert.equal(await got.text(), manifest);
  const blob = await fetch(`${url}/v2/headless/test/blobs/${sha256(layer)}`);
  assert.deepEqual(Buffer.from(await blob.arrayBuffer()), layer);

  assert.match(p.output(), /listening on http:\/\/127\.0\.0\.1:\d+/);
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});

test('serve without --config uses the embedded default in the data folder', async () => {
  const port = await freePort();
  const data = join(dir, 'default-data');
  const p = run(['serve'], { BERTH_DATA_DIR: data, REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_HTTP_DEBUG_ADDR: '127.0.0.1:0' });
  await waitReady(`http://127.0.0.1:${port}`);
  await waitPrinted(p);
  assert.match(p.output(), new RegExp(`storage: ${data.replace(/[/\\]/g, '.')}.registry`));
  // Loopback until shared: the startup lines say so and how to share.
  assert.match(p.output(), new RegExp(`Listening on 127\\.0\\.0\\.1:${port} only: other machines and containers cannot reach it\\. To share on the network set http\\.addr: ":${port}" in config\\.yml \\(or REGISTRY_HTTP_ADDR=:${port}\\)`));
  p.child.kill('SIGINT');
  assert.equal(await p.exited, 0);
});

test('serve on every interface without login warns who may push and delete', async () => {
  const port = await freePort();
  const cfg = join(dir, 'shared.yml');
  // An explicit config.yml keeps its address, as in distribution: here every interface.
  const yaml = config(join(dir, 'shared'), port, { addr: `:${port}`, deleteEnabled: true });
  await writeFile(cfg, yaml);
  const p = run(['serve', '--config', cfg]);
  await waitReady(`http://127.0.0.1:${port}`);
  await waitPrinted(p);
  assert.match(p.output(), new RegExp(`Shared on the network without login: anyone who can reach port ${port} may pull, push and delete\\. Set auth\\.htpasswd`));
  assert.doesNotMatch(p.output(), /only: other machines/);
  p.child.kill('SIGINT');
  assert.equal(await p.exited, 0);
});

test('startup errors are one readable line and a non-zero exit', async () => {
  // Port already in use.
  const blocker = createServer();
  const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
  const cfg = join(dir, 'busy.yml');
  await writeFile(cfg, config(join(dir, 'busy'), port));
  const busy = run(['serve', '--config', cfg]);
  assert.equal(await busy.exited, 1);
  assert.match(busy.output(), /already in use/);
  blocker.close();

  // Unreadable config.
  const missing = run(['serve', '--config', join(dir, 'nope.yml')]);
  assert.equal(await missing.exited, 2);
  assert.match(missing.output(), /nope\.yml/);

  // A misspelt key names its path.
  const bad = join(dir, 'bad.yml');
  await writeFile(bad, config(join(dir, 'bad'), port).replace('http:', 'htp:'));
  const badRun = run(['serve', '--config', bad]);
  assert.equal(await badRun.exited, 2);
  assert.match(badRun.output(), /htp/);

  // A storage path that is a file.
  const file = join(dir, 'a-file');
  await writeFile(file, 'x');
  const st = join(dir, 'st.yml');
  await writeFile(st, config(join(file, 'sub'), port));
  const stRun = run(['serve', '--config', st]);
  assert.equal(await stRun.exited, 1);
  assert.match(stRun.output(), /storage directory/);
});

test('metrics from the bundle: prom-client, loaded only when prometheus is on, counts requests', async () => {
  const port = await freePort();
  const debugPort = await freePort();
  const cfg = join(dir, 'metrics.yml');
  await writeFile(cfg, config(join(dir, 'metrics'), port, { http: [`  debug:`, `    addr: 127.0.0.1:${debugPort}`, '    prometheus:', '      enabled: true'] }));
  const p = run(['serve', '--config', cfg]);
  await waitReady(`http://127.0.0.1:${port}`);
  // A request is counted when its response has finished, which may be just after the client has it.
  const counted = /^registry_http_requests_total\{handler="base",method="GET",code="200"\} [1-9]/m;
  let text = '';
  for (const end = Date.now() + 5000; !counted.test(text) && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    text = await (await fetch(`http://127.0.0.1:${debugPort}/metrics`)).text();
  }
  assert.match(text, counted);
  assert.match(text, /^berth_process_resident_memory_bytes /m);
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});
