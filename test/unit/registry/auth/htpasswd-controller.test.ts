// htpasswd authentication and Berth's roles over real HTTP against an in-process registry:
// the challenge as distribution sends it, read/write/admin, anonymous pull, the credential
// proof cache (bcrypt once, not per request), and unknown users costing what wrong passwords do.
import { testRegistryYaml } from '../../../support/registry-yaml';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { createLogger } from '../../../../main/lib/logger';
import { HtpasswdController } from '../../../../main/registry/auth/htpasswd-controller';
import { hashPassword } from '../../../../main/users/htpasswd';
import { UserService } from '../../../../main/users/user-service';
import { startTestRegistry, type TestRegistry } from '../../../support/registry';
import { basic, errorCode, median, pushTinyImage, send } from '../../../support/auth-http';
import { tempDir } from '../../../support/cleanup';

const UNAUTHORIZED_BODY = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}';

let dir: string;
let htpasswd: string;
before(async () => {
  dir = await tempDir('berth-auth-');
  htpasswd = join(dir, 'htpasswd');
  // Cost 10, what htpasswd -B and `berth users add` write: the timing tests depend on it.
  const lines = await Promise.all([['reader', 'read-pw'], ['writer', 'write-pw'], ['boss', 'boss-pw'], ['changer', 'old-pw']]
    .map(async ([u, p]) => `${u}:${await hashPassword(p!)}`));
  await writeFile(htpasswd, `# test users\n${lines.join('\n')}\n`);
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

function authYaml(root: string, berthAuth: string[]): string {
  return testRegistryYaml(root, {
    extra: ['auth:', '  htpasswd:', '    realm: Berth Test', `    path: ${htpasswd}`, 'berth:', '  auth:', ...berthAuth.map((l) => `    ${l}`)],
  });
}

const ROLES = ['defaultrole: admin', 'roles:', '  reader: read', '  writer: write'];

describe('htpasswd auth with roles', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => authYaml(root, ROLES) }); });
  after(async () => { await reg.stop(); });

  it('GET /v2/ without credentials: 401, Basic challenge, the tutorial\'s body', async () => {
    const r = await send(reg.url, '/v2/');
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Basic realm="Berth Test"');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.equal(r.body.trim(), UNAUTHORIZED_BODY);
  });

  it('a repository request without credentials names the repository and action in detail (as distribution)', async () => {
    const r = await send(reg.url, '/v2/some/repo/manifests/latest');
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Class: '', Name: 'some/repo', Action: 'pull' }] }] });
  });

  it('catalog, push and delete challenges carry distribution\'s access records', async () => {
    const body = async (path: string, method = 'GET') => JSON.parse((await send(reg.url, path, { method })).body) as unknown;
    const err = (detail: unknown) => ({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail }] });
    // Bodies docker-registry 2.8.2 sends for the same requests.
    assert.deepEqual(await body('/v2/_catalog'), err([{ Type: 'registry', Class: '', Name: 'catalog', Action: '*' }]));
    assert.deepEqual(await body('/v2/a/b/blobs/uploads/', 'POST'), err([
      { Type: 'repository', Class: '', Name: 'a/b', Action: 'pull' }, { Type: 'repository', Class: '', Name: 'a/b', Action: 'push' },
    ]));
    assert.deepEqual(await body(`/v2/a/b/manifests/sha256:${'0'.repeat(64)}`, 'DELETE'), err([{ Type: 'repository', Class: '', Name: 'a/b', Action: 'delete' }]));
    assert.deepEqual(await body('/v2/a/b/blobs/uploads/?from=c/d&mount=sha256:' + '0'.repeat(64), 'POST'), err([
      { Type: 'repository', Class: '', Name: 'a/b', Action: 'pull' }, { Type: 'repository', Class: '', Name: 'a/b', Action: 'push' },
      { Type: 'repository', Class: '', Name: 'c/d', Action: 'pull' },
    ]));
  });

  it('wrong password, unknown user and malformed headers are all 401 with the challenge', async () => {
    for (const authorization of [basic('reader', 'nope'), basic('ghost', 'read-pw'), 'Basic !!!', 'Bearer abc', basic('', '')]) {
      const r = await send(reg.url, '/v2/', { headers: { authorization } });
      assert.equal(r.status, 401, authorization);
      assert.equal(r.headers['www-authenticate'], 'Basic realm="Berth Test"');
    }
  });

  it('admin (default role) may push, pull, list and delete', async () => {
    const pushed = await pushTinyImage(reg.url, 'team/app', 'v1', ['boss', 'boss-pw']);
    assert.ok('digest' in pushed, JSON.stringify(pushed));
    assert.equal((await send(reg.url, '/v2/team/app/manifests/v1', { auth: ['boss', 'boss-pw'] })).status, 200);
    const cat = await send(reg.url, '/v2/_catalog', { auth: ['boss', 'boss-pw'] });
    assert.deepEqual(JSON.parse(cat.body), { repositories: ['team/app'] });
    const extra = await pushTinyImage(reg.url, 'team/app', 'gone', ['boss', 'boss-pw']);
    assert.ok('digest' in extra);
    const del = await send(reg.url, `/v2/team/app/manifests/${extra.digest}`, { method: 'DELETE', auth: ['boss', 'boss-pw'] });
    assert.equal(del.status, 202);
  });

  it('read may pull and list the catalog, but push and delete are 403 DENIED', async () => {
    const auth: [string, string] = ['reader', 'read-pw'];
    assert.equal((await send(reg.url, '/v2/', { auth })).status, 200);
    assert.equal((await send(reg.url, '/v2/team/app/manifests/v1', { auth })).status, 200);
    assert.equal((await send(reg.url, '/v2/team/app/tags/list', { auth })).status, 200);
    assert.equal((await send(reg.url, '/v2/_catalog', { auth })).status, 200);
    const push = await send(reg.url, '/v2/team/app/blobs/uploads/', { method: 'POST', auth });
    assert.equal(push.status, 403);
    assert.equal(errorCode(push), 'DENIED');
    assert.match(push.body, /reader \(role read\) may not push/);
    assert.equal(push.headers['www-authenticate'], undefined, 'a 403 is final: no challenge to retry with');
    const del = await send(reg.url, '/v2/team/app/manifests/v1', { method: 'DELETE', auth });
    assert.equal(del.status, 403);
    assert.equal(errorCode(del), 'DENIED');
  });

  it('write may push but not delete', async () => {
    const auth: [string, string] = ['writer', 'write-pw'];
    const pushed = await pushTinyImage(reg.url, 'team/other', 'v1', auth);
    assert.ok('digest' in pushed, JSON.stringify(pushed));
    const del = await send(reg.url, `/v2/team/other/manifests/${pushed.digest}`, { method: 'DELETE', auth });
    assert.equal(del.status, 403);
    assert.equal(errorCode(del), 'DENIED');
    // Cross-repository mount asks for pull on the source too: write has it.
    const mount = await send(reg.url, '/v2/team/third/blobs/uploads/?from=team/other&mount=sha256:0000000000000000000000000000000000000000000000000000000000000000', { method: 'POST', auth });
    assert.equal(mount.status, 202);
  });

  it('the second authenticated request does not run bcrypt: 50 requests cost far less than 50 bcrypt compares', async () => {
    const auth: [string, string] = ['writer', 'write-pw'];
    const hash = await hashPassword('calibrate');
    let t = performance.now();
    for (let i = 0; i < 5; i++) await bcrypt.compare('calibrate', hash);
    const bcryptMs = (performance.now() - t) / 5;
    assert.equal((await send(reg.url, '/v2/', { auth })).status, 200); // warm the proof
    t = performance.now();
    for (let i = 0; i < 50; i++) assert.equal((await send(reg.url, '/v2/', { auth })).status, 200);
    const fiftyMs = performance.now() - t;
    assert.ok(fiftyMs < (50 * bcryptMs) / 5, `50 cached requests took ${fiftyMs.toFixed(0)} ms; 50 bcrypt compares ≈ ${(50 * bcryptMs).toFixed(0)} ms`);
  });

  it('a wrong password is never accepted from the cache of a right one', async () => {
    assert.equal((await send(reg.url, '/v2/', { auth: ['writer', 'write-pw'] })).status, 200);
    assert.equal((await send(reg.url, '/v2/', { auth: ['writer', 'write-pw '] })).status, 401);
    assert.equal((await send(reg.url, '/v2/', { auth: ['writer', 'write-p'] })).status, 401);
  });

  it('a password change (berth users passwd) invalidates the cached proof once the file is re-read', async () => {
    assert.equal((await send(reg.url, '/v2/', { auth: ['changer', 'old-pw'] })).status, 200);
    assert.equal((await send(reg.url, '/v2/', { auth: ['changer', 'old-pw'] })).status, 200); // served from the proof
    const changedAt = Date.now();
    await new UserService(htpasswd, undefined, 'admin').setPassword('changer', 'new-password');
    // The file is re-stat'ed at most once a second; the proof is bound to the old hash.
    let old = 200;
    while (old === 200 && Date.now() - changedAt < 3000) {
      old = (await send(reg.url, '/v2/', { auth: ['changer', 'old-pw'] })).status;
      if (old === 200) await new Promise((r) => setTimeout(r, 50));
    }
    const window = Date.now() - changedAt;
    assert.equal(old, 401, 'the old password stops working');
    assert.ok(window <= 1500, `the old password kept working for ${window} ms`);
    assert.equal((await send(reg.url, '/v2/', { auth: ['changer', 'new-password'] })).status, 200);
  });

  it('a removed user is refused even with a cached proof', async () => {
    const svc = new UserService(htpasswd, undefined, 'admin');
    await svc.add('temp', 'temp-password');
    const t0 = Date.now();
    let s = 401;
    while (s !== 200 && Date.now() - t0 < 3000) s = (await send(reg.url, '/v2/', { auth: ['temp', 'temp-password'] })).status;
    assert.equal(s, 200, 'a user added to the file can log in without a restart');
    await svc.remove('temp');
    const t1 = Date.now();
    while (s === 200 && Date.now() - t1 < 3000) s = (await send(reg.url, '/v2/', { auth: ['temp', 'temp-password'] })).status;
    assert.equal(s, 401);
  });
});

