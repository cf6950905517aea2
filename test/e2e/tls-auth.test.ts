// Issue 3, point 7: Berth serving verified HTTPS with htpasswd auth on a non-loopback address
// (inside a network namespace this test creates, under a hostname mapped in /etc/hosts), used by
// real clients: dockerd (certs.d trust, login, push, pull, run), curl, skopeo, Apache's htpasswd
// and distribution's docker-registry reading a file Berth wrote. Everything the test changes on
// the machine (namespace, veth, /etc/hosts, /etc/docker/certs.d entry, processes) is undone.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { importBusyboxImage } from '../support/images';
import { addHostsEntry, createTestNamespace, installDockerCa, type TestNamespace } from '../support/netns';
import { outputTail, requireExecutable, runCommand, sleep, spawnProcess, useE2EHooks, type CommandResult, type ManagedProcess } from '../support/processes';
import { startRegistryProcess } from '../support/registry-process';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

const PORT = 5443;
const HOST = `registry-${process.pid}.test`;
const HOSTPORT = `${HOST}:${PORT}`;
const BASE = `https://${HOSTPORT}`;
const UNAUTHORIZED_BODY = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}';
// The tutorial's TLS 1.2 suites (Go names).
const CIPHERS = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
];

let ns: TestNamespace;
let d: Dockerd;
let berth: ManagedProcess;
let work: string;
let config: string;
let htpasswdFile: string;
let caFile: string;
let curlBin: string;
let opensslBin: string;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;

const berthCli = (args: string[], input?: string) =>
  runCommand(process.execPath, [join(repoRoot, 'bin', 'berth.cjs'), ...args], { cwd: repoRoot, ...(input !== undefined ? { input } : {}) });

const curl = (args: string[]) => runCommand(curlBin, ['--silent', '--show-error', '--max-time', '20', ...args], { check: false });

function both(r: CommandResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

before(async () => {
  curlBin = requireExecutable('curl', 'curl');
  opensslBin = requireExecutable('openssl', 'openssl');
  const htpasswdBin = requireExecutable('htpasswd', 'apache2-utils');
  requireExecutable('docker-registry', 'docker-registry');

  ns = await createTestNamespace();
  await addHostsEntry(HOST, ns.inside);
  work = await tempDir('berth-tls-');
  htpasswdFile = join(work, 'auth', 'htpasswd');
  config = join(work, 'config.yml');
  caFile = join(work, 'certs', 'ca.crt');
  await writeFile(config, testRegistryYaml(work, {
    comment: 'issue 3 e2e: TLS + htpasswd, as in the tutorial',
    logLevel: 'info',
    accessLog: true,
    addr: `${ns.inside}:${PORT}`,
    http: [
      '  tls:',
      `    certificate: ${join(work, 'certs', 'server.crt')}`,
      `    key: ${join(work, 'certs', 'server.key')}`,
      '    minimumtls: tls1.2',
      '    ciphersuites:',
      ...CIPHERS.map((c) => `      - ${c}`),
    ],
    extra: [
      'auth:',
      '  htpasswd:',
      '    realm: Registry Realm',
      `    path: ${htpasswdFile}`,
    ],
  }));

  // The users file starts as Apache's htpasswd -Bbn made it; Berth adds its users to it.
  await mkdir(join(work, 'auth'), { recursive: true });
  const apacheLine = (await runCommand(htpasswdBin, ['-Bbn', 'apache', 'apache-pw'])).stdout.trim();
  await writeFile(htpasswdFile, `${apacheLine}\n`);
  await berthCli(['users', 'add', 'alice', '--config', config], 'alice-pw\n');
  await berthCli(['users', 'add', 'reader', '--role', 'read', '--config', config], 'reader-pw\n');
  const users = (await berthCli(['users', 'list', '--config', config])).stdout;
  assert.equal(users, 'alice\tadmin\napache\tadmin\nreader\tread\n');

  const certs = await berthCli(['certs', 'init', '--config', config, '--name', HOST, '--name', ns.inside]);
  assert.match(certs.stdout, new RegExp(`names +${HOST.replace(/\./g, '\\.')}, ${ns.inside.replace(/\./g, '\\.')}`));
  // OpenSSL agrees that the CA signed the server certificate.
  await runCommand(opensslBin, ['verify', '-CAfile', caFile, join(work, 'certs', 'server.crt')]);

  const [cmd, args] = ns.exec(process.execPath, [join(repoRoot, 'bin', 'berth.cjs'), 'serve', '--config', config]);
  berth = spawnProcess(`berth in ${ns.name}`, cmd, args, { cwd: repoRoot });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (berth.exitStatus()) throw new Error(`berth exited during startup:\n${outputTail(berth)}`);
    const r = await curl(['--cacert', caFile, '-o', '/dev/null', '-w', '%{http_code}', `${BASE}/v2/`]);
    if (r.stdout === '401') break;
    if (Date.now() > deadline) throw new Error(`berth did not answer on ${BASE}: ${both(r)}\n${outputTail(berth)}`);
    await sleep(200);
  }
  [d, skopeo] = await Promise.all([sharedDockerd(), prepareSkopeo()]);
  await importBusyboxImage(d, `${HOSTPORT}/alice/busybox:v1`);
});

