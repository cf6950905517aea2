// Desktop preferences (start the registry on launch, start Berth at login), stored with the
// settings; the login item is the OS's, so it is read back from there rather than trusted.
import type { AppPreferences } from '../../preload/contract';
import type { PreferencesPort } from '../control/types';
import type { KeyValuePort, LoginItemPort } from './ports';

export function createPreferences(kv: KeyValuePort, loginItem: LoginItemPort): PreferencesPort {
  const get = (): AppPreferences => {
    const p = (kv.get('preferences') as Partial<AppPreferences> | undefined) ?? {};
    return { startRegistryOnLaunch: p.startRegistryOnLaunch ?? true, startAtLogin: loginItem.getOpenAtLogin() };
  };
  return {
    get,
    async update(patch) {
      const next = { ...get(), ...patch };
      if (patch.startAtLogin !== undefined) loginItem.setOpenAtLogin(patch.startAtLogin);
      kv.set('preferences', next);
      return get();
    },
  };
}
