// The wizard's flow with a fake Docker: a command runner that plays dockerd (it "loads"
// daemon.json when reloaded and answers `docker info` from what it loaded), a fake elevator
// (runs the privileged script as this process, with systemctl faked on PATH), and temp files.
// The real dockerd is exercised by test/e2e/docker-wizard.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDaemonChange, clientSnippets, detectDockerTargets, previewDaemonChange } from '../../../main/docker-setup/wizard';
import type { CommandRunner, WizardOptions } from '../../../main/docker-setup/env';
import type { DaemonVerifier, Expectation } from '../../../main/docker-setup/verify';
import { tempDir } from '../../support/cleanup';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tmp(): Promise<string> {
  const d = await tempDir('berth-wiz-');
  dirs.push(d);
  return d;
}

const ORIGINAL = '{\n  "debug": true,\n  "log-opts": {\n    "max-size": "10m"\n  }\n}\n';

/** A dockerd stand-in: `systemctl reload docker` makes it read daemon.json; `docker info` reports it. */
function fakeDocker(daemonJson: string, o: { validateExit?: number; rejectReload?: boolean } = {}) {
  const calls: string[] = [];
  let loaded: Record<string, unknown> = {};
  const load = async () => {
    const text = await readFile(daemonJson, 'utf8');
    const cfg = JSON.parse(text) as Record<string, unknown>;
    if (!o.rejectReload) loaded = cfg; // a daemon that rejects the file keeps its old config
  };
  const run: CommandRunner = async (cmd, args) => {
    calls.push([cmd, ...args].join(' '));
    if (cmd === 'systemctl') {
      await load();
      return { code: 0, stdout: '', stderr: '' };
    }
    if (cmd === 'dockerd') return { code: o.validateExit ?? 0, stdout: '', stderr: o.validateExit ? 'unable to configure the Docker daemon with file: conflict' : '' };
    if (cmd === 'docker' && args[0] === 'info') {
      const insecure = (loaded['insecure-registries'] as string[] | undefined) ?? [];
      const mirrors = ((loaded['registry-mirrors'] as string[] | undefined) ?? []).map((m) => `${m.replace(/\/$/, '')}/`);
      const IndexConfigs = Object.fromEntries([['docker.io', { Name: 'docker.io', Secure: true, Mirrors: mirrors }], ...insecure.map((h) => [h, { Name: h, Secure: false, Mirrors: [] }])]);
      return { code: 0, stdout: JSON.stringify({ IndexConfigs, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: mirrors }), stderr: '' };
    }
    return { code: null, stdout: '', stderr: '', error: `${cmd} is not installed` };
  };
  return { run, calls, loaded: () => loaded, load };
}

async function setup(o: { validateExit?: number; rejectReload?: boolean } = {}) {
  const dir = await tmp();
  const path = join(dir, 'daemon.json');
  await writeFile(path, ORIGINAL);
  const fake = fakeDocker(path, o);
  await fake.load();
  // The temp file stands in for /etc/docker/daemon.json: the one rootful target the wizard accepts.
  const opts: WizardOptions = { run: fake.run, platform: 'linux', isRoot: true, home: dir, rootfulPath: path, env: {}, elevate: false, verifyTimeoutMs: 1_500, now: () => new Date('2025-01-31T12:00:00.123Z') };
  return { dir, path, fake, opts };
}

test('preview: current, next, diff; unchanged when the entries are there', async () => {
  const { path, opts } = await setup();
  const p = await previewDaemonChange({ target: path, insecureRegistry: 'http://10.0.0.2:5000', mirror: 'http://10.0.0.2:5000' }, opts);
  assert.equal(p.current, ORIGINAL);
  assert.deepEqual(JSON.parse(p.next), { debug: true, 'log-opts': { 'max-size': '10m' }, 'insecure-registries': ['10.0.0.2:5000'], 'registry-mirrors': ['http://10.0.0.2:5000'] });
  assert.match(p.diff, /^\+ {2}"insecure-registries": \[$/m);
  assert.equal(p.unchanged, false);
  assert.match(p.warnings![0]!, /without a scheme/);
  assert.equal(await readFile(path, 'utf8'), ORIGINAL, 'a preview writes nothing');

  await writeFile(path, p.next);
  const again = await previewDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000' }, opts);
  assert.equal(again.unchanged, true);
  assert.equal(again.next, again.current);
  assert.equal(again.diff.includes('@@'), false);

  await rm(path);
  const missing = await previewDaemonChange({ target: path, mirror: 'https://m.example' }, opts);
  assert.equal(missing.current, '');
  assert.deepEqual(JSON.parse(missing.next), { 'registry-mirrors': ['https://m.example'] });
});

test('apply + reload: validated, backed up, written, reloaded, verified', async () => {
  const { dir, path, fake, opts } = await setup();
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', mirror: 'http://10.0.0.2:5000', then: 'reload' }, opts);
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'verified']);
  assert.equal(r.backupPath, `${path}.berth-backup-2025-01-31T12-00-00Z`);
  assert.equal(await readFile(r.backupPath!, 'utf8'), ORIGINAL);
  assert.deepEqual(Object.keys(JSON.parse(await readFile(path, 'utf8'))), ['debug', 'log-opts', 'insecure-registries', 'registry-mirrors']);
  assert.ok(fake.calls.includes('systemctl reload docker'));
  assert.ok(fake.calls.some((c) => c.startsWith('dockerd --validate --config-file ')), 'dockerd --validate checked the new file');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('tmp')), [], 'no temp files left');
});

