// Desktop preferences (start the registry on launch, start Berth at login), stored with the
// settings; the login item is the OS's, so it is read back from there rather than trusted.
// Changes are announced, so the tray's "Start Berth at login" tick follows the window's switch.
import type { AppPreferences } from '../../preload/contract';
import type { PreferencesPort } from '../control/types';
import { Emitter, type Event } from '../lib/events';
import type { KeyValuePort, LoginItemPort } from './ports';

export interface AppPreferencesPort extends PreferencesPort {
  readonly onDidChange: Event<AppPreferences>;
}

export function createPreferences(kv: KeyValuePort, loginItem: LoginItemPort): AppPreferencesPort {
  const changed = new Emitter<AppPreferences>();
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
      const now = get();
      changed.fire(now);
      return now;
    },
    onDidChange: changed.event,
  };
}
