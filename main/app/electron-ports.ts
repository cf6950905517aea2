// Adapters from the real Electron objects to the ports the app logic is written against.
import { dialog, Menu, Notification, type App, type BrowserWindow, type Tray } from 'electron';
import type { LoginItemPort, NotificationPort, SaveDialogPort, TrayPort } from './ports';

export function trayPort(tray: Tray): TrayPort {
  return {
    setImage: (path) => tray.setImage(path),
    setToolTip: (text) => tray.setToolTip(text),
    setMenu: (items, onClick) => tray.setContextMenu(Menu.buildFromTemplate(items.map((i) =>
      i.separator ? { type: 'separator' as const } :
      i.checked !== undefined ? { id: i.id, label: i.label, enabled: i.enabled, type: 'checkbox' as const, checked: i.checked, click: () => onClick(i.id) } :
      { id: i.id, label: i.label, enabled: i.enabled, click: () => onClick(i.id) }))),
    destroy: () => tray.destroy(),
  };
}

/** Nothing is shown where the OS has no notifications (Notification.isSupported()). */
export function notificationPort(): NotificationPort {
  // Held until closed: a notification that is garbage-collected loses its click handler.
  const shown = new Set<Notification>();
  return {
    show({ title, body }, onClick) {
      if (!Notification.isSupported()) return;
      const n = new Notification({ title, body });
      shown.add(n);
      n.on('click', () => onClick?.());
      n.on('close', () => shown.delete(n));
      n.show();
    },
  };
}

/** Started at login with --hidden: the tray comes up, the window does not. */
export function loginItemPort(app: App): LoginItemPort {
  return {
    getOpenAtLogin: () => app.getLoginItemSettings().openAtLogin,
    setOpenAtLogin: (open) => app.setLoginItemSettings({ openAtLogin: open, args: ['--hidden'] }),
  };
}

/** Modal over `window()` when it is open, so the dialog cannot end up behind it. */
export function saveDialogPort(window: () => BrowserWindow | undefined): SaveDialogPort {
  return {
    showSaveDialog: (options) => {
      const w = window();
      return w && !w.isDestroyed() ? dialog.showSaveDialog(w, options) : dialog.showSaveDialog(options);
    },
  };
}
