// The real electron-store behind the desktop settings (the store file is
// <userData>/berth-settings.json). Only this file and bootstrap.ts construct Electron objects.
import Store from 'electron-store';
import { appStoreMigrations, appStoreSchema, type AppStoreShape } from './store-schema';

export function openAppStore(): Store<AppStoreShape> {
  return new Store<AppStoreShape>({
    name: 'berth-settings',
    schema: appStoreSchema,
    migrations: appStoreMigrations as never,
    clearInvalidConfig: false, // a store that fails the schema is an error to show, not to wipe
  });
}
