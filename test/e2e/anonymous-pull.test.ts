// berth.auth.anonymous: pull with real clients: anonymous pulls (what a registry-mirrors client
// does) work, and logged-in clients push — Berth challenges the ping with its own Bearer token
// service, so Docker and containers/image learn where to log in (main/registry/auth/token-service.ts).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { importBusyboxImage } from '../support/images';
import { useE2EHooks } from '../support/processes';
import { startRegistryProcess, type RegistryProcess } from '../support/registry-process';
import { hashPassword } from '../../main/users/htpasswd';

useE2EHooks();

let d: Dockerd;
let reg: RegistryProcess;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let pushed: string;

before(async () => {
  const dir = await tempDir('berth-anon-');
  const htpasswd = join(dir, 'htpasswd');
  const root = join(dir, 'data');
  await writeFile(htpasswd, `pusher:${await hashPassword('push-pw')}\n`);
  [d, skopeo] = await Promise.all([sharedDockerd(), prepareSkopeo()]);
  // Seed the storage through an open Berth on the same root, then serve it with auth and
  // anonymous pull.
  const open = await startRegistryProcess('berth', { root });
  pushed = `${open.addr}/pub/busybox:v1`;
  await importBusyboxImage(d, pushed);
  await d.docker(['push', pushed], { timeoutMs: 180_000 });
  await open.stop();
  reg = await startRegistryProcess('berth', {
    root,
    readyStatus: 401, // the ping is challenged so that clients learn where to get tokens
    extraYaml: ['auth:', '  htpasswd:', '    realm: Anon', `    path: ${htpasswd}`, 'berth:', '  auth:', '    anonymous: pull'].join('\n'),
  });
});

test('docker pulls and runs without logging in; anonymous pushes are refused', { timeout: 300_000 }, async () => {
  const ref = `${reg.addr}/pub/busybox:v1`;
  await d.docker(['pull', ref], { timeoutMs: 180_000 });
  const run = await d.docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'echo', 'anonymous']);
  assert.equal(run.stdout, 'anonymous\n');
  await d.docker(['tag', ref, `${reg.addr}/pub/other:v1`]);
  const anon = await d.docker(['push', `${reg.addr}/pub/other:v1`], { check: false, timeoutMs: 180_000 });
  assert.notEqual(anon.code, 0);
  // With token auth Docker words it as Docker Hub does: "denied: requested access to the resource is denied".
  assert.match(`${anon.stdout}${anon.stderr}`, /unauthorized|authentication required|requested access to the resource is denied/i);
});


test('docker login rejects a wrong password and a logged-in docker push works', { timeout: 300_000 }, async () => {
  const ref = `${reg.addr}/pub/pushed:v1`;
  await d.docker(['tag', `${reg.addr}/pub/busybox:v1`, ref]);
  const bad = await d.docker(['login', reg.addr, '-u', 'pusher', '--password-stdin'], { input: 'wrong\n', check: false });
  assert.notEqual(bad.code, 0, 'a wrong password must not log in');
  await d.docker(['login', reg.addr, '-u', 'pusher', '--password-stdin'], { input: 'push-pw\n' });
  try {
    const push = await d.docker(['push', ref], { check: false, timeoutMs: 180_000 });
    assert.equal(push.code, 0, `${push.stdout}${push.stderr}`);
  } finally {
    await d.docker(['logout', reg.addr]);
  }
});

test('skopeo copy with --dest-creds pushes', { timeout: 300_000 }, async () => {
  await skopeo(['copy', '--src-daemon-host', d.host, '--dest-tls-verify=false', '--dest-creds', 'pusher:push-pw',
    `docker-daemon:${pushed}`, `docker://${reg.addr}/pub/skopeo:v1`]);
});
