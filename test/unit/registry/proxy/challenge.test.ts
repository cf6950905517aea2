// WWW-Authenticate parsing for the upstream client (RFC 7235 challenges as Docker Hub, GHCR,
// Quay and distribution send them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges } from '../../../../main/registry/proxy/challenge';

test("Docker Hub's Bearer challenge: realm, service and scope", () => {
  const [c, ...rest] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
  assert.equal(rest.length, 0);
  assert.deepEqual(c, {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
  });
});

test('quoted values keep their commas, and escaped quotes are unescaped', () => {
  const [c] = parseChallenges('Bearer realm="https://t.example/token",scope="repository:a:pull,push",error="say \\"hi\\""');
  assert.equal(c!.params.scope, 'repository:a:pull,push');
  assert.equal(c!.params.error, 'say "hi"');
});

test('schemes and parameter names are case-insensitive; spaces around = and after commas are allowed', () => {
  const [c] = parseChallenges('BEARER Realm = "https://t.example/token" ,  Service="svc"');
  assert.equal(c!.scheme, 'bearer');
  assert.deepEqual(c!.params, { realm: 'https://t.example/token', service: 'svc' });
});

test('unquoted token values', () => {
  const [c] = parseChallenges('Bearer realm=https://t.example/token,service=svc');
  assert.deepEqual(c!.params, { realm: 'https://t.example/token', service: 'svc' });
});

test('several challenges in one header: Basic then Bearer', () => {
  const all = parseChallenges('Basic realm="Registry Realm", Bearer realm="https://t.example/token",service="svc"');
  assert.deepEqual(all.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(all[0]!.params.realm, 'Registry Realm');
  assert.equal(all[1]!.params.service, 'svc');
});

test('a bare scheme, and nothing at all', () => {
  assert.deepEqual(parseChallenges('Negotiate'), [{ scheme: 'negotiate', params: {} }]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges(null), []);
  assert.deepEqual(parseChallenges(undefined), []);
});
