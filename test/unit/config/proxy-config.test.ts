// berth.proxy: allowpush, localnamespaces, maxsize with units, upstreams (prefix form, duplicates, ttl).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../main/config/load';

const BASE = 'version: 0.1\nstorage: inmemory\nproxy:\n  remoteurl: https://registry-1.docker.io\n';
const parse = (yaml: string) => parseConfig(BASE + yaml, { env: {}, source: 'config.yml' }).config;

function failure(yaml: string): ConfigError {
  try {
    parse(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected the config to be refused');
}

test('defaults: pushes allowed but no local namespaces (so none are accepted), no size cap, no extra upstreams, nothing kept warm', () => {
  assert.deepEqual(parse('').berth.proxy, { allowpush: true, localnamespaces: [], maxsizeBytes: 0, upstreams: [], warm: { images: [], intervalMs: 6 * 3600_000 } });
  assert.equal(parse('berth:\n  proxy:\n    allowpush: false\n').berth.proxy.allowpush, false);
});

test('localnamespaces: repository names (a trailing / is dropped); a single string is a one-item list', () => {
  assert.deepEqual(parse('berth:\n  proxy:\n    localnamespaces: [team, ci/builds/, my-org.dev]\n').berth.proxy.localnamespaces, ['team', 'ci/builds', 'my-org.dev']);
  assert.deepEqual(parse('berth:\n  proxy:\n    localnamespaces: team\n').berth.proxy.localnamespaces, ['team']);
});

test('localnamespaces: invalid names, duplicates and overlaps with an upstream prefix are refused with the entry\'s path', () => {
  for (const bad of ['Team', 'team/../x', '/team', 'a//b', '""', 'team:1', '-x']) {
    const e = failure(`berth:\n  proxy:\n    localnamespaces: [ok, ${bad}]\n`);
    assert.equal(e.path, 'berth.proxy.localnamespaces.1', bad);
    assert.match(e.message, /not a repository name prefix/, bad);
  }
  assert.match(failure('berth:\n  proxy:\n    localnamespaces: [team, team]\n').message, /listed twice/);
  const overlap = failure('berth:\n  proxy:\n    localnamespaces: [ghcr.io/me]\n    upstreams:\n      - {prefix: ghcr.io, remoteurl: "https://ghcr.io"}\n');
  assert.equal(overlap.path, 'berth.proxy.localnamespaces.0');
  assert.match(overlap.message, /overlaps the upstream prefix ghcr\.io/);
  assert.match(failure('berth:\n  proxy:\n    localnamespaces: [ghcr.io]\n    upstreams:\n      - {prefix: ghcr.io, remoteurl: "https://ghcr.io"}\n').message, /overlaps/);
  // A name that only starts with the prefix's letters is another name.
  assert.deepEqual(parse('berth:\n  proxy:\n    localnamespaces: [ghcr.iox]\n    upstreams:\n      - {prefix: ghcr.io, remoteurl: "https://ghcr.io"}\n').berth.proxy.localnamespaces, ['ghcr.iox']);
});

test('maxsize: bytes, or a size with decimal or binary units (both count in 1024s, like Docker)', () => {
  const size = (v: string) => parse(`berth:\n  proxy:\n    maxsize: ${v}\n`).berth.proxy.maxsizeBytes;
  assert.equal(size('1000'), 1000);
  assert.equal(size('"1000"'), 1000);
  assert.equal(size('10GB'), 10 * 1024 ** 3);
  assert.equal(size('10gb'), 10 * 1024 ** 3);
  assert.equal(size('512MiB'), 512 * 1024 ** 2);
  assert.equal(size('1.5g'), Math.round(1.5 * 1024 ** 3));
  assert.equal(size('"2 TB"'), 2 * 1024 ** 4);
  assert.equal(size('64k'), 64 * 1024);
  assert.equal(size('100b'), 100);
  assert.equal(size('0'), 0);
});

test('maxsize: nonsense and negative values are refused with the key path', () => {
  assert.equal(failure('berth:\n  proxy:\n    maxsize: lots\n').path, 'berth.proxy.maxsize');
  assert.equal(failure('berth:\n  proxy:\n    maxsize: 10XB\n').path, 'berth.proxy.maxsize');
  assert.equal(failure('berth:\n  proxy:\n    maxsize: -5\n').path, 'berth.proxy.maxsize');
});

test('upstreams: credentials, per-upstream ttl, and the default ttl from proxy.ttl', () => {
  const c = parseConfig([
    'version: 0.1', 'storage: inmemory',
    'proxy:', '  remoteurl: https://registry-1.docker.io', '  ttl: 24h',
    'berth:', '  proxy:', '    upstreams:',
    '      - prefix: ghcr.io', '        remoteurl: https://ghcr.io', '        username: me', '        password: pat', '        ttl: 0',
    '      - prefix: registry.example.com', '        remoteurl: https://registry.example.com',
  ].join('\n'), { env: {}, source: 'config.yml' }).config;
  const [ghcr, other] = c.berth.proxy.upstreams;
  assert.deepEqual(ghcr, { prefix: 'ghcr.io', remoteurl: 'https://ghcr.io', username: 'me', password: 'pat', ttlMs: 0 });
  assert.equal(other!.ttlMs, 24 * 3600_000);
});

test('upstreams: a prefix listed twice is an error', () => {
  const e = failure('berth:\n  proxy:\n    upstreams:\n      - {prefix: quay.io, remoteurl: "https://quay.io"}\n      - {prefix: quay.io, remoteurl: "https://mirror.example"}\n');
  assert.equal(e.path, 'berth.proxy.upstreams');
  assert.match(e.message, /quay\.io is listed twice/);
});

test('upstreams: a prefix must look like a registry host, and remoteurl must be an http(s) URL', () => {
  assert.match(failure('berth:\n  proxy:\n    upstreams:\n      - {prefix: "Quay_IO", remoteurl: "https://quay.io"}\n').path, /^berth\.proxy\.upstreams\.0\.prefix$/);
  // Repository names cannot contain ':': a host:port prefix could never match (nor make a valid ?ns= name).
  const port = failure('berth:\n  proxy:\n    upstreams:\n      - {prefix: "registry.example:5000", remoteurl: "https://registry.example:5000"}\n');
  assert.equal(port.path, 'berth.proxy.upstreams.0.prefix');
  assert.match(port.message, /without a port/);
  assert.match(failure('berth:\n  proxy:\n    upstreams:\n      - {prefix: quay.io, remoteurl: "quay.io"}\n').path, /^berth\.proxy\.upstreams\.0\.remoteurl$/);
  assert.match(failure('berth:\n  proxy:\n    upstreams:\n      - {prefix: quay.io, remoteurl: "https://quay.io", color: red}\n').path, /^berth\.proxy\.upstreams\.0\.color$/);
});

test('upstreams alone (no proxy.remoteurl) still make a proxy', () => {
  const c = parseConfig('version: 0.1\nstorage: inmemory\nberth:\n  proxy:\n    upstreams:\n      - {prefix: quay.io, remoteurl: "https://quay.io"}\n', { env: {}, source: 'x' }).config;
  assert.equal(c.proxy, undefined);
  assert.equal(c.berth.proxy.upstreams.length, 1);
});
