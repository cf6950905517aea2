// Client trust files: the directories each client reads, the files written there, and the
// manual commands, which must produce exactly the same files when run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mirrorHosts } from '../../../main/docker-setup/containerd-hosts';
import { containerdMirrorTarget, containerdPlainTarget, installTrust, manualCommands, trustTarget } from '../../../main/docker-setup/trust';
import { tempDir } from '../../support/cleanup';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('default locations: rootful and rootless docker, podman, containerd', () => {
  const o = { hostPort: 'registry.local:5000', caPem: CA, home: '/home/u' };
  assert.equal(trustTarget('docker', o).dir, '/etc/docker/certs.d/registry.local:5000');
  assert.equal(trustTarget('podman', o).dir, '/etc/containers/certs.d/registry.local:5000');
  assert.equal(trustTarget('containerd', o).dir, '/etc/containerd/certs.d/registry.local:5000');
  const xdg = process.env.XDG_CONFIG_HOME;
  delete process.env.XDG_CONFIG_HOME;
  try {
    assert.equal(trustTarget('docker', { ...o, rootless: true }).dir, '/home/u/.config/docker/certs.d/registry.local:5000');
    assert.equal(trustTarget('podman', { ...o, rootless: true }).dir, '/home/u/.config/containers/certs.d/registry.local:5000');
  } finally {
    if (xdg !== undefined) process.env.XDG_CONFIG_HOME = xdg;
  }
  const hosts = trustTarget('containerd', o).files['hosts.toml']!;
  assert.match(hosts, /^server = "https:\/\/registry\.local:5000"$/m);
  assert.match(hosts, /ca = "ca\.crt"/);
});

test('installTrust writes ca.crt; the manual commands write the same files', async () => {
  const dir = await tempDir('berth-trust-');
  try {
    const t = trustTarget('containerd', { hostPort: '10.0.0.5:5443', caPem: CA, baseDir: join(dir, 'a') });
    assert.deepEqual(await installTrust(t), { written: true, dir: t.dir });
    assert.equal(await readFile(join(t.dir, 'ca.crt'), 'utf8'), CA);

    const m = trustTarget('containerd', { hostPort: '10.0.0.5:5443', caPem: CA, baseDir: join(dir, "b 'quoted'") });
    const script = manualCommands(m).join('\n').replaceAll('sudo ', '');
    execFileSync('bash', ['-euc', script]);
    for (const name of ['ca.crt', 'hosts.toml']) {
      assert.equal(await readFile(join(m.dir, name), 'utf8'), await readFile(join(t.dir, name), 'utf8'));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('containerd without TLS, and as a mirror: hosts.toml (and Berth\'s CA) in the right folder', async () => {
  const dir = await tempDir('berth-trust-');
  try {
    const plain = containerdPlainTarget({ hostPort: '127.0.0.1:5000', baseDir: dir });
    assert.equal(plain.dir, join(dir, '127.0.0.1:5000'));
    assert.deepEqual(Object.keys(plain.files), ['hosts.toml'], 'no CA over plain HTTP');
    assert.equal(containerdPlainTarget({ hostPort: '127.0.0.1:5000' }).dir, '/etc/containerd/certs.d/127.0.0.1:5000');

    const m = mirrorHosts({ registry: 'ghcr.io', upstreamUrl: 'https://ghcr.io', mirrorHostPort: '127.0.0.1:5443', tls: true });
    const t = containerdMirrorTarget(m, { caPem: CA, baseDir: dir });
    assert.equal(t.dir, join(dir, 'ghcr.io'));
    assert.deepEqual(Object.keys(t.files), ['berth-ca.crt', 'hosts.toml'], 'the CA is written before the file that names it');
    assert.deepEqual(await installTrust(t), { written: true, dir: t.dir });
    assert.equal(await readFile(join(t.dir, 'berth-ca.crt'), 'utf8'), CA);
    assert.equal(await readFile(join(t.dir, 'hosts.toml'), 'utf8'), m.hostsToml);
    assert.throws(() => containerdPlainTarget({ hostPort: '../x:5000', baseDir: dir }), /cannot name a certs\.d folder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