test('without the CA: docker push, curl and skopeo fail with a certificate error', { timeout: 180_000 }, async () => {
  const push = await d.docker(['push', `${HOSTPORT}/alice/busybox:v1`], { check: false });
  assert.notEqual(push.code, 0);
  assert.match(both(push), /x509: certificate signed by unknown authority/);

  const c = await curl([`${BASE}/v2/_catalog`]);
  assert.equal(c.code, 60, both(c)); // CURLE_PEER_FAILED_VERIFICATION
  assert.match(c.stderr, /SSL certificate problem: unable to get local issuer certificate/);

  const s = await skopeo(['inspect', '--creds', 'alice:alice-pw', `docker://${HOSTPORT}/alice/busybox:v1`], { check: false });
  assert.notEqual(s.code, 0);
  assert.match(both(s), /x509: certificate signed by unknown authority/);
});

test('curl with --cacert reproduces the tutorial: 401 + Basic challenge without -u, 200 with it', { timeout: 60_000 }, async () => {
  const anon = await curl(['--cacert', caFile, '-i', `${BASE}/v2/`]);
  assert.equal(anon.code, 0, both(anon));
  assert.match(anon.stdout, /^HTTP\/1\.1 401 Unauthorized\r\n/);
  assert.match(anon.stdout, /\r\nwww-authenticate: Basic realm="Registry Realm"\r\n/i);
  assert.match(anon.stdout, /\r\ndocker-distribution-api-version: registry\/2\.0\r\n/i);
  assert.equal(anon.stdout.split('\r\n\r\n')[1]!.trim(), UNAUTHORIZED_BODY);

  const wrong = await curl(['--cacert', caFile, '-u', 'alice:wrong', '-o', '/dev/null', '-w', '%{http_code}', `${BASE}/v2/`]);
  assert.equal(wrong.stdout, '401');
  const ok = await curl(['--cacert', caFile, '-u', 'alice:alice-pw', `${BASE}/v2/_catalog`]);
  assert.equal(ok.code, 0, both(ok));
  assert.equal(ok.stdout.trim(), '{"repositories":[]}');
});

test('with ca.crt in certs.d/<host:port>/: docker push without login → "no basic auth credentials"', { timeout: 180_000 }, async () => {
  await installDockerCa(HOSTPORT, await readFile(caFile));
  const push = await d.docker(['push', `${HOSTPORT}/alice/busybox:v1`], { check: false });
  assert.notEqual(push.code, 0);
  assert.match(both(push), /no basic auth credentials/);
});

