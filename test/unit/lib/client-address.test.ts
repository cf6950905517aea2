// Whom the failed-login limiter counts: IPv6 clients by /64 (a host holds a whole /64, so single
// addresses would give it 2^64 fresh starts), IPv4-mapped peers as IPv4, and — only from a
// configured reverse proxy — the client that proxy names in X-Forwarded-For.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../main/config/load';
import { addressSet, clientAddress, clientKey } from '../../../main/lib/client-address';
import { hashPassword } from '../../../main/users/htpasswd';
import { startTestRegistry, type TestRegistry } from '../../support/registry';
import { testRegistryYaml } from '../../support/registry-yaml';
import { send } from '../../support/auth-http';
import { tempDir } from '../../support/cleanup';

describe('client keys and forwarded addresses', () => {
  it('IPv6 addresses count by /64; IPv4 and IPv4-mapped addresses as the IPv4 address', () => {
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    assert.equal(clientKey('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
    assert.equal(clientKey('fe80::1%eth0'), clientKey('fe80::2'));
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  });

  it('X-Forwarded-For counts only from a trusted proxy, read from the right', () => {
    const trusted = addressSet(['127.0.0.1', '10.0.0.0/8']);
    // Untrusted peer: the header is whatever the client wrote.
    assert.equal(clientAddress('192.0.2.9', '198.51.100.1', trusted), '192.0.2.9');
    // Trusted peer: the right-most address that is not a trusted proxy; what the client put on the left is ignored.
    assert.equal(clientAddress('127.0.0.1', '203.0.113.66, 198.51.100.1, 10.1.2.3', trusted), '198.51.100.1');
    assert.equal(clientAddress('::ffff:127.0.0.1', '198.51.100.1', trusted), '198.51.100.1');
    // Garbage where the proxy's entry should be: the peer, never the garbage.
    assert.equal(clientAddress('127.0.0.1', 'not-an-address', trusted), '127.0.0.1');
    // No trusted proxies configured: always the peer.
    assert.equal(clientAddress('127.0.0.1', '198.51.100.1', undefined), '127.0.0.1');
  });

  it('berth.auth.trustedproxies accepts addresses and CIDR blocks and names a bad entry', () => {
    const base = (list: string) => testRegistryYaml('/tmp/x', { extra: ['berth:', '  auth:', `    trustedproxies: ${list}`] });
    assert.deepEqual(parseConfig(base('[10.0.0.5, "fd00::/64"]'), { env: {}, source: 't' }).config.berth.auth.trustedproxies, ['10.0.0.5', 'fd00::/64']);
    assert.throws(() => parseConfig(base('[10.0.0.0/33]'), { env: {}, source: 't' }), /berth\.auth\.trustedproxies\.0.*not an IP address or CIDR block/s);
    assert.throws(() => parseConfig(base('[proxy.local]'), { env: {}, source: 't' }), /trustedproxies/);
  });
});

describe('the login limiter behind a trusted reverse proxy (127.0.0.1 is the proxy)', () => {
  let dir: string;
  let reg: TestRegistry;
  before(async () => {
    dir = await tempDir('berth-xff-');
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, `alice:${await hashPassword('alice-pw')}\ncarol:${await hashPassword('carol-pw')}\n`);
    reg = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, {
        extra: ['auth:', '  htpasswd:', '    realm: Proxy', `    path: ${htpasswd}`, 'berth:', '  auth:', '    trustedproxies: [127.0.0.1]'],
      }),
    });
  });
  after(async () => {
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // Ten wrong passwords at once block a client (they are counted as they start).
  const guess = (xff: string, localAddress: string) => Promise.all(Array.from({ length: 10 }, (_, i) =>
    send(reg.url, '/v2/', { auth: ['alice', `guess-${i}`], localAddress, headers: { 'x-forwarded-for': xff } })));
  const login = (xff: string, localAddress = '127.0.0.1') =>
    send(reg.url, '/v2/', { auth: ['alice', 'alice-pw'], localAddress, headers: { 'x-forwarded-for': xff } });
  // A blocked client is refused even with a right password. Carol never logs in successfully
  // here: a header proven a moment ago skips bcrypt and the limiter (the caller knows the password).
  const blocked = (xff: string, localAddress = '127.0.0.1') =>
    send(reg.url, '/v2/', { auth: ['carol', 'carol-pw'], localAddress, headers: { 'x-forwarded-for': xff } });

  it('guesses from one forwarded /64 block that /64 only; other clients of the same proxy log in', { timeout: 30_000 }, async () => {
    // Each guess from a different address of one /64: one client to the limiter.
    await Promise.all(Array.from({ length: 10 }, (_, i) =>
      send(reg.url, '/v2/', { auth: ['alice', `v6-${i}`], headers: { 'x-forwarded-for': `2001:db8:5:6::${i + 1}` } })));
    assert.equal((await blocked('2001:db8:5:6::ffff')).status, 429, 'another address in the same /64 is blocked');
    assert.equal((await login('2001:db8:5:7::1')).status, 200, 'the next /64 is not');
    await guess('198.51.100.20', '127.0.0.1');
    assert.equal((await blocked('198.51.100.20')).status, 429);
    assert.equal((await login('198.51.100.21')).status, 200, 'the proxy itself is not blocked for its other clients');
  });

  it('X-Forwarded-For from a peer that is not a trusted proxy is ignored', { timeout: 30_000 }, async () => {
    // 127.0.0.2 is not trusted: rotating the header does not give it fresh attempts.
    await Promise.all(Array.from({ length: 10 }, (_, i) =>
      send(reg.url, '/v2/', { auth: ['alice', `spoof-${i}`], localAddress: '127.0.0.2', headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })));
    assert.equal((await blocked('203.0.113.99', '127.0.0.2')).status, 429);
    // ...and cannot get a forwarded client blocked either.
    assert.equal((await login('203.0.113.1')).status, 200);
  });
});
