// The addresses clients put in image references, for a running listener and for a configured one
// that has not started yet (a first run shows where to push before Start).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddresses, configuredAddresses } from '../../../main/control/addresses';

const sources = {
  interfaces: () => ({
    lo: [{ address: '127.0.0.1', family: 'IPv4' as const, internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: '127.0.0.1/8' }],
    eth0: [{ address: '192.168.1.20', family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: '192.168.1.20/24' }],
  }),
  hostname: () => 'Workstation',
};

test('a configured loopback listener has exactly its own address, with the scheme TLS gives it', () => {
  assert.deepEqual(configuredAddresses({ addr: '127.0.0.1:5000', net: 'tcp', tls: undefined }, sources), [
    { hostPort: '127.0.0.1:5000', url: 'http://127.0.0.1:5000', source: 'loopback' },
  ]);
  assert.deepEqual(configuredAddresses({ addr: '[::1]:5443', net: 'tcp', tls: { certificate: 'c', key: 'k' } }, sources), [
    { hostPort: '[::1]:5443', url: 'https://[::1]:5443', source: 'loopback' },
  ]);
});

test('a configured wildcard listener lists what a started one would: interfaces, host name, localhost', () => {
  const expected = clientAddresses({ host: '', port: 5000 }, false, sources);
  assert.deepEqual(configuredAddresses({ addr: ':5000', net: 'tcp' }, sources), expected);
  assert.deepEqual(expected.map((a) => a.hostPort), ['192.168.1.20:5000', 'workstation:5000', 'localhost:5000']);
});

test('no address before start for a unix socket, port 0 (the OS picks one) or an unparsable addr', () => {
  assert.deepEqual(configuredAddresses({ addr: '/run/berth.sock', net: 'unix' }, sources), []);
  assert.deepEqual(configuredAddresses({ addr: '127.0.0.1:0', net: 'tcp' }, sources), []);
  assert.deepEqual(configuredAddresses({ addr: 'nonsense', net: 'tcp' }, sources), []);
});
