// Tokens and proven credentials do not outlive what they were issued for: after a user is
// removed, a password changed or a role lowered, the user's Bearer token and cached Basic proof
// are judged on the users and roles as they are now — at once when the change is made through
// Berth (or the running registry is told to reload), within the file re-check otherwise.
// Runs the real runtime, so a role change goes through `reconfigure` as the app and console do.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../../main/config/load';
import { silentLogger } from '../../../../main/lib/logger';
import { createRuntime, type Runtime } from '../../../../main/runtime/runtime';
import { hashPassword } from '../../../../main/users/htpasswd';
import { UserService } from '../../../../main/users/user-service';
import { testRegistryYaml } from '../../../support/registry-yaml';
import { errorCode, send, type Reply } from '../../../support/auth-http';
import { tempDir } from '../../../support/cleanup';

const REPO = 'team/app';

describe('tokens and proofs are re-checked at use', () => {
  let dir: string;
  let htpasswd: string;
  let runtime: Runtime;
  let url: string;
  let users: UserService;
  const yaml = (roles: string[]) => testRegistryYaml(dir, {
    extra: ['auth:', '  htpasswd:', '    realm: Revocation', `    path: ${htpasswd}`,
      'berth:', '  auth:', '    anonymous: pull', '    defaultrole: write', '    roles:', ...roles.map((r) => `      ${r}`)],
  });
  const config = (roles: string[]) => parseConfig(yaml(roles), { env: {}, source: 'test' }).config;

  before(async () => {
    dir = await tempDir('berth-revoke-');
    htpasswd = join(dir, 'htpasswd');
    const lines = await Promise.all([['writer', 'write-pw'], ['reader', 'read-pw']].map(async ([u, p]) => `${u}:${await hashPassword(p!)}`));
    await writeFile(htpasswd, `${lines.join('\n')}\n`);
    users = new UserService(htpasswd, undefined, 'write');
    runtime = createRuntime({ config: config(['reader: read']), log: silentLogger });
    await runtime.start();
    url = `http://127.0.0.1:${runtime.registry!.address.port}`;
  });
  after(async () => {
    await runtime.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function token(auth: [string, string], actions = 'pull,push'): Promise<string> {
    const r = await send(url, `/auth/token?service=berth&scope=${encodeURIComponent(`repository:${REPO}:${actions}`)}`, { auth });
    assert.equal(r.status, 200, r.body);
    return (JSON.parse(r.body) as { token: string }).token;
  }
  const startUpload = (t: string): Promise<Reply> => send(url, `/v2/${REPO}/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${t}` } });
  const listTags = (t: string): Promise<Reply> => send(url, `/v2/${REPO}/tags/list`, { headers: { authorization: `Bearer ${t}` } });

  function assertInvalidToken(r: Reply): void {
    assert.equal(r.status, 401, r.body);
    assert.match(String(r.headers['www-authenticate']), /error="invalid_token"/);
  }

  it('a removed user\'s token is refused at once (401), and so is the user\'s proven Basic header', async () => {
    await users.add('temp', 'temp-password');
    const t = await token(['temp', 'temp-password']);
    assert.equal((await startUpload(t)).status, 202, 'the token pushes while the user exists');
    assert.equal((await send(url, `/v2/${REPO}/tags/list`, { auth: ['temp', 'temp-password'] })).status, 404); // Basic proven (no such repo yet)
    await users.remove('temp');
    assertInvalidToken(await startUpload(t));
    assertInvalidToken(await listTags(t));
    assert.equal((await send(url, `/v2/${REPO}/blobs/uploads/`, { method: 'POST', auth: ['temp', 'temp-password'] })).status, 401);
  });

  it('a password change ends the user\'s tokens at once; a new login gets a working one', async () => {
    await users.add('changer', 'old-password');
    const old = await token(['changer', 'old-password']);
    assert.equal((await startUpload(old)).status, 202);
    await users.setPassword('changer', 'new-password');
    assertInvalidToken(await startUpload(old));
    assert.equal((await startUpload(await token(['changer', 'new-password']))).status, 202);
    await users.remove('changer');
  });

  it('an edit by another program: refused within the file re-check, or at once after reloadUsers()', async () => {
    await users.add('ext1', 'ext1-password');
    await users.add('ext2', 'ext2-password');
    const t1 = await token(['ext1', 'ext1-password']);
    const t2 = await token(['ext2', 'ext2-password']);
    const dropUser = async (user: string) => {
      const text = await readFile(htpasswd, 'utf8');
      await writeFile(htpasswd, text.split('\n').filter((l) => !l.startsWith(`${user}:`)).join('\n'));
    };
    // As `htpasswd -D` or another process would: this process's HtpasswdFiles are not told.
    await dropUser('ext1');
    const changedAt = Date.now();
    let status = 202;
    while (status === 202 && Date.now() - changedAt < 5000) {
      status = (await startUpload(t1)).status;
      if (status === 202) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - changedAt <= 1600, `the token kept working for ${Date.now() - changedAt} ms`);
    // Told to reload (what `berth users` does through the maintenance channel): no window at all.
    assert.equal((await startUpload(t2)).status, 202);
    await dropUser('ext2');
    await runtime.reloadUsers();
    assertInvalidToken(await startUpload(t2));
  });

  it('a lowered role applies to tokens issued before it (403 DENIED), while other tokens stay valid', async () => {
    const writerToken = await token(['writer', 'write-pw']);
    const readerToken = await token(['reader', 'read-pw'], 'pull');
    assert.equal((await startUpload(writerToken)).status, 202);
    const r = await runtime.reconfigure(config(['reader: read', 'writer: read']));
    assert.equal(r.restarted, false);
    const denied = await startUpload(writerToken);
    assert.equal(denied.status, 403, denied.body);
    assert.equal(errorCode(denied), 'DENIED');
    assert.match(denied.body, /writer \(role read\) may not push/);
    // Pulling is still within the role, and tokens the change does not concern keep working:
    // a settings change does not log everyone out.
    assert.equal((await listTags(writerToken)).status, 404);
    assert.equal((await listTags(readerToken)).status, 404);
    await runtime.reconfigure(config(['reader: read']));
    assert.equal((await startUpload(writerToken)).status, 202, 'raised again, the same token pushes');
  });
});
