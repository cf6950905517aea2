// The tray follows the runtime live: every state change re-renders icon, tooltip and menu from
// trayModel(); menu clicks call back into the runtime and the app.
import type { RegistryStatus } from '../../preload/contract';
import type { Disposable, Event } from '../lib/events';
import type { ClipboardPort, TrayPort } from './ports';
import { trayModel, type TrayAction, type TrayIcon } from './tray-model';

export interface TrayDeps {
  tray: TrayPort;
  runtime: { readonly state: RegistryStatus; readonly onDidChangeState: Event<RegistryStatus>; start(): Promise<void>; stop(): Promise<void> };
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
  const render = (state: RegistryStatus) => {
    address = state.status === 'running' ? d.address() : undefined;
    const model = trayModel(state, address);
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
      case 'quit':
        d.quit();
        break;
    }
  };
  render(d.runtime.state);
  const sub = d.runtime.onDidChangeState(render);
  return {
    dispose() {
      sub.dispose();
      d.tray.destroy();
    },
  };
}
