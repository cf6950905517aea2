// Mistakes must be refused with the key's path, its line, and a hint where one helps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../main/config/load';

const parse = (yaml: string) => parseConfig(yaml, { env: {}, source: 'config.yml' });

/** Runs the parse and returns the ConfigError it must throw. */
function failure(yaml: string): ConfigError {
  try {
    parse(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the config to be refused');
}

const BASE = 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /data\n';

describe('unknown keys', () => {
  it('names the full path, the line, and the key it was probably meant to be', () => {
    const e = failure(BASE + 'http:\n  addr: :5000\n  tsl:\n    certificate: /c\n');
    assert.equal(e.path, 'http.tsl');
    assert.equal(e.hint, 'did you mean `http.tls`?');
    assert.equal(e.message, 'config.yml:7:3: http.tsl: unknown key (did you mean `http.tls`?)');
    assert.equal(e.problems[0]?.line, 7);
  });

  it('finds typos deep in the tree and at the top level', () => {
    assert.equal(failure(BASE.replace('rootdirectory', 'rootdirectroy')).hint, 'did you mean `storage.filesystem.rootdirectory`?');
    assert.equal(failure(BASE + 'Health:\n  storagedriver: {}\n').hint, 'did you mean `health`?');
    const e = failure(BASE + 'storagee: {}\n');
    assert.equal(e.path, 'storagee');
    assert.equal(e.hint, 'did you mean `storage`?');
    assert.equal(failure(BASE.replace('filesystem', 'filesytem')).hint, 'did you mean `storage.filesystem`?');
  });

  it('gives no hint when nothing is close', () => {
    const e = failure(BASE + 'http:\n  banana: 1\n');
    assert.equal(e.path, 'http.banana');
    assert.equal(e.hint, undefined);
  });

  it('reports every problem in one error', () => {
    const e = failure(BASE + 'http:\n  adr: :5000\n  tsl: {}\nlog:\n  levle: info\n');
    assert.deepEqual(e.problems.map((p) => p.path).sort(), ['http.adr', 'http.tsl', 'log.levle']);
    assert.match(e.message, /^config.yml: 3 configuration problems:\n {2}- config.yml:/);
  });

  it('names storage drivers removed in registry:3', () => {
    assert.match(failure('version: 0.1\nstorage:\n  swift: {}\n').message, /swift storage driver was removed in registry:3/);
  });
});

describe('bad values', () => {
  it('refuses version 0.2', () => {
    const e = failure('version: 0.2\nstorage: inmemory\n');
    assert.equal(e.path, 'version');
    assert.match(e.message, /config.yml:1:1: version: unsupported version "0.2"; only 0.1 exists/);
  });

  it('requires version', () => {
    assert.equal(failure('storage: inmemory\n').path, 'version');
  });

  it('refuses minimumtls tls1.0 and tls1.1 with the reason', () => {
    for (const v of ['tls1.0', 'tls1.1']) {
      const e = failure(BASE + `http:\n  tls:\n    certificate: /c\n    key: /k\n    minimumtls: ${v}\n`);
      assert.equal(e.path, 'http.tls.minimumtls');
      assert.match(e.message, new RegExp(`${v.replace('.', '\\.')} is too old: registry:3 refuses it`));
      assert.equal(e.hint, 'use tls1.2 or tls1.3');
    }
  });

  it('refuses unknown cipher suites, with a hint for near misses', () => {
    const e = failure(BASE + 'http:\n  tls:\n    certificate: /c\n    key: /k\n    ciphersuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA384]\n');
    assert.equal(e.path, 'http.tls.ciphersuites.0');
    assert.match(e.message, /unknown cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA384/);
    assert.match(e.hint ?? '', /did you mean TLS_ECDHE_RSA_WITH_AES_(128_GCM_SHA256|256_GCM_SHA384)\?/);
    assert.match(failure(BASE + 'http:\n  tls:\n    certificate: /c\n    key: /k\n    ciphersuites: [TLS_RSA_WITH_RC4_128_SHA]\n').message, /refused by registry:3 and Berth/);
    assert.match(failure(BASE + 'http:\n  tls:\n    certificate: /c\n    key: /k\n    ciphersuites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]\n').message, /supported by registry:3 but not by Berth/);
  });

  it('refuses negative numbers', () => {
    for (const [yaml, path] of [
      ['catalog:\n  maxentries: -1\n', 'catalog.maxentries'],
      ['health:\n  storagedriver:\n    threshold: -3\n', 'health.storagedriver.threshold'],
      ['berth:\n  manifestmaxbytes: -1\n', 'berth.manifestmaxbytes'],
    ] as const) {
      const e = failure(BASE + yaml);
      assert.equal(e.path, path);
      assert.match(e.message, /must not be negative \(got -\d+\)|must be at least 1/);
    }
    const tag = failure(BASE.replace('storage:\n', 'storage:\n  tag:\n    concurrencylimit: -2\n'));
    assert.equal(tag.path, 'storage.tag.concurrencylimit');
    assert.match(tag.message, /must not be negative \(got -2\)/);
  });

  it('refuses negative and malformed durations', () => {
    const neg = failure(BASE + 'health:\n  storagedriver:\n    interval: -10s\n');
    assert.equal(neg.path, 'health.storagedriver.interval');
    assert.match(neg.message, /must not be negative/);
    const days = failure(BASE + 'proxy:\n  remoteurl: https://x.example\n  ttl: 7d\n');
    assert.equal(days.path, 'proxy.ttl');
    assert.match(days.message, /Go durations have no days/);
  });

  it('refuses two storage drivers', () => {
    const e = failure('version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /a\n  inmemory:\n');
    assert.equal(e.path, 'storage');
    assert.match(e.message, /exactly one storage driver must be configured, found filesystem and inmemory/);
  });

  it('refuses a config without storage', () => {
    const e = failure('version: 0.1\nhttp:\n  addr: :5000\n');
    assert.equal(e.path, 'storage');
    assert.match(e.message, /storage: is missing/);
    assert.equal(failure('version: 0.1\nstorage:\n  delete:\n    enabled: true\n').path, 'storage');
  });

  it('refuses an empty file with one clear message', () => {
    assert.match(failure('# nothing here\n').message, /^config.yml: the configuration is empty/);
  });

  it('explains type mismatches in YAML terms', () => {
    const e = failure(BASE + 'http:\n  relativeurls: maybe\n');
    assert.equal(e.path, 'http.relativeurls');
    assert.match(e.message, /expected true or false, got "maybe"/);
    assert.match(failure(BASE + 'log:\n  level: verbose\n').message, /log.level: must be one of error, warn, info, debug \(got "verbose"\)/);
    assert.match(failure(BASE + 'http: 5000\n').message, /http: expected a mapping/);
  });

  it('checks addresses, URLs and TLS pairs', () => {
    assert.equal(failure(BASE + 'http:\n  addr: 5000\n').path, 'http.addr');
    assert.equal(failure(BASE + 'http:\n  host: reg.example\n').path, 'http.host');
    assert.equal(failure(BASE + 'proxy:\n  remoteurl: registry-1.docker.io\n').path, 'proxy.remoteurl');
    assert.equal(failure(BASE + 'proxy:\n  username: me\n').path, 'proxy.remoteurl');
    assert.equal(failure(BASE + 'http:\n  tls:\n    certificate: /c\n').path, 'http.tls.key');
    assert.equal(failure(BASE + 'http:\n  tls:\n    key: /k\n').path, 'http.tls.key');
    assert.equal(failure(BASE + 'auth:\n  htpasswd:\n    path: /p\n').path, 'auth.htpasswd.realm');
    assert.equal(failure(BASE + 'validation:\n  manifests:\n    urls:\n      deny: ["(unclosed"]\n').path, 'validation.manifests.urls.deny.0');
  });

  it('reports YAML syntax errors with line and column', () => {
    const e = failure('version: 0.1\nstorage:\n  filesystem: [a, b\nhttp: {}\n');
    assert.equal(e.path, '');
    assert.match(e.message, /^config.yml:\d+:\d+: YAML syntax error: /);
    const dup = failure('version: 0.1\nversion: 0.1\n');
    assert.match(dup.message, /^config.yml:2:1: YAML syntax error: Map keys must be unique/);
  });
});

describe('registry:3 features Berth does not have', () => {
  const refused: Array<[string, string]> = [
    ['version: 0.1\nstorage:\n  gcs:\n    bucket: b\n', 'storage.gcs'],
    ['version: 0.1\nstorage:\n  azure: {}\n', 'storage.azure'],
    [BASE + 'auth:\n  token:\n    realm: https://auth\n', 'auth.token'],
    [BASE + 'auth:\n  silly:\n    realm: x\n', 'auth.silly'],
    [BASE + 'http:\n  tls:\n    letsencrypt:\n      cachefile: /le\n', 'http.tls.letsencrypt'],
    [BASE + 'notifications:\n  endpoints:\n    - name: hook\n      url: https://hooks.example\n', 'notifications.endpoints'],
    [BASE + 'middleware:\n  storage:\n    - name: cloudfront\n', 'middleware'],
    [BASE + 'health:\n  file:\n    - file: /down\n', 'health.file'],
    [BASE + 'proxy:\n  remoteurl: https://x.example\n  exec:\n    command: docker-credential-pass\n', 'proxy.exec'],
    [BASE + 'http:\n  tls:\n    certificate: /c\n    key: /k\n    clientcas: [/ca]\n    clientauth: verify-client-cert-if-given\n', 'http.tls.clientauth'],
  ];
  for (const [yaml, path] of refused) {
    it(`refuses ${path} when it would change behaviour`, () => {
      const e = failure(yaml);
      assert.equal(e.path, path);
      assert.match(e.message, /supported by registry:3 but not by Berth/);
    });
  }

  it('accepts harmless ones with a warning', () => {
    const { config, warnings } = parse(
      BASE.replace('storage:\n', 'storage:\n  cache:\n    blobdescriptor: redis\n') +
        'log:\n  reportcaller: true\n  hooks:\n    - type: mail\n      levels: [panic]\n' +
        'http:\n  h2c:\n    enabled: true\n' +
        'redis:\n  addrs: [localhost:6379]\n' +
        'notifications:\n  endpoints:\n    - name: off\n      url: https://x\n      disabled: true\n',
    );
    assert.equal(config.storage.cache.blobdescriptor, 'inmemory');
    for (const key of ['storage.cache.blobdescriptor', 'log.reportcaller', 'log.hooks', 'http.h2c.enabled', 'redis', 'notifications']) {
      assert.ok(warnings.some((w) => w.includes(` ${key}: `)), `expected a warning for ${key}, got ${JSON.stringify(warnings)}`);
    }
    assert.ok(warnings.every((w) => w.startsWith('config.yml:')), 'warnings point at their line');
  });

  it('warns about bare numbers used as durations (nanoseconds in Go)', () => {
    const { config, warnings } = parse(BASE + 'health:\n  storagedriver:\n    interval: 10000000000\n');
    assert.equal(config.health.storagedriver.intervalMs, 10_000);
    assert.ok(warnings.some((w) => w.includes('health.storagedriver.interval') && w.includes('nanoseconds')));
  });
});
