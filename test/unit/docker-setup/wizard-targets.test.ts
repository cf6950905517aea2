// Which files the Docker wizard may read and write (issue 10, point 2): only the daemon.json
// locations detection knows (or the one named by BERTH_DOCKER_DAEMON_JSON), and of those only a
// regular file; nothing else is read, previewed, written or echoed in a message. Real temp files:
// a home with Docker credentials in ~/.docker/config.json, a rootful daemon.json stand-in.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDaemonChange, detectDockerTargets, previewDaemonChange } from '../../../main/docker-setup/wizard';
import type { CommandRunner, WizardOptions } from '../../../main/docker-setup/env';
import { tempDir } from '../../support/cleanup';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const SECRET = 'c2VjcmV0LXJlZ2lzdHJ5LXRva2Vu';
const CREDENTIALS = `{\n  "auths": {\n    "registry.example": { "auth": "${SECRET}" }\n  }\n}\n`;
const ORIGINAL = '{\n  "debug": true\n}\n';
/** No Docker answers: detection and validation run nothing real. */
const noDocker: CommandRunner = async (cmd) => ({ code: null, stdout: '', stderr: '', error: `${cmd} is not installed` });

async function machine() {
  const dir = await tempDir('berth-wiz-targets-');
  dirs.push(dir);
  const home = join(dir, 'home');
  await mkdir(join(home, '.docker'), { recursive: true });
  const credentials = join(home, '.docker', 'config.json');
  await writeFile(credentials, CREDENTIALS);
  const rootful = join(dir, 'etc', 'docker', 'daemon.json');
  await mkdir(join(dir, 'etc', 'docker'), { recursive: true });
  await writeFile(rootful, ORIGINAL);
  const opts: WizardOptions = { home, platform: 'linux', rootfulPath: rootful, env: {}, run: noDocker, elevate: false, isRoot: true };
  return { dir, home, credentials, rootful, opts };
}

/** Refused, and nothing of the file is in the error. */
async function refused(p: Promise<unknown>, name: RegExp, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.match(err.constructor.name, name);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, new RegExp(`${SECRET}|auths|registry\\.example`));
    return true;
  });
}

test('preview and apply refuse ~/.docker/config.json, /etc/profile.d and relative paths, unread and unwritten', async () => {
  const { dir, credentials, opts } = await machine();
  const profile = join(dir, 'etc', 'profile.d', 'berth.sh');
  for (const target of [credentials, '/etc/profile.d/berth-wizard-test.sh', profile, 'daemon.json', 'etc/docker/daemon.json', join(dir, 'etc', 'docker', 'daemon.json.berth-backup-x')]) {
    await refused(previewDaemonChange({ target, insecureRegistry: '10.0.0.2:5000' }, opts), /TargetError/, /only the daemon\.json of a Docker it detected/);
  }
  await refused(applyDaemonChange({ target: credentials, mirror: 'http://10.0.0.2:5000', then: 'later' }, opts), /TargetError/, /BERTH_DOCKER_DAEMON_JSON/);
  await refused(applyDaemonChange({ target: profile, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts), /TargetError/, /detected/);
  assert.equal(await readFile(credentials, 'utf8'), CREDENTIALS, 'the credentials file is untouched');
  assert.equal(existsSync(profile), false, 'nothing was created in profile.d');
  assert.equal(existsSync('/etc/profile.d/berth-wizard-test.sh'), false);
});

test('a known target that is a symlink to another file is refused, not followed', async () => {
  const { rootful, credentials, opts } = await machine();
  await rm(rootful);
  await symlink(credentials, rootful);
  await refused(previewDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000' }, opts), /DaemonJsonError/, /is a symbolic link/);
  const r = await applyDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts);
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, []);
  assert.match(r.message, /symbolic link/);
  assert.doesNotMatch(JSON.stringify(r), new RegExp(SECRET));
  assert.equal(await readFile(credentials, 'utf8'), CREDENTIALS);
});

test('a known target that is not a JSON object, or not a regular file, is refused without a byte of it', async () => {
  const { rootful, opts } = await machine();
  for (const text of [`password=${SECRET}\n`, `{"auths": "${SECRET}",,}`, `["${SECRET}"]`, `"${SECRET}"`, `{"a": 1} ${SECRET}`]) {
    await writeFile(rootful, text);
    await assert.rejects(previewDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000' }, opts), (err: Error) => {
      assert.match(err.message, /is not valid JSON|must hold a JSON object/);
      assert.doesNotMatch(err.message, new RegExp(`${SECRET}|${SECRET.slice(0, 8)}|password`), `leaked: ${err.message}`);
      return true;
    });
    const r = await applyDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts);
    assert.equal(r.ok, false);
    assert.doesNotMatch(r.message, new RegExp(SECRET.slice(0, 8)));
    assert.equal(await readFile(rootful, 'utf8'), text, 'left as it was');
  }
  await rm(rootful);
  execFileSync('mkfifo', [rootful]); // would block a plain read forever
  await refused(previewDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000' }, opts), /DaemonJsonError/, /not a regular file/);
});

test('the detected targets are accepted, also spelled with ".." (the canonical path is used)', async () => {
  const { dir, rootful, opts } = await machine();
  const p = await previewDaemonChange({ target: join(dir, 'etc', 'docker', '..', 'docker', 'daemon.json'), insecureRegistry: '[fd00::2]:5000', mirror: 'http://[fd00::2]:5000' }, opts);
  assert.equal(p.path, rootful);
  assert.equal(p.current, ORIGINAL);
  assert.deepEqual(JSON.parse(p.next), { debug: true, 'insecure-registries': ['[fd00::2]:5000'], 'registry-mirrors': ['http://[fd00::2]:5000'] });
  const r = await applyDaemonChange({ target: rootful, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts);
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(JSON.parse(await readFile(rootful, 'utf8'))['insecure-registries'], ['10.0.0.2:5000']);
});

test('BERTH_DOCKER_DAEMON_JSON names the system daemon.json for unusual installs; then only that one is rootful', async () => {
  const { dir, home } = await machine();
  const snap = join(dir, 'snap', 'docker', 'current', 'config', 'daemon.json');
  await mkdir(join(snap, '..'), { recursive: true });
  await writeFile(snap, ORIGINAL);
  const opts: WizardOptions = { home, platform: 'linux', env: { BERTH_DOCKER_DAEMON_JSON: snap }, run: noDocker, elevate: false, isRoot: true };
  const targets = await detectDockerTargets(opts);
  assert.deepEqual(targets.map((t) => [t.kind, t.path]), [['linux-rootful', snap]]);
  const p = await previewDaemonChange({ target: snap, insecureRegistry: '10.0.0.2:5000' }, opts);
  assert.equal(p.current, ORIGINAL);
  await refused(previewDaemonChange({ target: '/etc/docker/daemon.json', insecureRegistry: '10.0.0.2:5000' }, opts), /TargetError/, /BERTH_DOCKER_DAEMON_JSON/);
  // Only an absolute path counts; anything else leaves the default in place.
  const relative = await detectDockerTargets({ ...opts, env: { BERTH_DOCKER_DAEMON_JSON: 'snap/daemon.json' } });
  assert.deepEqual(relative.map((t) => t.path), ['/etc/docker/daemon.json']);
});
