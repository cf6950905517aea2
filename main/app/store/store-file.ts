// How the desktop settings store is opened: its file holds the config text and, where the OS
// offers no keyring, the proxy password, so it is the user's alone (0600) from the first write;
// a file created by an older Berth with the default mode is tightened when it is opened. Plain
// Node (no electron) so the options can be tested with electron-store's own engine, conf.
import { chmodSync, existsSync } from 'node:fs';
import { appStoreMigrations, appStoreSchema } from './store-schema';

export const STORE_FILE_MODE = 0o600;

export function appStoreOptions() {
  return {
    schema: appStoreSchema,
    migrations: appStoreMigrations as never,
    clearInvalidConfig: false, // a store that fails the schema is an error to show, not to wipe
    configFileMode: STORE_FILE_MODE, // conf writes every version of the file with this mode
  };
}

export function restrictStoreFile(path: string): void {
  if (existsSync(path)) chmodSync(path, STORE_FILE_MODE);
}
