// The tray follows the runtime live: every state change (and every change of the start-at-login
// preference) re-renders icon, tooltip and menu from trayModel(); menu clicks call back into the
// runtime, the preferences and the app.
import type { AppPreferences, RegistryStatus } from '../../preload/contract';
import type { Disposable, Event } from '../lib/events';
import type { ClipboardPort, TrayPort } from './ports';
import { trayModel, type TrayAction, type TrayIcon } from './tray-model';

export interface TrayDeps {
  tray: TrayPort;
  runtime: { readonly state: RegistryStatus; readonly onDidChangeState: Event<RegistryStatus>; start(): Promise<void>; stop(): Promise<void> };
  preferences: { get(): AppPreferences; update(patch: Partial<AppPreferences>): Promise<AppPreferences>; readonly onDidChange: Event<AppPreferences> };
  /** host:port clients use, while running. */
  address: () => string | undefined;
  iconPath: (icon: TrayIcon) => string;
  clipboard: ClipboardPort;
  openWindow: () => void;
  quit: () => void;
  onError?: (err: unknown) => void;
}

export function createTrayController(d: TrayDeps): Disposable {
  let address: string | undefined;
  let disposed = false;
  const render = () => {
    if (disposed) return;
    const state = d.runtime.state;
    address = state.status === 'running' ? d.address() : undefined;
    const model = trayModel(state, address, d.preferences.get().startAtLogin);
    d.tray.setImage(d.iconPath(model.icon));
    d.tray.setToolTip(model.tooltip);
    d.tray.setMenu(model.items, (id) => click(id as TrayAction));
  };
  const click = (id: TrayAction) => {
    const fail = (err: unknown) => d.onError?.(err);
    switch (id) {
      case 'toggle':
        (d.runtime.state.status === 'running' ? d.runtime.stop() : d.runtime.start()).catch(fail);
        break;
      case 'open':
        d.openWindow();
        break;
      case 'copy-address':
        if (address) d.clipboard.writeText(address);
        break;
      case 'copy-login':
        if (address) d.clipboard.writeText(`docker login ${address}`);
        break;
      case 'start-at-login':
        // The menu re-renders from onDidChange; a refusal re-renders the tick as it was.
        d.preferences.update({ startAtLogin: !d.preferences.get().startAtLogin }).catch((err: unknown) => { render(); fail(err); });
        break;
      case 'quit':
        d.quit();
        break;
    }
  };
  render();
  const subs = [d.runtime.onDidChangeState(render), d.preferences.onDidChange(render)];
  return {
    dispose() {
      disposed = true;
      for (const s of subs) s.dispose();
      d.tray.destroy();
    },
  };
}
