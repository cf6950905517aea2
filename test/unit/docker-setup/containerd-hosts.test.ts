// containerd's hosts.toml as Berth writes it: for Berth itself (plain HTTP and TLS) and for an
// upstream Berth mirrors. test/e2e/containerd.test.ts has containerd read these same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorHosts, registryHostsToml } from '../../../main/docker-setup/containerd-hosts';

test('Berth itself: a [host] table (containerd 1.6 ignores a file without one), never skip_verify', () => {
  assert.equal(registryHostsToml('127.0.0.1:5000', false),
    'server = "http://127.0.0.1:5000"\n\n[host."http://127.0.0.1:5000"]\n  capabilities = ["pull", "resolve", "push"]\n');
  assert.equal(registryHostsToml('registry.local:5443', true),
    'server = "https://registry.local:5443"\nca = "ca.crt"\n\n[host."https://registry.local:5443"]\n  capabilities = ["pull", "resolve", "push"]\n  ca = "ca.crt"\n');
});

test('mirror: the upstream is the server, Berth the pull/resolve host, with its own CA file', () => {
  assert.deepEqual(mirrorHosts({ registry: 'quay.io', upstreamUrl: 'https://quay.io', mirrorHostPort: 'berth.local:5443', tls: true }), {
    registry: 'quay.io',
    hostsToml: 'server = "https://quay.io"\n\n[host."https://berth.local:5443"]\n  capabilities = ["pull", "resolve"]\n  ca = "berth-ca.crt"\n',
  });
  const plain = mirrorHosts({ registry: 'upstream.test', upstreamUrl: 'http://127.0.0.1:5001/', mirrorHostPort: '127.0.0.1:5000', tls: false });
  assert.equal(plain.hostsToml, 'server = "http://127.0.0.1:5001"\n\n[host."http://127.0.0.1:5000"]\n  capabilities = ["pull", "resolve"]\n');
});

test('mirror: Docker Hub is docker.io to containerd, and its API host is the server', () => {
  for (const upstreamUrl of ['https://registry-1.docker.io', 'https://index.docker.io/', 'https://docker.io']) {
    const m = mirrorHosts({ upstreamUrl, mirrorHostPort: '10.0.0.2:5000', tls: false });
    assert.equal(m.registry, 'docker.io');
    assert.match(m.hostsToml, /^server = "https:\/\/registry-1\.docker\.io"$/m);
  }
  // Any other default upstream is named by its host (and port), as image names spell it.
  assert.equal(mirrorHosts({ upstreamUrl: 'https://registry.example.com:8443', mirrorHostPort: '10.0.0.2:5000', tls: false }).registry, 'registry.example.com:8443');
});

test('mirror: names that could leave certs.d or break the file are refused', () => {
  assert.throws(() => mirrorHosts({ registry: '../etc', upstreamUrl: 'https://x.io', mirrorHostPort: '10.0.0.2:5000', tls: false }), /cannot write a containerd mirror/);
  assert.throws(() => mirrorHosts({ registry: 'x.io', upstreamUrl: 'https://x.io', mirrorHostPort: 'a"b:5000', tls: false }), /cannot write a containerd mirror/);
  assert.throws(() => mirrorHosts({ registry: 'x.io', upstreamUrl: 'https://x.io', mirrorHostPort: '10.0.0.2', tls: false }), /cannot write a containerd mirror/);
  assert.throws(() => mirrorHosts({ upstreamUrl: 'not a url', mirrorHostPort: '10.0.0.2:5000', tls: false }), /not an upstream URL/);
});
