// The desktop settings: the config text is the only copy, electron-store's schema accepts what
// the store writes, a layout-1 store is folded into the text once at open, reading never writes,
// and config.yml beside the store follows the text.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import Conf from 'conf';
import { parseConfig } from '../../../../main/config/load';
import { createPreferences } from '../../../../main/app/preferences';
import { AppSettingsStore } from '../../../../main/app/store/app-settings-store';
import { appStoreMigrations, appStoreSchema, LAYOUT_VERSION, type AppStoreShape } from '../../../../main/app/store/store-schema';
import { appStoreOptions, restrictStoreFile } from '../../../../main/app/store/store-file';
import { safeStoragePort } from '../../../../main/app/store/safe-storage';
import { FakeSafeStorage } from '../../../support/electron-fakes';
import type { KeyValuePort } from '../../../../main/app/ports';
import { fileDefaults } from '../../../../main/settings/defaults';
import { settingsFromConfig } from '../../../../main/settings/settings-from-config';
import { tempDir } from '../../../support/cleanup';

const dir = await tempDir('berth-app-store-');
after(() => rm(dir, { recursive: true, force: true }));

class MapStore implements KeyValuePort {
  readonly map = new Map<string, unknown>();
  get(key: string) { return this.map.get(key); }
  set(key: string, value: unknown) { this.map.set(key, structuredClone(value)); }
  delete(key: string) { this.map.delete(key); }
  has(key: string) { return this.map.has(key); }
}

const validate = new Ajv({ allErrors: true, useDefaults: true }).compile({ type: 'object', properties: appStoreSchema });

// The store file itself (issue 10, point 10): conf is electron-store's engine, opened with the
// options the app opens it with, on a real folder; safeStorage is FakeSafeStorage (real AES-GCM).
const PASSWORD = 'pr0xy-S3cret-4242';
const withProxy = (base: string) => `${base}proxy:\n  remoteurl: https://registry-1.docker.io\n  username: me\n  password: ${PASSWORD}\n`;

async function storeDir(): Promise<{ cwd: string; open(): Conf<AppStoreShape> }> {
  const cwd = await mkdtemp(join(dir, 'store-'));
  return {
    cwd,
    open() {
      const store = new Conf<AppStoreShape>({ cwd, configName: 'berth-settings', projectVersion: '0.1.0', ...appStoreOptions() });
      restrictStoreFile(store.path);
      return store;
    },
  };
}
const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('first run: reading gives the embedded default and writes nothing; open() writes config.yml beside the store (0600)', async () => {
  const root = await mkdtemp(join(dir, 'first-'));
  const kv = new MapStore();
  const store = new AppSettingsStore(kv, root);
  const text = await store.read();
  const { config } = parseConfig(text);
  // Loopback until shared: the desktop app is not reachable from the network by default.
  assert.equal(config.http.addr, '127.0.0.1:5000');
  assert.equal(config.storage.filesystem.rootdirectory, join(root, 'registry'));
  assert.equal(kv.map.size, 0, 'reading stored nothing');
  await assert.rejects(stat(join(root, 'config.yml')), { code: 'ENOENT' });

  await store.open();
  assert.equal(await readFile(join(root, 'config.yml'), 'utf8'), text);
  assert.equal((await stat(join(root, 'config.yml'))).mode & 0o777, 0o600);
  assert.equal(kv.get('layoutVersion'), LAYOUT_VERSION);
  assert.equal(await store.read(), text);
});

test('the text is the only copy: writes keep the schema valid and config.yml in step, comments and all', async () => {
  const root = await mkdtemp(join(dir, 'write-'));
  const kv = new MapStore();
  const store = new AppSettingsStore(kv, root);
  await store.open();
  const edited = (await store.read()).replace(':5000', ':5055') + '# ours\nproxy:\n  remoteurl: https://registry-1.docker.io\n  username: me\n  password: s3cret\n';
  await store.write(edited);
  assert.ok(validate(Object.fromEntries(kv.map)), JSON.stringify(validate.errors));
  assert.deepEqual([...kv.map.keys()].sort(), ['config', 'layoutVersion']);
  assert.equal(await store.read(), edited);
  assert.equal(await readFile(join(root, 'config.yml'), 'utf8'), edited);
});

