// Configs as people write them for registry:3 must load unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../main/config/load';


const parse = (yaml: string, env: Record<string, string> = {}) => parseConfig(yaml, { env, source: 'config.yml' });

// The tutorial-style config: every common section at once.
const TUTORIAL = `
version: 0.1
log:
  level: debug
  formatter: json
  fields:
    service: registry
  accesslog:
    disabled: true
storage:
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
    blobdescriptorsize: 5000
  filesystem:
    rootdirectory: /var/lib/registry
  tag:
    concurrencylimit: 8
http:
  addr: :5000
  secret: asecretforlocaldevelopment
  headers:
    X-Content-Type-Options: [nosniff]
  debug:
    addr: localhost:5001
    prometheus:
      enabled: true
      path: /metrics
  tls:
    certificate: /certs/domain.crt
    key: /certs/domain.key
    minimumtls: tls1.2
    ciphersuites:
      - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
      - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
      - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
      - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
      - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
      - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305
auth:
  htpasswd:
    realm: basic-realm
    path: /auth/htpasswd
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
`;

// The config.yml inside the registry:3 image (distribution-library-image's config-example.yml), verbatim.
const REGISTRY3_IMAGE_DEFAULT = `version: 0.1
log:
  level: debug
  fields:
    service: registry
    environment: development
storage:
    delete:
      enabled: true
    cache:
        blobdescriptor: inmemory
    filesystem:
        rootdirectory: /var/lib/registry
    tag:
      concurrencylimit: 5
http:
    addr: :5000
    debug:
        addr: :5001
        prometheus:
            enabled: true
            path: /metrics
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
`;

const PROXY = `
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
proxy:
  remoteurl: https://registry-1.docker.io
  username: someone
  password: hunter2
  ttl: 72h
`;