describe('anonymous pull (berth.auth.anonymous: pull)', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => authYaml(root, ['anonymous: pull', ...ROLES]) }); });
  after(async () => { await reg.stop(); });

  it('pulls without credentials; push, delete and the catalog still need them', async () => {
    const pushed = await pushTinyImage(reg.url, 'pub/app', 'v1', ['writer', 'write-pw']);
    assert.ok('digest' in pushed, JSON.stringify(pushed));
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1')).status, 200);
    assert.equal((await send(reg.url, '/v2/pub/app/tags/list')).status, 200);
    const anonPush = await send(reg.url, '/v2/pub/app/blobs/uploads/', { method: 'POST' });
    assert.equal(anonPush.status, 401);
    // In this mode the challenge names Berth's own token service (see the token tests below).
    assert.match(String(anonPush.headers['www-authenticate']), /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/auth\/token",service="berth",scope="repository:pub\/app:pull,push"$/);
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1', { method: 'DELETE' })).status, 401);
    assert.equal((await send(reg.url, '/v2/_catalog')).status, 401);
    // Wrong credentials are not downgraded to anonymous.
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1', { auth: ['writer', 'bad'] })).status, 401);
  });

  it('the ping is challenged, so clients learn where to log in', async () => {
    const ping = await send(reg.url, '/v2/');
    assert.equal(ping.status, 401);
    assert.match(String(ping.headers['www-authenticate']), /^Bearer realm="[^"]+\/auth\/token",service="berth"$/);
  });

  it('tokens: anonymous ones carry pull only; a user gets the role\'s rights; a wrong password gets none', async () => {
    const token = async (scope: string, auth?: [string, string]) => {
      const r = await send(reg.url, `/auth/token?service=berth&scope=${encodeURIComponent(scope)}`, auth ? { auth } : {});
      return { status: r.status, token: r.status === 200 ? (JSON.parse(r.body) as { token: string }).token : '' };
    };
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
    const anon = await token('repository:pub/app:pull,push');
    assert.equal(anon.status, 200);
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1', bearer(anon.token))).status, 200);
    const refused = await send(reg.url, '/v2/pub/app/blobs/uploads/', { method: 'POST', ...bearer(anon.token) });
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);

    const writer = await token('repository:pub/app:pull,push', ['writer', 'write-pw']);
    assert.equal((await send(reg.url, '/v2/pub/app/blobs/uploads/', { method: 'POST', ...bearer(writer.token) })).status, 202);
    const writerDelete = await token('repository:pub/app:delete', ['writer', 'write-pw']);
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1', { method: 'DELETE', ...bearer(writerDelete.token) })).status, 401);

    assert.equal((await token('repository:pub/app:pull', ['writer', 'bad'])).status, 401, 'docker login must fail on a wrong password');
    assert.equal((await send(reg.url, '/v2/pub/app/manifests/v1', bearer(writer.token + 'x'))).status, 401);
  });
});

