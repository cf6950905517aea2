// Console mode: the renderer and the control API over HTTP. The API needs the bearer token
// (compared in constant time); events arrive as server-sent events; index.html has a strict CSP.
// Then `berth serve --console` from the bundle: it prints the token URL and writes the token file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startConsoleServer, type ConsoleServer } from '../../main/console/console-server';
import { tokenMatches } from '../../main/console/token';
import { parseConsoleAddress } from '../../main/headless/console-mode';
import { silentLogger } from '../../main/lib/logger';
import { configYaml, startControl, type ControlFixture } from '../support/control';

let f: ControlFixture;
let server: ConsoleServer;
const TOKEN = 'test-token-0123456789';

before(async () => {
  f = await startControl();
  const renderer = join(f.dir, 'renderer');
  await mkdir(renderer);
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Berth</title>');
  await writeFile(join(renderer, 'app.js'), 'console.log(1)');
  server = await startConsoleServer({ service: f.service, token: TOKEN, rendererDir: renderer, host: '127.0.0.1', port: 0, log: silentLogger });
});
after(async () => {
  await server.close();
  await f.close();
});

const api = (method: string, body: unknown, token?: string) => fetch(`${server.url}api/${method}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

test('the API refuses a missing or wrong token', async () => {
  assert.equal((await api('registry.status', {})).status, 401);
  assert.equal((await api('registry.status', {}, 'wrong')).status, 401);
  assert.equal((await api('registry.status', {}, TOKEN + 'x')).status, 401);
  assert.equal((await fetch(`${server.url}api/events?token=nope`)).status, 401);
  assert.equal(tokenMatches(undefined, TOKEN), false);
});

test('with the token, calls return ControlResults; control errors are answers (200, ok:false), transport errors are statuses', async () => {
  const ok = await api('registry.status', {}, TOKEN);
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { ok: boolean }).ok, true);
  const bad = await api('settings.update', { port: 0 }, TOKEN);
  assert.equal(bad.status, 200, 'a validation message must not show as a failed request in the browser console');
  const body = (await bad.json()) as { ok: false; error: { field: string } };
  assert.equal(body.ok, false);
  assert.equal(body.error.field, 'port');
  const notJson = await fetch(`${server.url}api/registry.status`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{' });
  assert.equal(notJson.status, 400);
  assert.equal((await fetch(`${server.url}api/registry.status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
});

test('the renderer is served with a strict CSP, and nothing outside it', async () => {
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal((await fetch(`${server.url}app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${server.url}%2e%2e/config.yml`)).status, 404);
});

test('server-sent events deliver status changes', async () => {
  const controller = new AbortController();
  const res = await fetch(`${server.url}api/events?token=${TOKEN}`, { signal: controller.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body!.getReader();
  const seen: string[] = [];
  let buffer = '';
  const readUntil = async (want: string) => {
    while (!seen.includes(want)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString('utf8');
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (line.startsWith('data: ')) seen.push((JSON.parse(line.slice(6)) as { status: { status: string } }).status.status);
      }
    }
  };
  await readUntil('running'); // the current status, sent on connect
  await f.ok('registry.stop', {});
  await readUntil('stopped');
  await f.ok('registry.start', {});
  await readUntil('starting');
  controller.abort();
  assert.deepEqual(seen.slice(0, 3), ['running', 'stopping', 'stopped']);
});

test('console addresses are loopback unless --console-public', () => {
  assert.deepEqual(parseConsoleAddress('127.0.0.1:5080', false), { host: '127.0.0.1', port: 5080 });
  assert.deepEqual(parseConsoleAddress('[::1]:0', false), { host: '::1', port: 0 });
  assert.deepEqual(parseConsoleAddress(':6000', false), { host: '127.0.0.1', port: 6000 });
  assert.throws(() => parseConsoleAddress('0.0.0.0:5080', false), /--console-public/);
  assert.deepEqual(parseConsoleAddress('0.0.0.0:5080', true), { host: '0.0.0.0', port: 5080 });
});

test('berth serve --console (bundle) prints the token URL and writes the token file 0600', async (t) => {
  const dataDir = join(f.dir, 'berth-data');
  const configPath = join(f.dir, 'serve.yml');
  await writeFile(configPath, configYaml(join(f.dir, 'serve'), 0));
  const child: ChildProcess = spawn(process.execPath, ['bin/berth.cjs', 'serve', '--config', configPath, '--console', '127.0.0.1:0'], {
    env: { ...process.env, BERTH_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { child.kill('SIGKILL'); });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const end = Date.now() + 15_000;
  while (!/#token=\S+/.test(out)) {
    if (Date.now() > end || child.exitCode !== null) assert.fail(`no console URL: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [, base, token] = /(http:\/\/\S+\/)#token=(\S+)/.exec(out)!;
  assert.equal((await readFile(join(dataDir, 'console-token'), 'utf8')).trim(), token);
  assert.equal((await stat(join(dataDir, 'console-token'))).mode & 0o777, 0o600);
  assert.equal((await fetch(`${base}api/registry.status`, { method: 'POST', body: '{}' })).status, 401);
  const r = await fetch(`${base}api/registry.status`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
  assert.equal(((await r.json()) as { value: { status: string } }).value.status, 'running');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});
