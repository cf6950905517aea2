// electron-store's JSON schema and migrations for the desktop settings. electron-store keys
// migrations by the app's version (package.json): layout version 1 shipped with Berth 0.1.0; a
// later layout adds `layoutVersion: 2` and a migration keyed by the app version that ships it.
import type { Schema } from 'electron-store';
import type { AppPreferences } from '../../../preload/contract';
import type { StoredSettings } from './app-settings-store';

export interface AppStoreShape {
  layoutVersion: number;
  settings?: StoredSettings;
  /** The config.yml text, when safeStorage is unavailable (the file is 0600). */
  config?: string;
  /** The same text encrypted with safeStorage (base64): the proxy password is not in clear. */
  configSealed?: string;
  preferences: AppPreferences;
}

export const LAYOUT_VERSION = 1;
const LAYOUT_1_APP_VERSION = '0.1.0';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

export const appStoreSchema: Schema<AppStoreShape> = {
  layoutVersion: { type: 'integer', minimum: 1, default: LAYOUT_VERSION },
  settings: {
    type: 'object',
    properties: {
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      shareOnNetwork: bool,
      dataDir: str,
      deleteEnabled: bool,
      tls: { type: 'object', properties: { enabled: bool, certificate: str, key: str, minimumTls: { enum: ['tls1.2', 'tls1.3'] } }, required: ['enabled', 'certificate', 'key', 'minimumTls'] },
      auth: {
        type: 'object',
        properties: { enabled: bool, realm: str, htpasswdPath: str, anonymousPull: bool, defaultRole: { enum: ['read', 'write', 'admin'] } },
        required: ['enabled', 'realm', 'htpasswdPath', 'anonymousPull', 'defaultRole'],
      },
      proxy: {
        type: 'object',
        // localNamespaces is not required: settings stored before it existed have none.
        properties: { enabled: bool, remoteUrl: str, username: str, password: str, ttl: str, allowPush: bool, localNamespaces: { type: 'array', items: str } },
        required: ['enabled', 'remoteUrl', 'username', 'password', 'ttl', 'allowPush'],
      },
    },
    required: ['port', 'dataDir', 'deleteEnabled', 'tls', 'auth', 'proxy'],
  },
  config: str,
  configSealed: str,
  preferences: {
    type: 'object',
    properties: { startRegistryOnLaunch: bool, startAtLogin: bool },
    default: { startRegistryOnLaunch: true, startAtLogin: false },
  },
};

export const appStoreMigrations = {
  // Layout 1: the first. A missing `settings` means "the embedded default", so there is
  // nothing to move; the marker lets later migrations tell layouts apart.
  [LAYOUT_1_APP_VERSION]: (store: { has(key: string): boolean; set(key: string, value: unknown): void }) => {
    if (!store.has('preferences')) store.set('preferences', { startRegistryOnLaunch: true, startAtLogin: false });
    store.set('layoutVersion', 1);
  },
};
