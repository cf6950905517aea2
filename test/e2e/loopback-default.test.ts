// Loopback until shared (issue 10, point 4): the embedded default configuration (what `berth
// serve` and the desktop app run without a config.yml) is reachable from this machine only — a
// peer in a network namespace is refused — while `docker push localhost:PORT/…` still works
// against it, and a shared listener (every interface) is reachable from that peer.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { defaultConfig } from '../../main/config/load';
import type { RegistryConfig } from '../../main/config/types';
import { silentLogger } from '../../main/lib/logger';
import { formatHostPort, listensOnLoopback, parseListenAddress } from '../../main/config/listen-address';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { deferCleanup, tempDir } from '../support/cleanup';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { importBusyboxImage } from '../support/images';
import { createTestNamespace, type TestNamespace } from '../support/netns';
import { freePort, requireExecutable, runCommand, useE2EHooks } from '../support/processes';
import { fetchManifest } from '../support/registry-http';

useE2EHooks();

let ns: TestNamespace;
let d: Dockerd;

before(async () => {
  [ns, d] = await Promise.all([createTestNamespace(`lb${process.pid}`), sharedDockerd()]);
});

/** The embedded default with its host kept and only the port moved to a free one. */
async function embeddedDefault(addr?: (port: number) => string): Promise<{ config: RegistryConfig; registry: RunningRegistry; port: number }> {
  const data = await tempDir('berth-lb-');
  const base = defaultConfig(data);
  const port = await freePort();
  const { host } = parseListenAddress(base.http.addr);
  const config: RegistryConfig = {
    ...base,
    http: { ...base.http, addr: addr ? addr(port) : host ? formatHostPort(host, port) : `:${port}`, debug: undefined },
    health: { storagedriver: { ...base.health.storagedriver, enabled: false } },
  };
  const registry = await startRegistry({ config, log: silentLogger });
  deferCleanup('stop registry', () => registry.stop());
  return { config, registry, port };
}

/** GET /v2/ from inside the namespace to the root namespace's veth address: the HTTP status, or the curl failure. */
async function fromPeer(port: number): Promise<string> {
  const curl = requireExecutable('curl', 'curl');
  const [cmd, args] = ns.exec(curl, ['--silent', '--output', '/dev/null', '--write-out', '%{http_code}', '--max-time', '5', `http://${ns.outside}:${port}/v2/`]);
  const r = await runCommand(cmd, args, { check: false });
  return r.code === 0 ? r.stdout.trim() : `curl exit ${r.code}`;
}

test('the embedded default listens on loopback only: a peer on the network is refused, this machine is answered', { timeout: 60_000 }, async () => {
  const { config, registry, port } = await embeddedDefault();
  assert.ok(listensOnLoopback(config.http.addr), config.http.addr);
  assert.equal(registry.address.host, '127.0.0.1');
  assert.equal((await fetch(`http://127.0.0.1:${port}/v2/`)).status, 200);
  assert.equal((await fetch(`http://localhost:${port}/v2/`)).status, 200, 'localhost reaches it (IPv6 first or not)');
  // curl exit 7: could not connect.
  assert.equal(await fromPeer(port), 'curl exit 7');
});

test('shared on the network (every interface), the same peer reaches it', { timeout: 60_000 }, async () => {
  const { registry, port } = await embeddedDefault((p) => `:${p}`);
  assert.ok(registry.address.host === '::' || registry.address.host === '0.0.0.0', registry.address.host);
  assert.equal(await fromPeer(port), '200');
});

test('docker push and pull localhost:PORT/… work against the loopback-only default', { timeout: 300_000 }, async () => {
  const { port } = await embeddedDefault();
  const ref = `localhost:${port}/loopback/busybox:v1`;
  await importBusyboxImage(d, ref);
  await d.docker(['push', ref], { timeoutMs: 120_000 });
  const manifest = await fetchManifest(`http://127.0.0.1:${port}`, 'loopback/busybox', 'v1');
  assert.match(manifest.digest, /^sha256:/);
  await d.docker(['rmi', ref]);
  await d.docker(['pull', ref], { timeoutMs: 120_000 });
});