test('a layout-1 store (settings kept twice) is folded into the text once at open: edits win, the rest of the text survives', async () => {
  const root = await mkdtemp(join(dir, 'layout1-'));
  const kv = new MapStore();
  const fresh = new AppSettingsStore(kv, root);
  const base = `${await fresh.read()}# a comment the user wrote\nproxy:\n  remoteurl: https://registry-1.docker.io\nberth:\n  proxy:\n    localnamespaces:\n      - team # ours\n`;
  const view = settingsFromConfig(parseConfig(base).config, fileDefaults(root));
  const { shareOnNetwork: _s, ...older } = view; // layout 1 had no sharing switch
  const { hasPassword: _h, ...proxy } = older.proxy;
  kv.set('config', base);
  kv.set('layoutVersion', 1);
  kv.set('settings', { ...older, port: 6000, proxy: { ...proxy, username: 'me', password: 's3cret' } });

  const store = new AppSettingsStore(kv, root);
  assert.equal(await store.read(), base, 'reading does not migrate');
  assert.ok(kv.has('settings'));
  await store.open();
  const text = await store.read();
  const { config } = parseConfig(text);
  assert.equal(config.http.addr, '127.0.0.1:6000', 'the stored port wins');
  assert.equal(config.proxy?.username, 'me');
  assert.equal(config.proxy?.password, 's3cret', 'the password kept only in the settings copy is not lost');
  assert.match(text, /# a comment the user wrote/);
  assert.match(text, /- team # ours/, 'an equal list is not rewritten');
  assert.equal(kv.has('settings'), false);
  assert.equal(kv.get('layoutVersion'), LAYOUT_VERSION);
  assert.ok(validate(Object.fromEntries(kv.map)), JSON.stringify(validate.errors));
  assert.equal(await readFile(join(root, 'config.yml'), 'utf8'), text);

  await new AppSettingsStore(kv, root).open();
  assert.equal(await store.read(), text, 'a second open changes nothing');
});

test('reading never writes: neither the store nor config.yml change however often it is read', async () => {
  const { cwd, open } = await storeDir();
  const store = new AppSettingsStore(open(), cwd);
  await store.open();
  await store.write(withProxy(await store.read()));
  const kv = open();
  const before = [await readFile(kv.path, 'utf8'), (await stat(kv.path)).mtimeMs, (await stat(join(cwd, 'config.yml'))).mtimeMs];
  const reader = new AppSettingsStore(kv, cwd, { seal: safeStoragePort(new FakeSafeStorage(), 'darwin') });
  for (let i = 0; i < 3; i++) await reader.read();
  assert.deepEqual([await readFile(kv.path, 'utf8'), (await stat(kv.path)).mtimeMs, (await stat(join(cwd, 'config.yml'))).mtimeMs], before);
});

test('the layout-1 migration of electron-store sets the preferences\' defaults', () => {
  const kv = new MapStore();
  for (const m of Object.values(appStoreMigrations)) m(kv);
  assert.equal(kv.get('layoutVersion'), 1);
  assert.deepEqual(kv.get('preferences'), { startRegistryOnLaunch: true, startAtLogin: false });
  assert.equal(validate({ config: 5 }), false);
});

test('preferences: start at login goes to the OS login item', async () => {
  const kv = new MapStore();
  let atLogin = false;
  const prefs = createPreferences(kv, { getOpenAtLogin: () => atLogin, setOpenAtLogin: (v) => { atLogin = v; } });
  assert.deepEqual(prefs.get(), { startRegistryOnLaunch: true, startAtLogin: false });
  assert.deepEqual(await prefs.update({ startAtLogin: true, startRegistryOnLaunch: false }), { startRegistryOnLaunch: false, startAtLogin: true });
  assert.equal(atLogin, true);
});


test('the store file is the user\'s alone: written 0600, and an older 0644 file is tightened when opened', async () => {
  const { open } = await storeDir();
  const kv = open();
  kv.set('preferences', { startRegistryOnLaunch: false, startAtLogin: false });
  assert.equal(await mode(kv.path), 0o600);
  await chmod(kv.path, 0o644); // as an older Berth left it
  const again = open();
  assert.equal(await mode(again.path), 0o600);
  again.set('preferences', { startRegistryOnLaunch: true, startAtLogin: false });
  assert.equal(await mode(again.path), 0o600, 'every rewrite keeps the mode');
});

test('with safeStorage the proxy password is encrypted in the store file and read back on the next launch', async () => {
  const { cwd, open } = await storeDir();
  const safe = new FakeSafeStorage();
  const warnings: string[] = [];
  const kv = open();
  const store = new AppSettingsStore(kv, cwd, { seal: safeStoragePort(safe, 'linux'), warn: (m) => warnings.push(m) });
  const yaml = withProxy(await store.read());
  await store.write(yaml);
  const file = await readFile(kv.path, 'utf8');
  assert.doesNotMatch(file, new RegExp(PASSWORD));
  assert.doesNotMatch(file, /"config":/, 'no clear copy of the config text');
  assert.ok(validate(JSON.parse(file)), JSON.stringify(validate.errors));
  assert.equal(await mode(kv.path), 0o600);
  const next = new AppSettingsStore(open(), cwd, { seal: safeStoragePort(safe, 'linux') });
  assert.equal(await next.read(), yaml);
  assert.equal(parseConfig(await next.read()).config.proxy?.password, PASSWORD);
  assert.deepEqual(warnings, []);
});

test('a store written in clear (no keyring back then) is sealed when opened with one, losing nothing', async () => {
  const { cwd, open } = await storeDir();
  const older = new AppSettingsStore(open(), cwd);
  const yaml = withProxy(await older.read()).replace('127.0.0.1:5000', '127.0.0.1:5055');
  await older.write(yaml);
  const kv = open();
  assert.match(await readFile(kv.path, 'utf8'), new RegExp(PASSWORD), 'kept in clear without a keyring');

  const safe = new FakeSafeStorage();
  const store = new AppSettingsStore(kv, cwd, { seal: safeStoragePort(safe, 'darwin') });
  assert.equal(await store.read(), yaml);
  await store.open();
  const file = await readFile(kv.path, 'utf8');
  assert.doesNotMatch(file, new RegExp(PASSWORD));
  assert.ok((JSON.parse(file) as AppStoreShape).configSealed);
  const next = new AppSettingsStore(open(), cwd, { seal: safeStoragePort(safe, 'darwin') });
  assert.equal(await next.read(), yaml);
});

test('no OS keyring (Linux "basic_text", or none at all): plain text in the 0600 file, and a warning', async () => {
  for (const [safe, platform] of [[new FakeSafeStorage('basic_text'), 'linux'], [new FakeSafeStorage('unknown', false), 'win32']] as const) {
    const { cwd, open } = await storeDir();
    const warnings: string[] = [];
    const kv = open();
    const store = new AppSettingsStore(kv, cwd, { seal: safeStoragePort(safe, platform), warn: (m) => warnings.push(m) });
    await store.write(withProxy(await store.read()));
    assert.match(await readFile(kv.path, 'utf8'), new RegExp(PASSWORD));
    assert.equal(await mode(kv.path), 0o600);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /kept unencrypted .* \(mode 0600\)/);
    assert.doesNotMatch(warnings[0]!, new RegExp(PASSWORD));
  }
});

test('a sealed store this keyring cannot open (another machine) falls back to the config.yml beside it', async () => {
  const { cwd, open } = await storeDir();
  const store = new AppSettingsStore(open(), cwd, { seal: safeStoragePort(new FakeSafeStorage(), 'linux') });
  const yaml = withProxy(await store.read());
  await store.write(yaml);
  const warnings: string[] = [];
  const moved = new AppSettingsStore(open(), cwd, { seal: safeStoragePort(new FakeSafeStorage(), 'linux'), warn: (m) => warnings.push(m) });
  assert.equal(await moved.read(), yaml);
  assert.match(warnings.join('\n'), /cannot be decrypted/);
});
