// The desktop app's entry: single instance, app lifecycle, and the wiring of the core (runtime
// and control service, control/core.ts), IPC, window, tray and notifications. The registry
// keeps serving when the window closes; only Quit (tray menu, or the OS) stops it.
// Process-level concerns (exit, fatal dialogs) live here only.
import { app, BrowserWindow, clipboard, dialog, ipcMain, nativeTheme, protocol, safeStorage, session, shell, Tray } from 'electron';
import { homedir } from 'node:os';
import { defaultDataDir } from '../config/load';
import { createLogger } from '../lib/logger';
import { clientAddresses } from '../control/addresses';
import { createCore, type Core } from '../control/core';
import { APP_INDEX_URL } from './app-url';
import { APP_SCHEME_PRIVILEGES, serveAppProtocol } from './app-protocol';
import { loginItemPort, notificationPort, saveDialogPort, trayPort } from './electron-ports';
import { registerControlIpc } from './ipc';
import { createNotifier } from './notifications';
import { appIconPath, appPaths, trayIconPath } from './paths';
import { createPreferences } from './preferences';
import { saveFilePort } from './save-file';
import { hardenSession, hardenWebContents } from './security';
import { AppSettingsStore } from './store/app-settings-store';
import { openAppStore } from './store/electron-store';
import { safeStoragePort } from './store/safe-storage';
import { createTrayController } from './tray';
import { xdgAutostartPort } from './xdg-autostart';
import { mainWindowOptions } from './windows';

const log = createLogger({ level: 'info', format: 'text' });

export function bootstrap(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit(); // another Berth runs; it gets 'second-instance' and shows its window
    return;
  }
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.whenReady().then(start).catch((err: unknown) => {
    dialog.showErrorBox('Berth could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const paths = appPaths(__dirname, app.isPackaged, process.resourcesPath);
  const store = openAppStore(app.getPath('userData'));
  const settings = new AppSettingsStore(store, app.getPath('userData'), {
    seal: safeStoragePort(safeStorage, process.platform),
    warn: (message) => log.warn(message),
  });
  await settings.open();
  const loginItem = process.platform === 'linux'
    ? xdgAutostartPort({ env: process.env, homedir: homedir(), executable: process.env.APPIMAGE ?? process.execPath, args: app.isPackaged ? ['--hidden'] : [app.getAppPath(), '--hidden'] })
    : loginItemPort(app);
  const preferences = createPreferences(store, loginItem);
  let window: BrowserWindow | undefined;
  // The maintenance channel sits in the data folder the CLI resolves, so `berth gc` and
  // `berth users …` reach the app's registry as they reach `berth serve`.
  const core = await createCore({
    settings, log, preferences, filesDir: app.getPath('userData'),
    saveFile: saveFilePort(saveDialogPort(() => window), () => app.getPath('downloads')),
    dataDir: defaultDataDir(process.env, process.platform, homedir()),
  });
  const { runtime, service } = core;

  hardenSession(session.defaultSession);
  serveAppProtocol(session.defaultSession.protocol, paths.rendererDir);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, { openExternal: (url) => void shell.openExternal(url) }));

  const openWindow = () => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow(mainWindowOptions(paths.preload, appIconPath(paths.resourcesDir), nativeTheme.shouldUseDarkColors));
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => { window = undefined; });
    void window.loadURL(APP_INDEX_URL);
  };

  registerControlIpc({ ipcMain, service, targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents) });

  const quit = quitter(core);
  createTrayController({
    tray: trayPort(new Tray(trayIconPath(paths.resourcesDir, 'stopped', process.platform))),
    runtime,
    preferences,
    address: () => {
      const r = runtime.registry;
      return r ? clientAddresses(r.address, runtime.config.http.tls !== undefined)[0]?.hostPort : undefined;
    },
    iconPath: (icon) => trayIconPath(paths.resourcesDir, icon, process.platform),
    clipboard,
    openWindow,
    quit,
    onError: (err) => log.warn('tray action failed', { error: String(err) }),
  });
  createNotifier({
    notifications: notificationPort(),
    runtime,
    certificates: async () => {
      const r = await service.invoke('certs.get', {});
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    openWindow,
    onError: (what, err) => log.warn(`${what} failed`, { error: String(err) }),
  });

  app.on('second-instance', openWindow);
  app.on('activate', openWindow); // macOS: clicking the dock icon
  // Closing the window leaves Berth in the tray with the registry serving.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (runtime.state.status !== 'running') return;
    event.preventDefault();
    quit();
  });

  if (preferences.get().startRegistryOnLaunch) {
    runtime.start().catch((err: unknown) => log.error('registry did not start', { error: String(err) }));
  }
  const hidden = process.argv.includes('--hidden') || app.getLoginItemSettings().wasOpenedAsHidden;
  if (!hidden) openWindow();
}

/** Stops the registry (its in-flight requests drain), then quits. */
function quitter(core: Core): () => void {
  let quitting = false;
  return () => {
    if (quitting) return;
    quitting = true;
    core.stop().catch((err: unknown) => log.error('stop failed', { error: String(err) })).finally(() => app.quit());
  };
}