test('apply: dockerd --validate rejecting the file means nothing is written', async () => {
  const { path, opts, fake } = await setup({ validateExit: 1 });
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, opts);
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, []);
  assert.match(r.message, /^Not written: dockerd --validate rejected the new file: .*conflict/);
  assert.equal(await readFile(path, 'utf8'), ORIGINAL);
  assert.equal(fake.calls.includes('systemctl reload docker'), false);
});

test('apply: invalid input and invalid current JSON are refused before writing', async () => {
  const { path, opts } = await setup();
  const bad = await applyDaemonChange({ target: path, mirror: '10.0.0.2:5000', then: 'reload' }, opts);
  assert.equal(bad.ok, false);
  assert.match(bad.message, /need a scheme/);
  await writeFile(path, '{"debug": true,,}');
  const broken = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, opts);
  assert.equal(broken.ok, false);
  assert.match(broken.message, /not valid JSON at line 1, column 16/);
  assert.equal(await readFile(path, 'utf8'), '{"debug": true,,}');
  await assert.rejects(previewDaemonChange({ target: path, insecureRegistry: 'a:1' }, opts), /not valid JSON/);
});

test('apply: a daemon that does not take the change is rolled back (backup restored, reloaded again)', async () => {
  const { path, fake, opts } = await setup({ rejectReload: true });
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, opts);
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'rolled-back']);
  assert.match(r.message, /does not list 10\.0\.0\.2:5000 as an insecure registry; restored .* from .*berth-backup/);
  assert.equal(await readFile(path, 'utf8'), ORIGINAL);
  assert.equal(fake.calls.filter((c) => c === 'systemctl reload docker').length, 2);
});

test('apply: the verifier it is given decides; a "no" restores the file and reloads again', async () => {
  const { path, fake, opts } = await setup();
  const asked: Array<{ x: Expectation; timeoutMs: number }> = [];
  const verifier: DaemonVerifier = {
    shows: async (x, timeoutMs) => {
      asked.push({ x, timeoutMs });
      return { ok: false, detail: 'the daemon still runs its old settings' };
    },
    answers: async () => false,
  };
  const r = await applyDaemonChange({ target: path, mirror: 'https://m.example', then: 'reload' }, { ...opts, verifier });
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'rolled-back']);
  assert.deepEqual(asked, [{ x: { insecureRegistry: undefined, mirror: 'https://m.example', absent: false }, timeoutMs: 1_500 }]);
  assert.equal(r.message, `the daemon still runs its old settings; restored ${path} from ${r.backupPath}, but Docker does not answer yet.`);
  assert.equal(await readFile(path, 'utf8'), ORIGINAL);
  assert.equal(fake.calls.filter((c) => c === 'systemctl reload docker').length, 2, 'reloaded with the change, then with the old file');
  assert.equal(fake.calls.some((c) => c.startsWith('docker info')), false, 'docker info is the default verifier only');
});

test('apply: a verifier that sees the change is the verification; none is asked for "later"', async () => {
  const { path, opts } = await setup();
  let asked = 0;
  const verifier: DaemonVerifier = { shows: async () => { asked++; return { ok: true, detail: 'shown' }; }, answers: async () => true };
  const later = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'later' }, { ...opts, verifier });
  assert.equal(later.ok, true);
  assert.equal(asked, 0);
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.3:5000', then: 'restart' }, { ...opts, verifier, run: async (cmd, args) => {
    // A daemon that never answers docker info: only the injected verifier can say yes.
    if (cmd === 'docker') return { code: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon' };
    return opts.run!(cmd, args);
  } });
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'restarted', 'verified']);
  assert.equal(asked, 1);
});

