// The Docker wizard through the real control API (issue 10, point 2): what a console token holder
// or a compromised renderer can send. docker.preview / docker.apply accept only a detected
// daemon.json (or BERTH_DOCKER_DAEMON_JSON), never echo another file, and take only hosts and
// mirror URLs of the strict grammar; anything else is INVALID_ARGUMENT naming the field. Over
// HTTP (the console) as well as in-process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner, WizardOptions } from '../../main/docker-setup/env';
import { startConsoleServer, type ConsoleServer } from '../../main/console/console-server';
import { silentLogger } from '../../main/lib/logger';
import { startControl, type ControlFixture } from '../support/control';
import { tempDir } from '../support/cleanup';

const SECRET = 'c2VjcmV0LXJlZ2lzdHJ5LXRva2Vu';
const CREDENTIALS = `{"auths":{"registry.example":{"auth":"${SECRET}"}}}\n`;
const ORIGINAL = '{\n  "debug": true\n}\n';
const TOKEN = 'wizard-test-token-0123456789';
const noDocker: CommandRunner = async (cmd) => ({ code: null, stdout: '', stderr: '', error: `${cmd} is not installed` });

let dir: string;
let home: string;
let credentials: string;
let rootful: string;
let f: ControlFixture;
let server: ConsoleServer;

