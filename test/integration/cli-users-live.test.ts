// `berth users …` while `berth serve` runs the same config (with anonymous pull, so tokens too): the command tells the server over its
// maintenance channel, so a new user can push at once and a lowered role refuses the next push
// (Basic or a token issued before) without a restart. A name or password the shared rule refuses
// changes nothing. With no server running, the command just updates the files and says nothing
// about a server.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { passwordProblem, userNameProblem } from '../../preload/contract/users';
import { freePort, runCommand, sleep, spawnProcess, type ManagedProcess } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';
import { tempDir } from '../support/cleanup';

const CLI = join(import.meta.dirname, '../../main/headless/cli.ts');
const REPO = 'team/app';

describe('berth users with a running server', () => {
  let root: string;
  let file: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let serve: ManagedProcess | undefined;
  const berth = (args: string[], input?: string) =>
    runCommand(process.execPath, ['--import', 'tsx', CLI, ...args], { check: false, timeoutMs: 60_000, env, ...(input !== undefined ? { input } : {}) });
  const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
  const startUpload = async (authorization: string) => {
    const res = await fetch(`${url}/v2/${REPO}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    return { status: res.status, body: await res.text() };
  };

  before(async () => {
    root = await tempDir('berth-users-live-');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    file = join(root, 'config.yml');
    await writeFile(join(root, 'htpasswd'), '');
    await writeFile(file, testRegistryYaml(root, {
      port,
      extra: ['auth:', '  htpasswd:', '    realm: Live', `    path: ${join(root, 'htpasswd')}`, 'berth:', '  auth:', '    anonymous: pull', '    defaultrole: read'],
    }) + '\n');
    env = { ...process.env, BERTH_DATA_DIR: join(root, 'berth-data'), REGISTRY_CONFIGURATION_PATH: '' };
    serve = spawnProcess('berth serve (users)', process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', file], { env });
    // Ready once serve prints its maintenance channel (after the registry's listener).
    for (let i = 0; i < 600 && !/Maintenance channel/.test(serve.output()); i++) {
      if (serve.exitStatus()) throw new Error(`berth serve exited: ${serve.output()}`);
      await sleep(50);
    }
    assert.match(serve.output(), /Maintenance channel/);
  });
  after(async () => {
    await serve?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('a user added with a role can push at once; lowering the role refuses the next push without a restart', async () => {
    const add = await berth(['users', 'add', 'bob', '--role', 'write', '--config', file], 'bob-password\n');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /added bob\nthe running registry \(127\.0\.0\.1:\d+\) applied the change\n/);
    assert.equal((await startUpload(basic('bob', 'bob-password'))).status, 202);
    const tokenRes = await fetch(`${url}/auth/token?service=berth&scope=${encodeURIComponent(`repository:${REPO}:pull,push`)}`, { headers: { authorization: basic('bob', 'bob-password') } });
    assert.equal(tokenRes.status, 200);
    const { token } = await tokenRes.json() as { token: string };
    assert.equal((await startUpload(`Bearer ${token}`)).status, 202);

    const role = await berth(['users', 'role', 'bob', 'read', '--config', file]);
    assert.equal(role.code, 0, role.stderr);
    assert.match(role.stdout, /bob is now read\nthe running registry .* applied the change\n/);
    assert.equal(role.stderr, '');
    // No wait, no restart: the very next pushes are refused.
    for (const authorization of [basic('bob', 'bob-password'), `Bearer ${token}`]) {
      const r = await startUpload(authorization);
      assert.equal(r.status, 403, r.body);
      assert.match(r.body, /"code":"DENIED"/);
    }
    assert.equal(serve!.exitStatus(), undefined, 'the server kept running');
  });

  it('a name or password the shared rule refuses is refused with its sentence, and nothing is written', async () => {
    const htpasswd = await readFile(join(root, 'htpasswd'), 'utf8');
    // The name is judged before the password is read: stdin is never consumed.
    const badName = await berth(['users', 'add', 'two words', '--config', file], 'carol-password\n');
    assert.equal(badName.code, 1);
    assert.equal(badName.stderr, `berth: ${userNameProblem('two words')}\n`);
    const shortPw = await berth(['users', 'add', 'carol', '--config', file], 'short\n');
    assert.equal(shortPw.code, 1);
    assert.equal(shortPw.stderr, `berth: ${passwordProblem('short')}\n`);
    const passwd = await berth(['users', 'passwd', 'bob', '--config', file], `${'x'.repeat(73)}\n`);
    assert.equal(passwd.code, 1);
    assert.match(passwd.stderr, /at most 72 bytes/);
    assert.equal(await readFile(join(root, 'htpasswd'), 'utf8'), htpasswd);
  });

  it('with no server answering, updates the files and says nothing about a server', async () => {
    await serve!.stop();
    serve = undefined;
    const r = await berth(['users', 'role', 'bob', 'write', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'bob is now write\n');
    assert.equal(r.stderr, '');
    assert.match(await readFile(file, 'utf8'), /bob: write/);
  });
});