test('apply: with the entries already there, a daemon that does not show them is reported, and nothing is rolled back', async () => {
  const { path, opts } = await setup();
  assert.equal((await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts)).ok, true);
  const written = await readFile(path, 'utf8');
  const verifier: DaemonVerifier = { shows: async () => ({ ok: false, detail: 'docker info does not list it' }), answers: async () => true };
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, { ...opts, verifier });
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, ['validated', 'reloaded']);
  assert.equal(r.message, 'daemon.json already had the entries, but docker info does not list it.');
  assert.equal(await readFile(path, 'utf8'), written);
});

test('apply later: written, not reloaded; the reload command is given', async () => {
  const { path, fake, opts } = await setup();
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'later' }, opts);
  assert.equal(r.ok, true);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written']);
  assert.deepEqual(r.manualCommands, ['systemctl reload docker']);
  assert.equal(fake.calls.includes('systemctl reload docker'), false);
});

test('apply remove: entries taken out, verified absent', async () => {
  const { path, opts } = await setup();
  assert.equal((await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, opts)).ok, true);
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', remove: true, then: 'reload' }, opts);
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'verified']);
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), JSON.parse(ORIGINAL));
});

/** A fake `systemctl` on PATH for scripts run through the fake elevator: logs its arguments. */
async function fakeSystemctl(dir: string): Promise<{ env: NodeJS.ProcessEnv; log: string }> {
  const bin = join(dir, 'bin');
  const log = join(dir, 'systemctl.log');
  await mkdir(bin);
  await writeFile(join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> ${log}\n`);
  await chmod(join(bin, 'systemctl'), 0o755);
  return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, log };
}

test('root-owned file: one elevated script does backup, write and reload', async () => {
  const { dir, path, fake, opts } = await setup();
  const { env, log } = await fakeSystemctl(dir);
  const scripts: string[] = [];
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, {
    ...opts,
    isRoot: false,
    canWrite: async () => false,
    elevate: async (script, name) => {
      assert.equal(name, 'Berth');
      scripts.push(await readFile(script, 'utf8'));
      const out = execFileSync('/bin/sh', [script], { env, encoding: 'utf8' });
      await fake.load(); // the real systemctl would have reloaded the daemon
      return out;
    },
  });
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'verified']);
  assert.equal(scripts.length, 1, 'one password prompt');
  assert.match(scripts[0]!, /^set -e\ncp -p /);
  assert.equal((await readFile(log, 'utf8')).trim(), 'reload docker');
  assert.equal(await readFile(r.backupPath!, 'utf8'), ORIGINAL);
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8'))['insecure-registries'], ['10.0.0.2:5000']);
});

test('root-owned file and no way to elevate: exact manual commands, nothing changed, commands work', async () => {
  const { dir, path, fake, opts } = await setup();
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', mirror: 'http://10.0.0.2:5000', then: 'reload' }, { ...opts, isRoot: false, canWrite: async () => false, elevate: false });
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, ['validated']);
  assert.match(r.message, /cannot show a password prompt/);
  const cmds = r.manualCommands!;
  const expected = (await previewDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', mirror: 'http://10.0.0.2:5000' }, opts)).next;
  assert.match(cmds[0]!, /^sudo cp -p .*daemon\.json .*daemon\.json\.berth-backup-/);
  assert.match(cmds[1]!, /^sudo tee .*daemon\.json >\/dev\/null <<'BERTH_EOF'\n\{/);
  assert.equal(cmds[2], 'sudo systemctl reload docker');
  assert.equal(await readFile(path, 'utf8'), ORIGINAL, 'nothing written');
  assert.equal(fake.calls.includes('systemctl reload docker'), false);

  // What the user pastes does exactly what Berth would have done.
  const { env } = await fakeSystemctl(dir);
  execFileSync('bash', ['-euc', cmds.join('\n').replaceAll('sudo ', '')], { env });
  assert.equal(await readFile(`${path}.berth-backup-2025-01-31T12-00-00Z`, 'utf8'), ORIGINAL);
  assert.equal(await readFile(path, 'utf8'), expected);
});

test('elevation refused: said so, with the commands; nothing changed', async () => {
  const { path, opts } = await setup();
  const r = await applyDaemonChange({ target: path, insecureRegistry: '10.0.0.2:5000', then: 'reload' }, {
    ...opts, isRoot: false, canWrite: async () => false, elevate: async () => { throw new Error('User did not grant permission.'); },
  });
  assert.equal(r.ok, false);
  assert.match(r.message, /User did not grant permission\. — nothing was changed/);
  assert.ok(r.manualCommands!.length >= 3);
  assert.equal(await readFile(path, 'utf8'), ORIGINAL);
});

test('Docker Desktop: no reload — says to restart Docker Desktop and offers `docker desktop restart`', async () => {
  const home = await tmp();
  await mkdir(join(home, '.docker'));
  const path = join(home, '.docker', 'daemon.json');
  const fake = fakeDocker(path);
  const r = await applyDaemonChange({ target: path, insecureRegistry: '192.168.1.5:5000', then: 'reload' }, { home, platform: 'darwin', run: fake.run, isRoot: false });
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.steps, ['validated', 'written']);
  assert.match(r.message, /Docker Desktop has no reload: restart Docker Desktop/);
  assert.deepEqual(r.manualCommands, ['docker desktop restart']);
  assert.equal(fake.calls.some((c) => c.startsWith('dockerd')), false, 'the host has no dockerd for Desktop');
});

test('detect: Linux rootful/rootless/Desktop files; DOCKER_HOST decides which one is running', async () => {
  const home = await tmp();
  const rootful = join(home, 'etc-docker', 'daemon.json');
  await mkdir(join(home, '.config', 'docker'), { recursive: true });
  await writeFile(join(home, '.config', 'docker', 'daemon.json'), '{}');
  const sock = join(home, 'docker.sock'); // a stand-in: detection skips sockets that do not exist
  await writeFile(sock, '');
  const run: CommandRunner = async (_cmd, _args, o) =>
    o?.env?.DOCKER_HOST === `unix://${sock}`
      ? { code: 0, stdout: JSON.stringify({ OperatingSystem: 'Debian', SecurityOptions: ['name=seccomp', 'name=rootless'] }), stderr: '' }
      : { code: 1, stdout: '', stderr: 'Cannot connect' };
  const env = { XDG_CONFIG_HOME: join(home, '.config') };
  const t = await detectDockerTargets({ home, platform: 'linux', rootfulPath: rootful, run, env, dockerHost: `unix://${sock}`, isRoot: false, canWrite: async (p) => p.startsWith(join(home, '.config')) });
  assert.deepEqual(t, [
    { kind: 'linux-rootful', path: rootful, exists: false, needsElevation: true, running: false },
    { kind: 'linux-rootless', path: join(home, '.config', 'docker', 'daemon.json'), exists: true, needsElevation: false, running: true },
  ]);

  const mac = await detectDockerTargets({ home, platform: 'darwin', run: async () => ({ code: 0, stdout: '{"OperatingSystem":"Docker Desktop"}', stderr: '' }), env: {} });
  assert.deepEqual(mac, [{ kind: 'docker-desktop', path: join(home, '.docker', 'daemon.json'), exists: false, needsElevation: false, running: true }]);
  assert.equal(existsSync(join(home, '.docker')), false, 'detection creates nothing');
});

