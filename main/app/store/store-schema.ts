// electron-store's JSON schema and migrations for the desktop settings. electron-store keys
// migrations by the app's version (package.json): layout 1 shipped with Berth 0.1.0. Layout 2
// keeps only the config text (no `settings` copy); moving a layout-1 store to it needs the config
// loader and the OS keyring, so AppSettingsStore.open() does it once the app is ready.
import type { Schema } from 'electron-store';
import type { AppPreferences } from '../../../preload/contract';

export interface AppStoreShape {
  layoutVersion: number;
  /** The config.yml text, when safeStorage is unavailable (the file is 0600). */
  config?: string;
  /** The same text encrypted with safeStorage (base64): the proxy password is not in clear. */
  configSealed?: string;
  preferences: AppPreferences;
}

export const LAYOUT_VERSION = 2;
const LAYOUT_1_APP_VERSION = '0.1.0';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

export const appStoreSchema: Schema<AppStoreShape> = {
  layoutVersion: { type: 'integer', minimum: 1, default: LAYOUT_VERSION },
  config: str,
  configSealed: str,
  preferences: {
    type: 'object',
    properties: { startRegistryOnLaunch: bool, startAtLogin: bool },
    default: { startRegistryOnLaunch: true, startAtLogin: false },
  },
};

export const appStoreMigrations = {
  // Layout 1: the first. Its defaults for the preferences; the marker tells AppSettingsStore.open()
  // which layout it is looking at.
  [LAYOUT_1_APP_VERSION]: (store: { has(key: string): boolean; set(key: string, value: unknown): void }) => {
    if (!store.has('preferences')) store.set('preferences', { startRegistryOnLaunch: true, startAtLogin: false });
    store.set('layoutVersion', 1);
  },
};
