// UserService over a real htpasswd file and a real config.yml (roles in berth.auth.roles), and
// HtpasswdFile following changes made behind its back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { passwordProblem, userNameProblem } from '../../../preload/contract/users';
import { configRoleStore } from '../../../main/config/edit-config';
import { parseConfig } from '../../../main/config/load';
import { HtpasswdFile } from '../../../main/users/htpasswd-file';
import { hashPassword, parseHtpasswd, verifyPassword } from '../../../main/users/htpasswd';
import { UserError, UserService } from '../../../main/users/user-service';
import { tempDir } from '../../support/cleanup';

let dir: string;
before(async () => { dir = await tempDir('berth-users-'); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const CONFIG = (htpasswd: string) => `# Berth test config: this comment must survive
version: 0.1
storage:
  filesystem:
    rootdirectory: /tmp/nowhere   # where the blobs go
auth:
  htpasswd:
    realm: Test Realm
    path: ${htpasswd}
berth:
  auth:
    # roles of the team
    defaultrole: read
    roles:
      root: admin # the boss
`;

async function fixture(name: string) {
  const htpasswd = join(dir, `${name}.htpasswd`);
  const config = join(dir, `${name}.yml`);
  await writeFile(config, CONFIG(htpasswd));
  const store = configRoleStore(config);
  return { htpasswd, config, store, service: new UserService(htpasswd, store, 'read') };
}

async function hashOf(path: string, user: string): Promise<string | undefined> {
  return parseHtpasswd(await readFile(path, 'utf8')).entries.find((e) => e.user === user)?.hash;
}

describe('UserService', () => {
  it('add creates the file (mode 0600) with a $2y$ bcrypt entry; list shows users with their roles', async () => {
    const f = await fixture('add');
    await f.service.add('alice', 'alice-pw');
    await f.service.add('root', 'root-password');
    await f.service.add('bob', 'bob-password', 'write');
    assert.equal((await stat(f.htpasswd)).mode & 0o777, 0o600);
    const hash = await hashOf(f.htpasswd, 'alice');
    assert.match(hash!, /^\$2y\$10\$/);
    assert.equal(await verifyPassword('alice-pw', hash!), true);
    assert.deepEqual(await f.service.list(), [
      { user: 'alice', role: 'read', canLogIn: true },
      { user: 'bob', role: 'write', canLogIn: true },
      { user: 'root', role: 'admin', canLogIn: true },
    ]);
    await assert.rejects(f.service.add('alice', 'again-password'), (e: Error) => e instanceof UserError && /already exists/.test(e.message));
    // The shared rule's sentences (preload/contract/users.ts), before anything is hashed or written.
    await assert.rejects(f.service.add('bad:name', 'long-enough'), (e: Error) => e.message === userNameProblem('bad:name'));
    await assert.rejects(f.service.add('shortpw', 'short'), (e: Error) => e.message === passwordProblem('short'));
    await assert.rejects(f.service.setPassword('alice', 'x'.repeat(73)), /at most 72 bytes/);
    assert.deepEqual((await f.service.list()).map((u) => u.user), ['alice', 'bob', 'root']);
    assert.equal(await verifyPassword('alice-pw', (await hashOf(f.htpasswd, 'alice'))!), true);
  });

  it('passwd replaces only that user\'s hash; unknown users are an error', async () => {
    const f = await fixture('passwd');
    await f.service.add('alice', 'old-password');
    await f.service.add('bob', 'bob-password');
    const bobBefore = await hashOf(f.htpasswd, 'bob');
    await f.service.setPassword('alice', 'new-password');
    const alice = await hashOf(f.htpasswd, 'alice');
    assert.equal(await verifyPassword('new-password', alice!), true);
    assert.equal(await verifyPassword('old-password', alice!), false);
    assert.equal(await hashOf(f.htpasswd, 'bob'), bobBefore);
    await assert.rejects(f.service.setPassword('nobody', 'some-password'), /no user nobody/);
  });

  it('role edits keep every comment of config.yml, and the edited config still loads', async () => {
    const f = await fixture('roles');
    await f.service.add('bob', 'bob-password');
    await f.service.setRole('bob', 'write');
    const text = await readFile(f.config, 'utf8');
    for (const comment of ['# Berth test config: this comment must survive', '# where the blobs go', '# roles of the team', '# the boss']) {
      assert.ok(text.includes(comment), `comment kept: ${comment}\n${text}`);
    }
    const { config } = parseConfig(text, { source: f.config });
    assert.deepEqual(config.berth.auth.roles, { root: 'admin', bob: 'write' });
    // Setting the default role removes the entry instead of repeating the default.
    await f.service.setRole('bob', 'read');
    assert.deepEqual(await f.store.roles(), { root: 'admin' });
    assert.ok((await readFile(f.config, 'utf8')).includes('# the boss'));
  });

  it('remove deletes the entry and its role; unknown users are an error', async () => {
    const f = await fixture('remove');
    await f.service.add('root', 'root-password');
    await f.service.add('bob', 'bob-password');
    await f.service.remove('root');
    assert.deepEqual((await f.service.list()).map((u) => u.user), ['bob']);
    assert.deepEqual(await f.store.roles(), {});
    await assert.rejects(f.service.remove('root'), /no user root/);
  });

  it('a file written by Apache htpasswd -B is listed, and non-bcrypt users are flagged', async () => {
    const f = await fixture('apache');
    const line = execFileSync('htpasswd', ['-Bbn', 'apache', 'apache-pw'], { encoding: 'utf8' }).trim();
    await writeFile(f.htpasswd, `${line}\nmd5user:$apr1$abcdefgh$0123456789abcdefghijkl\n`);
    assert.deepEqual(await f.service.list(), [
      { user: 'apache', role: 'read', canLogIn: true },
      { user: 'md5user', role: 'read', canLogIn: false },
    ]);
    assert.equal(await verifyPassword('apache-pw', (await hashOf(f.htpasswd, 'apache'))!), true);
    // Adding a user keeps Apache's entries byte for byte.
    await f.service.add('newbie', 'newbie-password');
    assert.ok((await readFile(f.htpasswd, 'utf8')).startsWith(`${line}\nmd5user:$apr1$abcdefgh$0123456789abcdefghijkl\n`));
  });

  it('without a config file, role changes are refused with a hint', async () => {
    const service = new UserService(join(dir, 'noconfig.htpasswd'), undefined, 'admin');
    await service.add('x', 'x-password');
    await assert.rejects(service.setRole('x', 'read'), /--config/);
    assert.deepEqual(await service.list(), [{ user: 'x', role: 'admin', canLogIn: true }]);
  });
});

describe('HtpasswdFile', () => {
  it('a missing file means no users', async () => {
    const file = new HtpasswdFile(join(dir, 'missing.htpasswd'));
    assert.equal((await file.users()).size, 0);
  });

  it('picks up a user added by another writer (htpasswd -B) within its recheck interval', async () => {
    const path = join(dir, 'external.htpasswd');
    await writeFile(path, `first:${await hashPassword('pw', 4)}\n`);
    const file = new HtpasswdFile(path);
    assert.deepEqual([...(await file.users()).keys()], ['first']);
    const line = execFileSync('htpasswd', ['-Bbn', 'second', 'pw2'], { encoding: 'utf8' }).trim();
    await writeFile(path, `first:${await hashPassword('pw', 4)}\n${line}\n`);
    const deadline = Date.now() + 3000;
    let users = [...(await file.users()).keys()];
    while (users.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      users = [...(await file.users()).keys()];
    }
    assert.deepEqual(users, ['first', 'second']);
    // ...and a removal too.
    await rm(path);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await file.users()).size, 0);
  });

  it('keeps parse warnings for the UI', async () => {
    const path = join(dir, 'warn.htpasswd');
    await writeFile(path, 'old:{SHA}abc\n');
    const file = new HtpasswdFile(path);
    await file.reloadIfChanged();
    assert.equal(file.warnings.length, 1);
    assert.match(file.warnings[0]!, /non-bcrypt/);
  });
});
