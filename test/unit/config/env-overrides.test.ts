// REGISTRY_<PATH> environment overrides, as distribution's configuration/parser.go applies them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../main/config/load';

const BASE = 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /data\nlog:\n  fields:\n    my_field: a\n';
const parse = (env: Record<string, string>, yaml = BASE) => parseConfig(yaml, { env, source: 'config.yml' });

describe('environment overrides', () => {
  it('overrides scalars, parsing the value as YAML', () => {
    const { config, warnings } = parse({
      REGISTRY_HTTP_ADDR: '127.0.0.1:5001',
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/x',
      REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      REGISTRY_CATALOG_MAXENTRIES: '50',
      REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL: '30s',
    });
    assert.deepEqual(warnings, []);
    assert.equal(config.http.addr, '127.0.0.1:5001');
    assert.equal(config.storage.filesystem.rootdirectory, '/x');
    assert.equal(config.storage.delete.enabled, true);
    assert.equal(config.catalog.maxentries, 50);
    assert.equal(config.health.storagedriver.intervalMs, 30_000);
  });

  it('creates sections the file does not have', () => {
    const { config } = parse({
      REGISTRY_AUTH_HTPASSWD_REALM: 'Registry',
      REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
      REGISTRY_PROXY_REMOTEURL: 'https://registry-1.docker.io',
      REGISTRY_BERTH_CATALOGRESCAN: '0',
    });
    assert.deepEqual(config.auth.htpasswd, { realm: 'Registry', path: '/auth/htpasswd' });
    assert.equal(config.proxy?.remoteurl, 'https://registry-1.docker.io');
    assert.equal(config.berth.catalogrescanMs, 0);
  });

  it('sets list items by index, in numeric order', () => {
    const names = [
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
      'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_RSA_WITH_AES_128_GCM_SHA256',
    ];
    const env: Record<string, string> = { REGISTRY_HTTP_TLS_CERTIFICATE: '/c', REGISTRY_HTTP_TLS_KEY: '/k' };
    names.forEach((n, i) => (env[`REGISTRY_HTTP_TLS_CIPHERSUITES_${i}`] = n));
    assert.deepEqual(parse(env).config.http.tls?.ciphersuites, names);
  });

  it('replaces a whole list or section with a YAML value', () => {
    const { config } = parse({
      REGISTRY_HTTP_TLS: '{certificate: /c, key: /k, clientcas: [/ca1, /ca2]}',
      REGISTRY_STORAGE: 'inmemory',
    }, 'version: 0.1\nstorage:\n  inmemory:\n');
    assert.deepEqual(config.http.tls?.clientcas, ['/ca1', '/ca2']);
    assert.equal(config.storage.driver, 'inmemory');
  });

  it('handles map keys: existing keys with _, new keys lower-cased, header lists by index', () => {
    const { config } = parse({
      REGISTRY_LOG_FIELDS_MY_FIELD: 'b',
      REGISTRY_LOG_FIELDS_ENVIRONMENT: 'production',
      'REGISTRY_HTTP_HEADERS_X-CONTENT-TYPE-OPTIONS': '[nosniff]',
      'REGISTRY_HTTP_HEADERS_X-FRAME-OPTIONS_0': 'DENY',
    });
    assert.deepEqual(config.log.fields, { my_field: 'b', environment: 'production' });
    assert.deepEqual(config.http.headers, { 'x-content-type-options': ['nosniff'], 'x-frame-options': ['DENY'] });
  });

  it('keeps the text of string values that look like numbers', () => {
    const { config } = parse({ REGISTRY_HTTP_SECRET: '0123', REGISTRY_PROXY_REMOTEURL: 'https://x.example', REGISTRY_PROXY_USERNAME: 'u', REGISTRY_PROXY_PASSWORD: '1e3' });
    assert.equal(config.http.secret, '0123');
    assert.equal(config.proxy?.password, '1e3');
  });

  it('warns about unknown variables instead of failing, and skips REGISTRY_CONFIGURATION_PATH', () => {
    const { config, warnings } = parse({
      REGISTRY_HTTP_ADDRESS: ':6000',
      REGISTRY_NOPE: 'x',
      REGISTRY_HTTP_ADDR_PORT: '1',
      REGISTRY_CONFIGURATION_PATH: '/etc/distribution/config.yml',
      OTHER_VARIABLE: 'ignored',
    });
    assert.equal(config.http.addr, ':5000');
    assert.deepEqual(warnings.sort(), [
      'Ignoring unrecognized environment variable REGISTRY_HTTP_ADDRESS',
      'Ignoring unrecognized environment variable REGISTRY_HTTP_ADDR_PORT',
      'Ignoring unrecognized environment variable REGISTRY_NOPE',
    ]);
  });

  it('names the variable when its value is wrong', () => {
    try {
      parse({ REGISTRY_HTTP_TLS_MINIMUMTLS: 'tls1.0', REGISTRY_HTTP_TLS_CERTIFICATE: '/c', REGISTRY_HTTP_TLS_KEY: '/k' });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.path, 'http.tls.minimumtls');
      assert.equal(e.problems[0]?.env, 'REGISTRY_HTTP_TLS_MINIMUMTLS');
      assert.match(e.message, /^config.yml: http.tls.minimumtls \(from REGISTRY_HTTP_TLS_MINIMUMTLS\): tls1.0 is too old/);
    }
  });

  it('refuses a second storage driver added through the environment, naming the variable', () => {
    assert.throws(
      () => parse({ REGISTRY_STORAGE_INMEMORY: '{}' }),
      (e: ConfigError) => e.path === 'storage' && /REGISTRY_STORAGE_INMEMORY/.test(e.message) && /exactly one storage driver/.test(e.message),
    );
  });

  it('reports invalid YAML in a value and out-of-range list indexes', () => {
    assert.throws(() => parse({ REGISTRY_HTTP_HEADERS: '{a: [' }), (e: ConfigError) => e.problems[0]?.env === 'REGISTRY_HTTP_HEADERS');
    assert.throws(
      () => parse({ REGISTRY_HTTP_TLS_CLIENTCAS_3: '/ca' }),
      (e: ConfigError) => e.path === 'http.tls.clientcas.3' && /out of range/.test(e.message),
    );
  });

  it('reaches registry:3-only sections so they are judged like file keys', () => {
    assert.throws(() => parse({ REGISTRY_STORAGE_GCS_BUCKET: 'b' }), (e: ConfigError) => /storage.gcs/.test(e.message));
  });

  it('can override version and nothing else is read when env is omitted', () => {
    assert.throws(() => parse({ REGISTRY_VERSION: '0.2' }), (e: ConfigError) => e.path === 'version');
    process.env.REGISTRY_HTTP_ADDR = ':7000';
    try {
      assert.equal(parseConfig(BASE).config.http.addr, ':5000');
    } finally {
      delete process.env.REGISTRY_HTTP_ADDR;
    }
  });
});
