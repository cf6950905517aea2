// The desktop settings: electron-store's schema accepts what the store writes, the migration
// marks layout 1, and the config.yml generated beside it follows the stored settings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseConfig } from '../../../main/config/load';
import { createPreferences } from '../../../main/app/preferences';
import { AppSettingsStore, type StoredSettings } from '../../../main/app/settings/app-settings-store';
import { appStoreMigrations, appStoreSchema } from '../../../main/app/settings/store-schema';
import type { KeyValuePort } from '../../../main/app/ports';

const dir = await mkdtemp(join(tmpdir(), 'berth-app-store-'));
after(() => rm(dir, { recursive: true, force: true }));

class MapStore implements KeyValuePort {
  readonly map = new Map<string, unknown>();
  get(key: string) { return this.map.get(key); }
  set(key: string, value: unknown) { this.map.set(key, structuredClone(value)); }
  has(key: string) { return this.map.has(key); }
}

const validate = new Ajv({ allErrors: true, useDefaults: true }).compile({ type: 'object', properties: appStoreSchema });

test('first run: the embedded default, written as config.yml beside the store (0600)', async () => {
  const kv = new MapStore();
  const store = new AppSettingsStore(kv, dir);
  const text = await store.read();
  const { config } = parseConfig(text);
  assert.equal(config.http.addr, ':5000');
  assert.equal(config.storage.filesystem.rootdirectory, join(dir, 'registry'));
  assert.equal(await readFile(join(dir, 'config.yml'), 'utf8'), text);
  assert.equal((await stat(join(dir, 'config.yml'))).mode & 0o777, 0o600);
});

test('writes keep the schema valid and the generated file in step; stored settings win', async () => {
  const kv = new MapStore();
  const store = new AppSettingsStore(kv, dir);
  const base = await store.read();
  const edited = base.replace(':5000', ':5055') + 'proxy:\n  remoteurl: https://registry-1.docker.io\n  username: me\n  password: s3cret\n';
  await store.write(edited);
  const snapshot = Object.fromEntries(kv.map);
  assert.ok(validate(snapshot), JSON.stringify(validate.errors));
  const stored = kv.get('settings') as StoredSettings;
  assert.equal(stored.port, 5055);
  assert.equal(stored.proxy.password, 's3cret');
  assert.equal(await store.read(), edited);

  kv.set('settings', { ...stored, port: 6000 }); // e.g. a migration or a hand edit of the store
  const regenerated = parseConfig(await store.read()).config;
  assert.equal(regenerated.http.addr, ':6000');
  assert.equal(regenerated.proxy?.password, 's3cret');
});

test('the schema refuses a bad port; the layout-1 migration sets defaults', () => {
  assert.equal(validate({ settings: { port: 70000 } }), false);
  const kv = new MapStore();
  for (const m of Object.values(appStoreMigrations)) m(kv);
  assert.equal(kv.get('layoutVersion'), 1);
  assert.deepEqual(kv.get('preferences'), { startRegistryOnLaunch: true, startAtLogin: false });
});

test('preferences: start at login goes to the OS login item', async () => {
  const kv = new MapStore();
  let atLogin = false;
  const prefs = createPreferences(kv, { getOpenAtLogin: () => atLogin, setOpenAtLogin: (v) => { atLogin = v; } });
  assert.deepEqual(prefs.get(), { startRegistryOnLaunch: true, startAtLogin: false });
  assert.deepEqual(await prefs.update({ startAtLogin: true, startRegistryOnLaunch: false }), { startRegistryOnLaunch: false, startAtLogin: true });
  assert.equal(atLogin, true);
});
