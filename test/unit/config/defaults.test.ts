import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConfigError, defaultConfig, defaultConfigYaml, defaultDataDir, loadConfigFile, parseConfig, redactConfig,
} from '../../../main/config/load';
import { tempDir } from '../../support/cleanup';

describe('defaultConfig (Berth embedded default)', () => {
  it('stores under <dataDir>/registry with deletes, debug server, metrics and health on, listening on loopback', () => {
    const config = defaultConfig('/home/me/.local/share/berth');
    assert.equal(config.storage.driver, 'filesystem');
    assert.equal(config.storage.filesystem.rootdirectory, join('/home/me/.local/share/berth', 'registry'));
    assert.equal(config.storage.delete.enabled, true);
    // Loopback until shared: nothing on the network reaches a fresh Berth (issue 10).
    assert.equal(config.http.addr, '127.0.0.1:5000');
    assert.deepEqual(config.http.debug, { addr: '127.0.0.1:5001', prometheus: { enabled: true, path: '/metrics' } });
    assert.deepEqual(config.health.storagedriver, { enabled: true, intervalMs: 10_000, threshold: 3 });
    assert.equal(config.log.level, 'info');
    assert.equal(config.auth.htpasswd, undefined);
  });

  it('keeps paths with spaces, quotes and backslashes intact', () => {
    const dir = 'C:\\Users\\Jo "J" Doe\\AppData\\Roaming\\Berth';
    assert.equal(defaultConfig(dir).storage.filesystem.rootdirectory, join(dir, 'registry'));
  });

  it('applies env overrides and returns warnings when given an environment', () => {
    const { config, warnings } = defaultConfig('/d', { REGISTRY_HTTP_ADDR: '127.0.0.1:6000', REGISTRY_BOGUS: '1' });
    assert.equal(config.http.addr, '127.0.0.1:6000');
    assert.deepEqual(warnings, ['Ignoring unrecognized environment variable REGISTRY_BOGUS']);
  });

  it('is a valid config.yml as text', () => {
    assert.deepEqual(parseConfig(defaultConfigYaml('/d')).config, defaultConfig('/d'));
  });
});

describe('defaultDataDir', () => {
  it('prefers $BERTH_DATA_DIR', () => {
    assert.equal(defaultDataDir({ BERTH_DATA_DIR: '/srv/berth', XDG_DATA_HOME: '/x' }, 'linux', '/home/me'), '/srv/berth');
  });
  it('follows XDG on Linux', () => {
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/me'), '/xdg/berth');
    assert.equal(defaultDataDir({}, 'linux', '/home/me'), '/home/me/.local/share/berth');
    assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/me'), '/home/me/.local/share/berth');
  });
  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    assert.equal(defaultDataDir({}, 'darwin', '/Users/me'), '/Users/me/Library/Application Support/Berth');
    assert.equal(defaultDataDir({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Roaming\\Berth');
    assert.equal(defaultDataDir({}, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Roaming\\Berth');
  });
});

describe('redactConfig', () => {
  it('hides http.secret and proxy passwords without touching the original', () => {
    const { config } = parseConfig(
      'version: 0.1\nstorage: inmemory\nhttp:\n  secret: s3cr3t\nproxy:\n  remoteurl: https://bob:pw@upstream.example\n  username: bob\n  password: hunter2\n',
    );
    const safe = redactConfig(config);
    assert.equal(safe.http.secret, '***');
    assert.equal(safe.proxy?.password, '***');
    assert.equal(safe.proxy?.username, 'bob');
    assert.equal(safe.proxy?.remoteurl, 'https://bob:***@upstream.example/');
    assert.equal(config.http.secret, 's3cr3t');
    assert.equal(config.proxy?.password, 'hunter2');
    assert.ok(!JSON.stringify(safe).includes('hunter2') && !JSON.stringify(safe).includes('s3cr3t'));
  });

  it("hides the s3 driver's secret key and session token (keeping the access key) and Redis's password", () => {
    const { config } = parseConfig('version: 0.1\nstorage:\n  s3:\n    region: r\n    bucket: b\n    accesskey: AKIDEXAMPLE\n    secretkey: wJalrXUtnFEMI\n    sessiontoken: FwoGZXIvYXdzEJr\n  cache:\n    blobdescriptor: redis\nredis:\n  addr: r:6379\n  password: r3dispw\n');
    const safe = redactConfig(config);
    assert.equal(safe.redis?.password, '***');
    assert.ok(!JSON.stringify(safe).includes('r3dispw'));
    assert.equal(safe.storage.s3?.accesskey, 'AKIDEXAMPLE');
    assert.equal(safe.storage.s3?.secretkey, '***');
    assert.equal(safe.storage.s3?.sessiontoken, '***');
    assert.equal(config.storage.s3?.secretkey, 'wJalrXUtnFEMI');
    assert.ok(!JSON.stringify(safe).includes('wJalrXUtnFEMI') && !JSON.stringify(safe).includes('FwoGZXIvYXdzEJr'));
  });

  it('leaves unset secrets unset', () => {
    const safe = redactConfig(defaultConfig('/d'));
    assert.equal(safe.http.secret, undefined);
    assert.equal(safe.proxy, undefined);
  });
});

describe('loadConfigFile', () => {
  let dir = '';
  before(async () => {
    dir = await tempDir('berth-config-');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file and names it in errors', async () => {
    const good = join(dir, 'good.yml');
    await writeFile(good, 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /data\n');
    const { config } = await loadConfigFile(good, { REGISTRY_HTTP_ADDR: ':5050' });
    assert.equal(config.storage.filesystem.rootdirectory, '/data');
    assert.equal(config.http.addr, ':5050');

    const bad = join(dir, 'bad.yml');
    await writeFile(bad, 'version: 0.1\nstorage: inmemory\nhttp:\n  adr: :5000\n');
    await assert.rejects(loadConfigFile(bad), (e: ConfigError) => e instanceof ConfigError && e.message.startsWith(`${bad}:4:3: http.adr: unknown key`));
  });

  it('explains a missing file, a directory, and an unreadable file', async () => {
    const missing = join(dir, 'nope.yml');
    await assert.rejects(loadConfigFile(missing), (e: ConfigError) => e instanceof ConfigError && e.message === `${missing}: cannot read the configuration file: no such file`);
    await assert.rejects(loadConfigFile(dir), /is a directory/);
    if (process.getuid?.() !== 0 && process.platform !== 'win32') {
      const locked = join(dir, 'locked.yml');
      await writeFile(locked, 'version: 0.1\n');
      await chmod(locked, 0o000);
      await assert.rejects(loadConfigFile(locked), /permission denied/);
    }
  });
});