before(async () => {
  dir = await tempDir('berth-control-wizard-');
  home = join(dir, 'home');
  await mkdir(join(home, '.docker'), { recursive: true });
  credentials = join(home, '.docker', 'config.json');
  await writeFile(credentials, CREDENTIALS);
  rootful = join(dir, 'etc', 'docker', 'daemon.json');
  await mkdir(join(rootful, '..'), { recursive: true });
  await writeFile(rootful, ORIGINAL);
  const docker: WizardOptions = { home, platform: 'linux', rootfulPath: rootful, env: {}, run: noDocker, elevate: false, isRoot: true };
  f = await startControl({ start: false, docker });
  const renderer = join(f.dir, 'renderer');
  await mkdir(renderer);
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Berth</title>');
  server = await startConsoleServer({ service: f.service, token: TOKEN, rendererDir: renderer, host: '127.0.0.1', port: 0, log: silentLogger });
});
after(async () => {
  await server.close();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

/** A console API call as a token holder makes it. */
async function api(method: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}api/${method}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

function invalidTarget(r: { ok: boolean; error?: { code: string; field?: string; message: string } }, field = 'target'): void {
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error?.code, 'INVALID_ARGUMENT');
  assert.equal(r.error?.field, field);
  assert.doesNotMatch(JSON.stringify(r), new RegExp(`${SECRET}|auths`));
}

test('docker.preview of ~/.docker/config.json: refused over HTTP and in-process, no content', async () => {
  const http = await api('docker.preview', { target: credentials, insecureRegistry: '10.0.0.2:5000' });
  assert.doesNotMatch(http.text, new RegExp(SECRET));
  invalidTarget(JSON.parse(http.text) as never);
  invalidTarget(await f.service.call('docker.preview', { target: credentials, mirror: 'http://10.0.0.2:5000' }) as never);
  invalidTarget(await f.service.call('docker.apply', { target: credentials, mirror: 'http://10.0.0.2:5000', then: 'later' }) as never);
  assert.equal(await readFile(credentials, 'utf8'), CREDENTIALS);
});

test('docker.preview / docker.apply into profile.d, or a relative path: refused, nothing created', async () => {
  const profile = join(dir, 'etc', 'profile.d', 'x.sh');
  invalidTarget(await f.service.call('docker.preview', { target: '/etc/profile.d/x.sh', insecureRegistry: '10.0.0.2:5000' }) as never);
  invalidTarget(await f.service.call('docker.apply', { target: profile, insecureRegistry: '10.0.0.2:5000', then: 'later' }) as never);
  invalidTarget(await f.service.call('docker.apply', { target: 'etc/docker/daemon.json', insecureRegistry: '10.0.0.2:5000', then: 'later' }) as never);
  assert.equal(existsSync(profile), false);
  assert.equal(existsSync(join(dir, 'etc', 'profile.d')), false);
});

test('shell metacharacters in a host or mirror are refused before any file is touched', async () => {
  for (const [field, value] of [
    ['mirror', 'http://$(id)'], ['mirror', 'http://a;id'], ['mirror', 'http://`id`'], ['mirror', 'http://u:p@h:5000'],
    ['insecureRegistry', '`id`:5000'], ['insecureRegistry', 'a;id:5000'], ['insecureRegistry', '$(id):5000'], ['insecureRegistry', 'a b:5000'], ['insecureRegistry', 'h:5000\nid'],
  ] as const) {
    const r = await f.service.call('docker.apply', { target: rootful, [field]: value, then: 'later' });
    invalidTarget(r as never, field);
  }
  assert.equal(await readFile(rootful, 'utf8'), ORIGINAL);
});

test('a detected target that is a symlink to the credentials: refused, no content in the answer', async () => {
  const link = join(dir, 'etc', 'docker', 'daemon.json');
  await rm(link);
  await symlink(credentials, link);
  try {
    invalidTarget(await f.service.call('docker.preview', { target: link, insecureRegistry: '10.0.0.2:5000' }) as never);
    const applied = await f.service.invoke('docker.apply', { target: link, insecureRegistry: '10.0.0.2:5000', then: 'later' });
    assert.equal(applied.ok && applied.value.ok, false);
    assert.doesNotMatch(JSON.stringify(applied), new RegExp(SECRET));
    assert.equal(await readFile(credentials, 'utf8'), CREDENTIALS);
  } finally {
    await rm(link);
    await writeFile(rootful, ORIGINAL);
  }
});

test('the detected daemon.json with IPv6 and ported entries: previewed and applied', async () => {
  const targets = await f.service.call('docker.detect', {});
  assert.ok(targets.ok && (targets.value as Array<{ path: string }>).some((t) => t.path === rootful));
  const change = { target: rootful, insecureRegistry: '[fd00::2]:5000', mirror: 'https://mirror.example:8443' };
  const preview = await f.service.call('docker.preview', change);
  assert.ok(preview.ok, JSON.stringify(preview));
  const applied = await f.service.invoke('docker.apply', { ...change, then: 'later' });
  assert.ok(applied.ok && applied.value.ok, JSON.stringify(applied));
  assert.deepEqual(JSON.parse(await readFile(rootful, 'utf8')), { debug: true, 'insecure-registries': ['[fd00::2]:5000'], 'registry-mirrors': ['https://mirror.example:8443'] });
});

test('BERTH_DOCKER_DAEMON_JSON (the Berth process environment) adds the one unusual location', async () => {
  const custom = join(dir, 'opt', 'docker', 'daemon.json');
  await mkdir(join(custom, '..'), { recursive: true });
  await writeFile(custom, ORIGINAL);
  const g = await startControl({ start: false, docker: { home, platform: 'linux', env: { BERTH_DOCKER_DAEMON_JSON: custom }, run: noDocker, elevate: false, isRoot: true } });
  try {
    const preview = await g.service.call('docker.preview', { target: custom, insecureRegistry: '10.0.0.2:5000' });
    assert.ok(preview.ok, JSON.stringify(preview));
    invalidTarget(await g.service.call('docker.preview', { target: rootful, insecureRegistry: '10.0.0.2:5000' }) as never);
  } finally {
    await g.close();
  }
});

test('docker.snippets: in proxy mode, containerd mirror files for each upstream the config names', async () => {
  assert.equal((await f.ok('docker.snippets', { hostPort: '10.0.0.2:5000', tls: false })).containerdMirrors, undefined, 'not a proxy: no mirror files');
  const g = await startControl({
    start: false,
    extraYaml: ['proxy:', '  remoteurl: https://registry-1.docker.io', 'berth:', '  proxy:', '    upstreams:', '      - prefix: ghcr.io', '        remoteurl: https://ghcr.io'].join('\n'),
  });
  try {
    const s = await g.ok('docker.snippets', { hostPort: '10.0.0.2:5000', tls: false });
    assert.deepEqual(s.containerdMirrors?.map((m) => m.registry), ['docker.io', 'ghcr.io']);
    for (const m of s.containerdMirrors!) assert.match(m.hostsToml, /^\[host\."http:\/\/10\.0\.0\.2:5000"\]\n {2}capabilities = \["pull", "resolve"\]$/m);
    assert.match(s.containerdMirrors![1]!.hostsToml, /^server = "https:\/\/ghcr\.io"$/m);
  } finally {
    await g.close();
  }
});
