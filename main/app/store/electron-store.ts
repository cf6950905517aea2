// The real electron-store behind the desktop settings (the store file is
// <userData>/berth-settings.json, mode 0600). Only this file and bootstrap.ts construct Electron objects.
import Store from 'electron-store';
import type { AppStoreShape } from './store-schema';
import { appStoreOptions, restrictStoreFile } from './store-file';

export function openAppStore(): Store<AppStoreShape> {
  const store = new Store<AppStoreShape>({ name: 'berth-settings', ...appStoreOptions() });
  restrictStoreFile(store.path);
  return store;
}