test('docker login → push → pull after rmi → run', { timeout: 300_000 }, async () => {
  const ref = `${HOSTPORT}/alice/busybox:v1`;
  const badLogin = await d.docker(['login', HOSTPORT, '-u', 'alice', '--password-stdin'], { input: 'nope\n', check: false });
  assert.notEqual(badLogin.code, 0);
  assert.match(both(badLogin), /unauthorized|401/i);
  const login = await d.docker(['login', HOSTPORT, '-u', 'alice', '--password-stdin'], { input: 'alice-pw\n' });
  assert.match(login.stdout, /Login Succeeded/);
  const push = await d.docker(['push', ref], { timeoutMs: 240_000 });
  assert.match(push.stdout, /digest: sha256:[0-9a-f]{64}/);
  await d.docker(['rmi', ref]);
  const pull = await d.docker(['pull', ref], { timeoutMs: 240_000 });
  assert.match(pull.stdout, /Downloaded newer image|Pull complete/);
  const run = await d.docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'echo', 'hello over TLS']);
  assert.equal(run.stdout, 'hello over TLS\n');

  const cat = await curl(['--cacert', caFile, '-u', 'alice:alice-pw', `${BASE}/v2/_catalog`]);
  assert.equal(cat.stdout.trim(), '{"repositories":["alice/busybox"]}');
});

test('skopeo with --cert-dir and --creds: inspect and copy within the registry', { timeout: 180_000 }, async () => {
  const certDir = await tempDir('berth-cd-');
  await writeFile(join(certDir, 'ca.crt'), await readFile(caFile));
  const inspect = await skopeo(['inspect', '--cert-dir', certDir, '--creds', 'alice:alice-pw', `docker://${HOSTPORT}/alice/busybox:v1`]);
  assert.equal((JSON.parse(inspect.stdout) as { Name: string }).Name, `${HOSTPORT}/alice/busybox`);
  await skopeo(['copy', '--src-cert-dir', certDir, '--src-creds', 'alice:alice-pw', '--dest-cert-dir', certDir, '--dest-creds', 'alice:alice-pw',
    `docker://${HOSTPORT}/alice/busybox:v1`, `docker://${HOSTPORT}/alice/copy:v1`]);
  const tags = await curl(['--cacert', caFile, '-u', 'alice:alice-pw', `${BASE}/v2/alice/copy/tags/list`]);
  assert.equal(tags.stdout.trim(), '{"name":"alice/copy","tags":["v1"]}');
  const noCreds = await skopeo(['inspect', '--cert-dir', certDir, `docker://${HOSTPORT}/alice/busybox:v1`], { check: false });
  assert.notEqual(noCreds.code, 0);
  assert.match(both(noCreds), /unauthorized|authentication required/i);
});

test('an htpasswd -Bbn entry logs in to Berth; the file Berth wrote works in docker-registry', { timeout: 120_000 }, async () => {
  const apache = await curl(['--cacert', caFile, '-u', 'apache:apache-pw', `${BASE}/v2/_catalog`]);
  assert.equal(apache.stdout.trim(), '{"repositories":["alice/busybox","alice/copy"]}');

  // Berth's file (Apache's line plus Berth's $2y$ lines) as distribution's htpasswd file.
  const text = await readFile(htpasswdFile, 'utf8');
  assert.match(text, /^alice:\$2y\$10\$/m);
  const refFile = join(work, 'ref-htpasswd');
  await writeFile(refFile, text);
  const ref = await startRegistryProcess('reference', {
    extraYaml: ['auth:', '  htpasswd:', '    realm: Registry Realm', `    path: ${refFile}`].join('\n'),
    readyStatus: 401,
  });
  try {
    for (const [user, pw] of [['alice', 'alice-pw'], ['reader', 'reader-pw'], ['apache', 'apache-pw']]) {
      const r = await curl(['-u', `${user}:${pw}`, `${ref.url}/v2/_catalog`]);
      assert.equal(r.stdout.trim(), '{"repositories":[]}', `${user} in docker-registry: ${both(r)}`);
    }
    const bad = await curl(['-u', 'alice:wrong', '-o', '/dev/null', '-w', '%{http_code}', `${ref.url}/v2/`]);
    assert.equal(bad.stdout, '401');
    // The same anonymous answers from both registries.
    const refAnon = await curl(['-i', `${ref.url}/v2/`]);
    assert.match(refAnon.stdout, /www-authenticate: Basic realm="Registry Realm"/i);
    assert.equal(refAnon.stdout.split('\r\n\r\n')[1]!.trim(), UNAUTHORIZED_BODY);
    for (const [method, path] of [['GET', '/v2/_catalog'], ['POST', '/v2/x/y/blobs/uploads/'], ['GET', '/v2/x/y/manifests/v1']]) {
      const fromRef = await curl(['-X', method!, `${ref.url}${path}`]);
      const fromBerth = await curl(['--cacert', caFile, '-X', method!, `${BASE}${path}`]);
      assert.equal(fromBerth.stdout.trim(), fromRef.stdout.trim(), `${method} ${path}`);
    }
  } finally {
    await ref.stop();
  }
});

