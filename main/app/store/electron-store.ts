// The real electron-store behind the desktop settings (the store file is
// <userData>/berth-settings.json, mode 0600). Only this file and bootstrap.ts construct Electron objects.
import Store from 'electron-store';
import { join } from 'node:path';
import type { AppStoreShape } from './store-schema';
import { appStoreOptions, restrictStoreFile } from './store-file';

const NAME = 'berth-settings';

/**
 * Opens the store in `dir` (the app's userData folder). A file that cannot be read is not wiped
 * (clearInvalidConfig: false); the error names it, since the parser's message alone does not.
 */
export function openAppStore(dir: string): Store<AppStoreShape> {
  let store: Store<AppStoreShape>;
  try {
    store = new Store<AppStoreShape>({ name: NAME, cwd: dir, ...appStoreOptions() });
  } catch (err) {
    const file = join(dir, `${NAME}.json`);
    throw new Error(`The settings file ${file} cannot be read (${err instanceof Error ? err.message : String(err)}). ` +
      'Repair it, or move it aside to start with default settings; config.yml beside it has a copy of the registry configuration.', { cause: err });
  }
  restrictStoreFile(store.path);
  return store;
}
