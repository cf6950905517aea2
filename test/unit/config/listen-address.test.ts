// Listen addresses and the two questions asked of their hosts: is it loopback (only this machine
// connects) and is it the wildcard (every interface). A wildcard listener is not "on loopback".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHostPort, isLoopbackHost, isWildcardHost, listensOnLoopback, parseListenAddress } from '../../../main/config/listen-address';

test('parseListenAddress reads host:port, :port and [v6]:port', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseListenAddress(':5000'), { host: undefined, port: 5000 });
  assert.deepEqual(parseListenAddress('[::1]:5000'), { host: '::1', port: 5000 });
  assert.throws(() => parseListenAddress('localhost'), /is not host:port/);
  assert.throws(() => parseListenAddress(':70000'), /port out of range/);
  assert.equal(formatHostPort('::1', 5000), '[::1]:5000');
  assert.equal(formatHostPort('localhost', 5000), 'localhost:5000');
});

test('isLoopbackHost: names and addresses only this machine reaches', () => {
  for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com', '::ffff:10.0.0.1', '::2']) assert.equal(isLoopbackHost(h), false, h);
});

test('isWildcardHost: no host, 0.0.0.0 or :: (every interface)', () => {
  for (const h of [undefined, '', '0.0.0.0', '::']) assert.equal(isWildcardHost(h), true, String(h));
  for (const h of ['127.0.0.1', '::1', 'localhost', '10.0.0.1', '0.0.0.1']) assert.equal(isWildcardHost(h), false, h);
});

test('listensOnLoopback: a loopback host only; the wildcard and unix sockets are not', () => {
  for (const a of ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000']) assert.equal(listensOnLoopback(a), true, a);
  for (const a of [':5000', '0.0.0.0:5000', '[::]:5000', '192.168.1.2:5000', '/run/berth.sock']) assert.equal(listensOnLoopback(a), false, a);
});
