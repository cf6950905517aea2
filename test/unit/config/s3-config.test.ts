// storage.s3 as registry:3 reads it: defaults, the endpoint and path-style rules, loosely typed
// values from environment variables, and a clear error for each value the driver cannot use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../main/config/errors';
import { parseConfig } from '../../../main/config/load';

const yaml = (s3: string) => `version: 0.1\nstorage:\n  s3:\n${s3.replace(/^/gm, '    ')}\n`;
const s3Of = (text: string, env: Record<string, string> = {}) => parseConfig(text, { env, source: 'config.yml' }).config.storage;
const problem = (text: string): ConfigError => {
  try {
    parseConfig(text, { env: {}, source: 'config.yml' });
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('storage.s3', () => {
  it("selects the s3 driver with registry:3's defaults", () => {
    const storage = s3Of(yaml('region: us-east-1\nbucket: images'));
    assert.equal(storage.driver, 's3');
    assert.deepEqual(storage.s3, {
      region: 'us-east-1', regionendpoint: '', bucket: 'images', rootdirectory: '',
      accesskey: undefined, secretkey: undefined, sessiontoken: undefined,
      forcepathstyle: false, encrypt: false, keyid: undefined, secure: true, skipverify: false,
      chunksize: 10 * 1024 * 1024, multipartcopychunksize: 32 * 1024 * 1024, multipartcopymaxconcurrency: 100,
      multipartcopythresholdsize: 32 * 1024 * 1024, storageclass: 'STANDARD', objectacl: 'private',
      useragent: undefined, usedualstack: false, accelerate: false,
    });
  });

  it('uses path-style requests with an endpoint unless told otherwise, and adds the scheme `secure` asks for', () => {
    const withEndpoint = s3Of(yaml('region: r\nbucket: b\nregionendpoint: 127.0.0.1:7480\nsecure: false')).s3!;
    assert.equal(withEndpoint.regionendpoint, 'http://127.0.0.1:7480');
    assert.equal(withEndpoint.forcepathstyle, true);
    const tls = s3Of(yaml('region: r\nbucket: b\nregionendpoint: s3.example.com\nforcepathstyle: false')).s3!;
    assert.equal(tls.regionendpoint, 'https://s3.example.com');
    assert.equal(tls.forcepathstyle, false);
    assert.equal(s3Of(yaml('region: r\nbucket: b\nregionendpoint: http://gw:7480')).s3!.regionendpoint, 'http://gw:7480');
  });

  it('reads numbers and booleans given as text, as from REGISTRY_STORAGE_S3_* variables', () => {
    const s3 = s3Of(yaml('region: r\nbucket: b'), { REGISTRY_STORAGE_S3_CHUNKSIZE: '6291456', REGISTRY_STORAGE_S3_SECURE: 'false', REGISTRY_STORAGE_S3_ACCESSKEY: 'AK', REGISTRY_STORAGE_S3_SECRETKEY: 'SK' }).s3!;
    assert.equal(s3.chunksize, 6291456);
    assert.equal(s3.secure, false);
    assert.equal(s3.accesskey, 'AK');
    assert.equal(s3.secretkey, 'SK');
  });

  const refused: Array<[string, string, RegExp]> = [
    ['bucket: b', 'storage.s3.region', /required/],
    ['region: r', 'storage.s3.bucket', /required/],
    ['region: r\nbucket: b\nchunksize: 1048576', 'storage.s3.chunksize', /below S3's smallest part/],
    ['region: r\nbucket: b\nmultipartcopychunksize: 100', 'storage.s3.multipartcopychunksize', /below S3's smallest part/],
    ['region: r\nbucket: b\nv4auth: false', 'storage.s3.v4auth', /version 2 is not supported/],
    ['region: r\nbucket: b\naccesskey: AK', 'storage.s3.secretkey', /required with accesskey/],
    ['region: r\nbucket: b\nregionendpoint: "http://"', 'storage.s3.regionendpoint', /not an absolute http\(s\) URL/],
    ['region: r\nbucket: b\nbukket: c', 'storage.s3.bukket', /./],
  ];
  for (const [body, path, message] of refused) {
    it(`refuses ${path} (${body.split('\n').at(-1)})`, () => {
      const e = problem(yaml(body));
      const p = e.problems.find((x) => x.path === path);
      assert.ok(p, `${path} not among ${e.problems.map((x) => x.path).join(', ')}`);
      assert.match(p.message, message);
    });
  }
});

describe('storage.cache.blobdescriptor: redis with storage.s3 (several nodes on one bucket)', () => {
  const shared = (redis: string) => `${yaml('region: r\nbucket: b')}  cache:\n    blobdescriptor: redis\n${redis}`;

  it("reads registry:2's redis.addr and registry:3's redis.addrs", () => {
    const two = parseConfig(shared('redis:\n  addr: 127.0.0.1:6390\n  password: pw\n  db: 2\n'), { env: {}, source: 'config.yml' }).config;
    assert.equal(two.storage.cache.blobdescriptor, 'redis');
    assert.deepEqual(two.redis, { addrs: ['127.0.0.1:6390'], username: undefined, password: 'pw', db: 2, dialtimeoutMs: 5000 });
    const three = parseConfig(shared('redis:\n  addrs: [redis-a:6379, redis-b:6379]\n  dialtimeout: 2s\n  pool:\n    maxidle: 16\n'), { env: {}, source: 'config.yml' }).config;
    assert.deepEqual(three.redis?.addrs, ['redis-a:6379', 'redis-b:6379']);
    assert.equal(three.redis?.dialtimeoutMs, 2000);
  });

  it('needs the redis section, with host:port addresses', () => {
    const missing = problem(shared(''));
    assert.ok(missing.problems.some((p) => p.path === 'storage.cache.blobdescriptor' && /needs the top-level redis section/.test(p.message)));
    const bad = problem(shared('redis:\n  addr: localhost\n'));
    assert.ok(bad.problems.some((p) => p.path === 'redis.addr' && /not host:port/.test(p.message)), JSON.stringify(bad.problems));
  });

  it('on one folder, redis is ignored with a warning and the in-memory cache is used', () => {
    const { config, warnings } = parseConfig('version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /d\n  cache:\n    blobdescriptor: redis\nredis:\n  addr: 127.0.0.1:6379\n', { env: {}, source: 'config.yml' });
    assert.equal(config.storage.cache.blobdescriptor, 'inmemory');
    assert.equal(config.redis, undefined);
    assert.ok(warnings.some((w) => w.includes(' redis: ignored')), JSON.stringify(warnings));
  });
});
