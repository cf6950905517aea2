// What the tray shows for a runtime state: icon, tooltip and menu, as plain data. tray.ts applies
// it to the real Tray; tests check this function and the controller with a fake tray.
import type { RegistryStatus } from '../../preload/contract';
import type { MenuItemModel } from './ports';

export type TrayIcon = 'running' | 'stopped' | 'starting' | 'error';

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  items: MenuItemModel[];
}

export const TRAY_ACTIONS = ['toggle', 'open', 'copy-address', 'copy-login', 'start-at-login', 'quit'] as const;
export type TrayAction = (typeof TRAY_ACTIONS)[number];

/**
 * `address` is host:port as clients use it (the first client address), when running;
 * `startAtLogin` is the preference the menu's checkbox shows.
 */
export function trayModel(state: RegistryStatus, address: string | undefined, startAtLogin: boolean): TrayModel {
  const running = state.status === 'running';
  const busy = state.status === 'starting' || state.status === 'stopping';
  const icon: TrayIcon = running ? 'running' : busy ? 'starting' : state.status === 'failed' ? 'error' : 'stopped';
  const where = running ? address ?? `localhost:${state.port}` : undefined;
  const summary =
    running ? `Running at ${where}${state.tls ? ' (TLS)' : ''}` :
    state.status === 'starting' ? 'Starting…' :
    state.status === 'stopping' ? 'Stopping…' :
    state.status === 'failed' ? `Error: ${truncate(state.error, 90)}` : 'Stopped';
  const sep = (id: string): MenuItemModel => ({ id, label: '', enabled: false, separator: true });
  return {
    icon,
    tooltip: `Berth — ${summary}`,
    items: [
      { id: 'status', label: summary, enabled: false },
      sep('sep-1'),
      { id: 'toggle', label: running ? 'Stop registry' : 'Start registry', enabled: !busy },
      { id: 'open', label: 'Open Berth', enabled: true },
      { id: 'copy-address', label: where ? `Copy address ${where}` : 'Copy registry address', enabled: running },
      { id: 'copy-login', label: 'Copy `docker login …`', enabled: running },
      sep('sep-2'),
      { id: 'start-at-login', label: 'Start Berth at login', enabled: true, checked: startAtLogin },
      sep('sep-3'),
      { id: 'quit', label: 'Quit Berth', enabled: true },
    ],
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