describe('parseConfig: configs written for registry:3', () => {
  it('loads the tutorial config with every value carried over', () => {
    const { config, warnings } = parse(TUTORIAL);
    assert.deepEqual(warnings, []);
    assert.equal(config.version, '0.1');
    assert.deepEqual(config.log, { level: 'debug', formatter: 'json', fields: { service: 'registry' }, accesslog: { disabled: true } });
    assert.equal(config.storage.driver, 'filesystem');
    assert.deepEqual(config.storage.filesystem, { rootdirectory: '/var/lib/registry', maxthreads: 100 });
    assert.equal(config.storage.delete.enabled, true);
    assert.deepEqual(config.storage.cache, { blobdescriptor: 'inmemory', blobdescriptorsize: 5000 });
    assert.equal(config.storage.tag.concurrencylimit, 8);
    assert.equal(config.http.addr, ':5000');
    assert.equal(config.http.secret, 'asecretforlocaldevelopment');
    assert.deepEqual(config.http.headers, { 'X-Content-Type-Options': ['nosniff'] });
    assert.deepEqual(config.http.debug, { addr: 'localhost:5001', prometheus: { enabled: true, path: '/metrics' } });
    assert.deepEqual(config.http.tls, {
      certificate: '/certs/domain.crt',
      key: '/certs/domain.key',
      minimumtls: 'tls1.2',
      ciphersuites: [
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
      ],
      clientcas: [],
    });
    assert.deepEqual(config.auth.htpasswd, { realm: 'basic-realm', path: '/auth/htpasswd' });
    assert.deepEqual(config.health.storagedriver, { enabled: true, intervalMs: 10_000, threshold: 3 });
    assert.equal(config.proxy, undefined);
  });

  it("loads the registry:3 image's default config-example.yml", () => {
    const { config, warnings } = parse(REGISTRY3_IMAGE_DEFAULT);
    assert.deepEqual(warnings, []);
    assert.equal(config.log.level, 'debug');
    assert.deepEqual(config.log.fields, { service: 'registry', environment: 'development' });
    assert.equal(config.storage.delete.enabled, true);
    assert.equal(config.storage.cache.blobdescriptor, 'inmemory');
    assert.equal(config.storage.tag.concurrencylimit, 5);
    assert.equal(config.http.addr, ':5000');
    assert.deepEqual(config.http.debug, { addr: ':5001', prometheus: { enabled: true, path: '/metrics' } });
    assert.deepEqual(config.health.storagedriver, { enabled: true, intervalMs: 10_000, threshold: 3 });
  });

  it('loads a pull-through cache config', () => {
    const { config, warnings } = parse(PROXY);
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.proxy, {
      remoteurl: 'https://registry-1.docker.io',
      username: 'someone',
      password: 'hunter2',
      ttlMs: 72 * 3600 * 1000,
    });
  });

  it("fills in distribution's defaults for a minimal config", () => {
    const { config } = parse('version: 0.1\nstorage:\n  filesystem:\n');
    assert.equal(config.log.level, 'info');
    assert.equal(config.log.formatter, 'text');
    assert.equal(config.storage.filesystem.rootdirectory, '/var/lib/registry');
    assert.equal(config.storage.filesystem.maxthreads, 100);
    assert.equal(config.storage.delete.enabled, false);
    assert.deepEqual(config.storage.maintenance, {
      uploadpurging: { enabled: true, ageMs: 168 * 3600_000, intervalMs: 24 * 3600_000, dryrun: false },
      readonly: { enabled: false },
    });
    assert.equal(config.storage.cache.blobdescriptor, 'none');
    assert.equal(config.http.addr, ':5000');
    assert.equal(config.http.net, 'tcp');
    assert.equal(config.http.prefix, '/');
    assert.equal(config.http.debug, undefined);
    assert.equal(config.http.tls, undefined);
    assert.equal(config.auth.htpasswd, undefined);
    assert.deepEqual(config.health.storagedriver, { enabled: false, intervalMs: 10_000, threshold: 0 });
    assert.equal(config.catalog.maxentries, 1000);
    assert.equal(config.validation.disabled, false);
    assert.deepEqual(config.validation.manifests.indexes, { platforms: 'all', platformlist: [] });
    assert.deepEqual(config.berth, {
      manifestmaxbytes: 4_194_304,
      catalogrescanMs: 60_000,
      auth: { anonymous: 'none', defaultrole: 'admin', roles: {}, credentialcacheMs: 300_000, bcryptworkers: 2, trustedproxies: [] },
      http: {
        headerstimeoutMs: 30_000, idletimeoutMs: 120_000, allowedorigins: [], allowedhosts: [],
        minbodyrate: 1024, minbodyratewindowMs: 30_000, maxconnections: 1024,
      },
      uploads: { maxperrepository: 100, maxperclient: 200 },
      proxy: { allowpush: true, localnamespaces: [], maxsizeBytes: 0, upstreams: [], warm: { images: [], intervalMs: 6 * 3600_000 } },
    });
  });

  it('defaults proxy.ttl to 168h and keeps 0 as "never expire"', () => {
    assert.equal(parse('version: 0.1\nstorage: inmemory\nproxy:\n  remoteurl: http://127.0.0.1:5000\n').config.proxy?.ttlMs, 168 * 3600_000);
    assert.equal(parse('version: 0.1\nstorage: inmemory\nproxy:\n  remoteurl: http://127.0.0.1:5000\n  ttl: 0\n').config.proxy?.ttlMs, 0);
  });

  it('accepts version as a YAML float or a string', () => {
    assert.equal(parse('version: 0.1\nstorage: inmemory\n').config.version, '0.1');
    assert.equal(parse('version: "0.1"\nstorage: inmemory\n').config.version, '0.1');
  });

  it('accepts the shorthand forms distribution accepts', () => {
    assert.equal(parse('version: 0.1\nstorage: inmemory\n').config.storage.driver, 'inmemory');
    assert.equal(parse('version: 0.1\nstorage:\n  inmemory:\n').config.storage.driver, 'inmemory');
    assert.equal(parse('version: 0.1\nstorage: filesystem\n').config.storage.filesystem.rootdirectory, '/var/lib/registry');
    assert.equal(parse('version: 0.1\nstorage: inmemory\nauth: none\n').config.auth.htpasswd, undefined);
    assert.equal(parse('version: 0.1\nstorage: inmemory\nauth:\n').config.auth.htpasswd, undefined);
  });

  it('reads YAML the way Go yaml.v2 does', () => {
    const { config } = parse(`
version: 0.1
log:
  level: INFO
storage:
  inmemory:
  delete:
    enabled: yes
  maintenance:
    readonly:
      enabled: on
http:
  addr: 10:20
  secret: 0123
proxy:
  remoteurl: https://example.com
  username: 2024
  password: 0x1F
`);
    assert.equal(config.log.level, 'info');
    assert.equal(config.storage.delete.enabled, true);
    assert.equal(config.storage.maintenance.readonly.enabled, true);
    // No base-60 numbers (YAML 1.1 would make this 620) and text keys keep their spelling.
    assert.equal(config.http.addr, '10:20');
    assert.equal(config.http.secret, '0123');
    assert.equal(config.proxy?.username, '2024');
    assert.equal(config.proxy?.password, '0x1F');
  });

  it('normalizes http.prefix and keeps http.host', () => {
    const { config } = parse('version: 0.1\nstorage: inmemory\nhttp:\n  prefix: registry\n  host: https://reg.example:5000\n');
    assert.equal(config.http.prefix, '/registry/');
    assert.equal(config.http.host, 'https://reg.example:5000');
  });

  it('reads the berth: section', () => {
    const { config } = parse(
      'version: 0.1\nstorage: inmemory\nberth:\n  manifestmaxbytes: 1048576\n  catalogrescan: 5m\n' +
        '  auth:\n    anonymous: pull\n    defaultrole: read\n    roles:\n      alice: Admin\n    credentialcache: 30s\n' +
        '  http:\n    headerstimeout: 2s\n    idletimeout: 500ms\n    minbodyrate: 0\n    minbodyratewindow: 1m\n    maxconnections: 50\n' +
        '  uploads:\n    maxperrepository: 3\n    maxperclient: 0\n',
    );
    assert.deepEqual(config.berth, {
      manifestmaxbytes: 1_048_576,
      catalogrescanMs: 300_000,
      auth: { anonymous: 'pull', defaultrole: 'read', roles: { alice: 'admin' }, credentialcacheMs: 30_000, bcryptworkers: 2, trustedproxies: [] },
      http: {
        headerstimeoutMs: 2_000, idletimeoutMs: 500, allowedorigins: [], allowedhosts: [],
        minbodyrate: 0, minbodyratewindowMs: 60_000, maxconnections: 50,
      },
      uploads: { maxperrepository: 3, maxperclient: 0 },
      proxy: { allowpush: true, localnamespaces: [], maxsizeBytes: 0, upstreams: [], warm: { images: [], intervalMs: 6 * 3600_000 } },
    });
  });

  it('reads validation, including the deprecated enabled key', () => {
    const { config, warnings } = parse(`
version: 0.1
storage: inmemory
validation:
  enabled: true
  disabled: true
  manifests:
    urls:
      allow: ['^https?://([^/]+\\.)*example\\.com/']
    indexes:
      platforms: list
      platformlist:
        - os: linux
          architecture: amd64
`);
    assert.equal(config.validation.disabled, false, 'enabled: true forces validation on, as in distribution');
    assert.deepEqual(config.validation.manifests.urls.allow, ['^https?://([^/]+\\.)*example\\.com/']);
    assert.deepEqual(config.validation.manifests.indexes, { platforms: 'list', platformlist: [{ os: 'linux', architecture: 'amd64' }] });
    assert.ok(warnings.some((w) => w.includes('validation.enabled') && w.includes('deprecated')));
  });

  it('accepts a unix socket listener', () => {
    const { config } = parse('version: 0.1\nstorage: inmemory\nhttp:\n  net: unix\n  addr: /run/berth.sock\n');
    assert.equal(config.http.net, 'unix');
    assert.equal(config.http.addr, '/run/berth.sock');
  });
});