describe('HtpasswdController directly', () => {
  const fakeReq = (authorization: string | undefined, address: string) =>
    ({ headers: authorization ? { authorization } : {}, socket: { remoteAddress: address } }) as unknown as IncomingMessage;

  it('unknown users take about as long as wrong passwords (medians, generous bounds)', async () => {
    const c = new HtpasswdController({ realm: 'r', path: htpasswd, roles: {}, defaultRole: 'admin', anonymousPull: false, log: createLogger({ level: 'error', format: 'text', write: () => {} }) });
    const time = async (user: string, i: number) => {
      const t = performance.now();
      // A fresh client address each time, so the failure limiter never slows a sample.
      await assert.rejects(c.authorize(fakeReq(basic(user, 'wrong'), `10.9.${i >> 8}.${i & 255}`), [{ action: 'pull' }]));
      return performance.now() - t;
    };
    await time('ghost', 0); // the dummy hash is made lazily: do not time that
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 1; i <= 12; i++) {
      wrong.push(await time('reader', 2 * i));
      unknown.push(await time(`ghost${i}`, 2 * i + 1));
    }
    const ratio = median(unknown) / median(wrong);
    assert.ok(ratio > 0.6 && ratio < 1.6, `median unknown ${median(unknown).toFixed(1)} ms vs wrong password ${median(wrong).toFixed(1)} ms`);
    assert.ok(median(unknown) > 20, `unknown users run a real bcrypt (${median(unknown).toFixed(1)} ms)`);
  });

  it('the first anonymous request logs at debug only; a failed login warns with the user, never the password', async () => {
    const lines: string[] = [];
    const c = new HtpasswdController({ realm: 'r', path: htpasswd, roles: {}, defaultRole: 'admin', anonymousPull: false, log: createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) }) });
    await assert.rejects(c.authorize(fakeReq(undefined, '10.8.0.1'), [{ action: 'pull' }]));
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { level: string }).level), ['debug']);
    assert.doesNotMatch(lines.join('\n'), /error authorizing context/);
    lines.length = 0;
    await assert.rejects(c.authorize(fakeReq(basic('reader', 'Sup3rSecret'), '10.8.0.2'), [{ action: 'pull' }]));
    const logged = lines.map((l) => JSON.parse(l) as { level: string; user?: string });
    assert.deepEqual(logged.map((l) => [l.level, l.user]), [['warn', 'reader']]);
    assert.doesNotMatch(lines.join('\n'), /Sup3rSecret/);
  });
});
