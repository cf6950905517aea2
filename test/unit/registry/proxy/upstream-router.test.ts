// Which upstream serves a repository and under which name: berth.proxy.upstreams by first name
// component, the default proxy.remoteurl for the rest, containerd's ?ns=, and Docker Hub's
// library/ for single-component names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../../main/config/load';
import { silentLogger } from '../../../../main/lib/logger';
import { UpstreamRouter } from '../../../../main/registry/proxy/upstream-router';

function router(yaml: string): UpstreamRouter {
  const { config } = parseConfig(`version: 0.1\nstorage: inmemory\n${yaml}`, { env: {}, source: 'test' });
  return new UpstreamRouter(config, silentLogger);
}

const HUB_AND_TWO = [
  'proxy:',
  '  remoteurl: https://registry-1.docker.io',
  '  ttl: 2h',
  'berth:',
  '  proxy:',
  '    upstreams:',
  '      - prefix: ghcr.io',
  '        remoteurl: https://ghcr.io',
  '        ttl: 10m',
  '      - prefix: quay.io',
  '        remoteurl: https://quay.io',
].join('\n');

test('a configured prefix selects its upstream and is stripped from the remote name', () => {
  const r = router(HUB_AND_TWO);
  const ghcr = r.route('ghcr.io/owner/image')!;
  assert.equal(ghcr.upstream.host, 'ghcr.io');
  assert.equal(ghcr.remoteName, 'owner/image');
  assert.equal(ghcr.ttlMs, 10 * 60_000);
  const quay = r.route('quay.io/single')!;
  assert.equal(quay.upstream.host, 'quay.io');
  assert.equal(quay.remoteName, 'single', 'library/ is only for Docker Hub');
  assert.equal(quay.ttlMs, 2 * 3600_000, "an upstream without ttl takes proxy.ttl");
});

test('everything else goes to proxy.remoteurl; Docker Hub single-component names get library/', () => {
  const r = router(HUB_AND_TWO);
  assert.equal(r.route('alpine')!.remoteName, 'library/alpine');
  assert.equal(r.route('alpine')!.upstream.host, 'registry-1.docker.io');
  assert.equal(r.route('library/alpine')!.remoteName, 'library/alpine');
  assert.equal(r.route('bitnami/redis')!.remoteName, 'bitnami/redis');
  // A first component that merely looks like a host but is not configured is a Docker Hub name.
  assert.equal(r.route('gcr.io/x/y')!.upstream.host, 'registry-1.docker.io');
  assert.equal(r.route('gcr.io/x/y')!.remoteName, 'gcr.io/x/y');
  assert.equal(r.clients.length, 3);
});

test('a non-Docker-Hub default upstream keeps single-component names as they are', () => {
  const r = router('proxy:\n  remoteurl: http://127.0.0.1:5000\n');
  assert.equal(r.route('hello')!.remoteName, 'hello');
  assert.equal(r.route('hello')!.upstream.isDockerHub, false);
});

test("containerd's ?ns= maps to the prefixed local name, only for configured upstreams", () => {
  const r = router(HUB_AND_TWO);
  assert.equal(r.localName('owner/image', 'ghcr.io'), 'ghcr.io/owner/image');
  assert.equal(r.localName('library/alpine', 'docker.io'), 'library/alpine');
  assert.equal(r.localName('library/alpine', 'registry-1.docker.io'), 'library/alpine');
  assert.equal(r.localName('x/y', 'unknown.example'), 'x/y');
  assert.equal(r.localName('x/y', null), 'x/y');
  // The prefixed local name routes back to the upstream the ns named.
  assert.equal(r.route(r.localName('owner/image', 'ghcr.io'))!.remoteName, 'owner/image');
});

test('with only berth.proxy.upstreams, names without a known prefix have no upstream', () => {
  const r = router('berth:\n  proxy:\n    upstreams:\n      - prefix: quay.io\n        remoteurl: https://quay.io\n');
  assert.equal(r.route('alpine'), undefined);
  assert.equal(r.route('quay.io/a/b')!.remoteName, 'a/b');
});
