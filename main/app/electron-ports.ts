// Adapters from the real Electron objects to the ports the app logic is written against.
import { Menu, type App, type Tray } from 'electron';
import type { LoginItemPort, TrayPort } from './ports';

export function trayPort(tray: Tray): TrayPort {
  return {
    setImage: (path) => tray.setImage(path),
    setToolTip: (text) => tray.setToolTip(text),
    setMenu: (items, onClick) => tray.setContextMenu(Menu.buildFromTemplate(items.map((i) =>
      i.separator ? { type: 'separator' as const } : { id: i.id, label: i.label, enabled: i.enabled, click: () => onClick(i.id) }))),
    destroy: () => tray.destroy(),
  };
}

/** Started at login with --hidden: the tray comes up, the window does not. */
export function loginItemPort(app: App): LoginItemPort {
  return {
    getOpenAtLogin: () => app.getLoginItemSettings().openAtLogin,
    setOpenAtLogin: (open) => app.setLoginItemSettings({ openAtLogin: open, args: ['--hidden'] }),
  };
}
