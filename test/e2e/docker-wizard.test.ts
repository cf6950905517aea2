// The Docker setup wizard against a REAL dockerd (its own daemon.json and pidfile) and a Berth
// registry serving plain HTTP on a non-loopback address inside a network namespace this test
// creates, so the insecure-registries entry actually matters: docker push fails with "server
// gave HTTP response to HTTPS client" until the wizard adds it and reloads (SIGHUP) — without
// stopping a running container. Then: an invalid change is refused before writing, and a daemon
// that rejects the file on reload gets its old file back.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { applyDaemonChange, detectDockerTargets, previewDaemonChange } from '../../main/docker-setup/wizard';
import type { WizardOptions } from '../../main/docker-setup/env';
import { startDockerd, type Dockerd } from '../support/dockerd';
import { importBusyboxImage } from '../support/images';
import { createTestNamespace } from '../support/netns';
import { useE2EHooks } from '../support/processes';
import { startRegistryProcess, type RegistryProcess } from '../support/registry-process';

useE2EHooks();

// Keys that have nothing to do with registries and set no dockerd flag (a flag + key conflict
// would stop dockerd from starting). The wizard must leave them exactly as they are.
const UNRELATED = { 'max-concurrent-downloads': 2, labels: ['berth-e2e=wizard'], 'shutdown-timeout': 15 };

let d: Dockerd;
let registry: RegistryProcess;
let opts: WizardOptions;

before(async () => {
  const ns = await createTestNamespace(`w${process.pid}`);
  [d, registry] = await Promise.all([
    startDockerd({ daemonJson: UNRELATED }),
    startRegistryProcess('berth', { netns: ns, host: ns.inside }),
  ]);
  // The private daemon: its socket, its pidfile (SIGHUP), no password prompt.
  opts = { dockerHost: d.host, pidfile: join(d.dir, 'docker.pid'), env: d.env, elevate: false, rootfulPath: d.daemonJsonPath, platform: 'linux' };
});

const backups = () => readdirSync(dirname(d.daemonJsonPath)).filter((f) => f.startsWith(`${basename(d.daemonJsonPath)}.berth-backup-`));
const registryConfig = async () =>
  JSON.parse((await d.docker(['info', '--format', '{{json .RegistryConfig}}'])).stdout) as { IndexConfigs: Record<string, { Secure: boolean }>; Mirrors: string[] | null };

test('add insecure registry + mirror, reload: push works, other keys kept, container keeps running', { timeout: 300_000 }, async () => {
  const ref = `${registry.addr}/wizard/hello:v1`;
  await importBusyboxImage(d, ref);
  const refused = await d.docker(['push', ref], { check: false });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /server gave HTTP response to HTTPS client/);

  const container = (await d.docker(['run', '-d', '--network', 'none', ref, '/bin/busybox', 'sleep', '600'])).stdout.trim();
  const startedAt = (await d.docker(['inspect', '-f', '{{.State.StartedAt}}', container])).stdout.trim();

  const targets = await detectDockerTargets({ ...opts, home: d.dir });
  assert.deepEqual(targets.find((t) => t.path === d.daemonJsonPath), { kind: 'linux-rootful', path: d.daemonJsonPath, exists: true, needsElevation: false, running: true });

  const change = { target: d.daemonJsonPath, insecureRegistry: registry.addr, mirror: registry.url };
  const preview = await previewDaemonChange(change, opts);
  assert.equal(preview.current, await readFile(d.daemonJsonPath, 'utf8'));
  assert.match(preview.diff, new RegExp(`^\\+ {4}"${registry.addr.replaceAll('.', '\\.')}"$`, 'm'));

  const result = await applyDaemonChange({ ...change, then: 'reload' }, opts);
  assert.equal(result.ok, true, result.message);
  assert.deepEqual(result.steps, ['validated', 'backed-up', 'written', 'reloaded', 'verified']);
  assert.equal(await readFile(result.backupPath!, 'utf8'), preview.current);

  const written = await readFile(d.daemonJsonPath, 'utf8');
  assert.equal(written, preview.next);
  const json = JSON.parse(written) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), [...Object.keys(UNRELATED), 'insecure-registries', 'registry-mirrors']);
  for (const [k, v] of Object.entries(UNRELATED)) assert.deepEqual(json[k], v, `${k} unchanged`);

  const info = await registryConfig();
  assert.equal(info.IndexConfigs[registry.addr]?.Secure, false);
  assert.ok(info.Mirrors?.includes(`${registry.url}/`), `mirrors: ${JSON.stringify(info.Mirrors)}`);

  await d.docker(['push', ref]);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}} {{.State.StartedAt}}', container])).stdout.trim(), `true ${startedAt}`, 'the container was not restarted');

  // Applying the same change again writes nothing and still verifies.
  const again = await applyDaemonChange({ ...change, then: 'reload' }, opts);
  assert.deepEqual(again.steps, ['validated', 'reloaded', 'verified']);
  assert.equal(backups().length, 1);
});

test('an invalid change is refused before writing; the file is untouched', async () => {
  const before = await readFile(d.daemonJsonPath, 'utf8');
  const r = await applyDaemonChange({ target: d.daemonJsonPath, mirror: `${registry.addr}`, then: 'reload' }, opts);
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, []);
  assert.match(r.message, /need a scheme/);
  assert.equal(await readFile(d.daemonJsonPath, 'utf8'), before);
  assert.equal(backups().length, 1, 'no backup for a refused change');
});

test('only this daemon\'s daemon.json is a target, and only grammar-clean entries get in (issue 10)', async () => {
  const before = await readFile(d.daemonJsonPath, 'utf8');
  const profile = join(d.dir, 'profile.d', 'berth.sh');
  await assert.rejects(applyDaemonChange({ target: profile, insecureRegistry: registry.addr, then: 'later' }, opts), /only the daemon\.json of a Docker it detected/);
  await assert.rejects(previewDaemonChange({ target: join(d.dir, 'docker.pid'), insecureRegistry: registry.addr }, opts), /only the daemon\.json of a Docker it detected/);
  assert.equal(existsSync(profile), false);
  const r = await applyDaemonChange({ target: d.daemonJsonPath, mirror: 'http://$(id)', then: 'reload' }, opts);
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, []);
  assert.equal(await readFile(d.daemonJsonPath, 'utf8'), before);
});

test('dockerd rejects the file on reload (a key also set as a flag): the backup is restored', { timeout: 120_000 }, async () => {
  // Someone edited daemon.json by hand and has not reloaded yet: "log-level" is also a flag of
  // this dockerd, so a reload refuses the whole file and dockerd keeps its old configuration.
  const edited = JSON.stringify({ ...JSON.parse(await readFile(d.daemonJsonPath, 'utf8')), 'log-level': 'info' }, null, 2);
  await writeFile(d.daemonJsonPath, edited);
  const other = `${registry.addr.split(':')[0]}:5999`;
  const r = await applyDaemonChange({ target: d.daemonJsonPath, insecureRegistry: other, then: 'reload' }, { ...opts, verifyTimeoutMs: 4_000 });
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps, ['validated', 'backed-up', 'written', 'reloaded', 'rolled-back']);
  assert.match(r.message, new RegExp(`does not list ${other.replaceAll('.', '\\.')} as an insecure registry; restored`));
  assert.equal(await readFile(d.daemonJsonPath, 'utf8'), edited, 'the file is back as it was');
  const info = await registryConfig();
  assert.equal(info.IndexConfigs[other], undefined);
  assert.equal(info.IndexConfigs[registry.addr]?.Secure, false, 'the earlier entry is still active');
});