test('snippets: podman registries.conf and containerd hosts.toml, plain HTTP and TLS', () => {
  const plain = clientSnippets('10.0.0.2:5000', false);
  assert.match(plain.podman, /^\[\[registry\]\]\nlocation = "10\.0\.0\.2:5000"\ninsecure = true$/m);
  assert.match(plain.containerd, /^server = "http:\/\/10\.0\.0\.2:5000"$/m);
  // Plain HTTP needs only the http:// scheme; skip_verify is never written.
  assert.match(plain.containerd, /^\[host\."http:\/\/10\.0\.0\.2:5000"\]\n {2}capabilities = \["pull", "resolve", "push"\]\n$/m);
  assert.doesNotMatch(plain.containerd, /skip_verify/);
  assert.equal(plain.containerdMirrors, undefined, 'no upstreams, no mirror files');
  const tls = clientSnippets('registry.local:5443', true);
  assert.match(tls.podman, /insecure = false/);
  assert.match(tls.containerd, /^server = "https:\/\/registry\.local:5443"$/m);
  assert.match(tls.containerd, /ca = "ca\.crt"/);
  assert.doesNotMatch(tls.containerd, /skip_verify/);
  assert.throws(() => clientSnippets('10.0.0.2:5000/path', false), /no path/);
});

test('snippets in proxy mode: a containerd mirror file per upstream, naming Berth', () => {
  const s = clientSnippets('berth.local:5443', true, [
    { url: 'https://registry-1.docker.io' },
    { registry: 'ghcr.io', url: 'https://ghcr.io' },
  ]);
  assert.deepEqual(s.containerdMirrors?.map((m) => m.registry), ['docker.io', 'ghcr.io']);
  const ghcr = s.containerdMirrors![1]!.hostsToml;
  assert.match(ghcr, /^# \/etc\/containerd\/certs\.d\/ghcr\.io\/hosts\.toml/);
  assert.match(ghcr, /^server = "https:\/\/ghcr\.io"$/m);
  assert.match(ghcr, /^\[host\."https:\/\/berth\.local:5443"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}ca = "berth-ca\.crt"$/m);
  assert.match(s.containerdMirrors![0]!.hostsToml, /^server = "https:\/\/registry-1\.docker\.io"$/m);
});