test('the read role can pull but cannot push (docker: denied) or delete (curl: 403)', { timeout: 240_000 }, async () => {
  const login = await d.docker(['login', HOSTPORT, '-u', 'reader', '--password-stdin'], { input: 'reader-pw\n' });
  assert.match(login.stdout, /Login Succeeded/);
  const ref = `${HOSTPORT}/alice/busybox:v1`;
  await d.docker(['rmi', ref]);
  await d.docker(['pull', ref], { timeoutMs: 180_000 });
  await d.docker(['tag', ref, `${HOSTPORT}/reader/busybox:v1`]);
  const push = await d.docker(['push', `${HOSTPORT}/reader/busybox:v1`], { check: false, timeoutMs: 180_000 });
  assert.notEqual(push.code, 0);
  assert.match(both(push), /denied/);

  const head = await curl(['--cacert', caFile, '-u', 'alice:alice-pw', '-I', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `${BASE}/v2/alice/busybox/manifests/v1`]);
  const digest = /docker-content-digest: (sha256:[0-9a-f]{64})/i.exec(head.stdout)?.[1];
  assert.ok(digest, head.stdout);
  const del = await curl(['--cacert', caFile, '-u', 'reader:reader-pw', '-X', 'DELETE', '-w', '\n%{http_code}', `${BASE}/v2/alice/busybox/manifests/${digest}`]);
  const [body, status] = del.stdout.trim().split('\n');
  assert.equal(status, '403');
  assert.equal((JSON.parse(body!) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DENIED');
  // Still there.
  const still = await curl(['--cacert', caFile, '-u', 'reader:reader-pw', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `${BASE}/v2/alice/busybox/manifests/v1`]);
  assert.equal(still.stdout, '200');
  await d.docker(['logout', HOSTPORT]);
});

test('TLS 1.1 is refused with minimumtls tls1.2; TLS 1.2 verifies against ca.crt with a configured suite', { timeout: 60_000 }, async () => {
  const s11 = await runCommand(opensslBin, ['s_client', '-connect', `${ns.inside}:${PORT}`, '-servername', HOST, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'], { check: false, input: '' });
  assert.notEqual(s11.code, 0, both(s11));
  assert.match(both(s11), /alert protocol version|unsupported protocol|no protocols available|wrong version/i);
  const s12 = await runCommand(opensslBin, ['s_client', '-connect', `${ns.inside}:${PORT}`, '-servername', HOST, '-tls1_2', '-CAfile', caFile, '-verify_return_error', '-verify_hostname', HOST], { check: false, input: '' });
  assert.equal(s12.code, 0, both(s12));
  assert.match(s12.stdout, /Verify return code: 0 \(ok\)/);
  assert.match(s12.stdout, /Cipher is ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)|Cipher is ECDHE-RSA-CHACHA20-POLY1305/);
  const c11 = await curl(['--cacert', caFile, '--tlsv1.1', '--tls-max', '1.1', '-o', '/dev/null', `${BASE}/v2/`]);
  assert.notEqual(c11.code, 0);
});

test('Berth\'s log has no warnings for clients\' normal anonymous first requests', () => {
  const out = berth.output();
  assert.doesNotMatch(out, /error authorizing context/);
  assert.doesNotMatch(out, /level=(warn|error) msg="authentication required"/);
  // The failed logins the test made on purpose are logged once each, with the user name.
  assert.match(out, /level=warn msg="authentication failed" user=alice/);
});

