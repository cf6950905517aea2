// A stand-in for the `electron` module of a main process, for running a built Electron main
// bundle under plain Node where Electron's binary cannot be downloaded. It models the API Berth
// uses with Electron's documented behaviour (see each file), records what the app did, and
// answers the test over the child-process IPC channel (control.cjs). Loaded through register.cjs.
'use strict';

const { app } = require('./app.cjs');
const control = require('./control.cjs');
const shellParts = require('./desktop-shell.cjs');
const { ipcMain } = require('./ipc-main.cjs');
const { privileged, protocol, session, currentSession } = require('./protocol.cjs');
const { BrowserWindow, windows } = require('./windows.cjs');

const { Menu, MenuItem, Tray, nativeImage, dialog, shell, clipboard, safeStorage, nativeTheme, Notification } = shellParts;

// ---- the process, as Electron runs it

// 'ready' comes once the main script has run (Electron's startup finishes after it).
setImmediate(() => setTimeout(() => app.becomeReady(), 20));
// Electron's message loop keeps the process alive until the app quits or exits.
setInterval(() => undefined, 1 << 30);
// A JavaScript error in the main process: Electron shows it in a dialog and keeps running.
process.on('uncaughtException', (err) => {
  dialog.showErrorBox('A JavaScript error occurred in the main process', `Uncaught Exception:\n${err?.stack ?? err}`);
  control.report('process.uncaughtException', { error: String(err?.stack ?? err) });
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`(electron stand-in) unhandled rejection: ${reason?.stack ?? reason}\n`);
  control.report('process.unhandledRejection', { error: String(reason?.stack ?? reason) });
});
// SIGINT/SIGTERM quit the app the way app.quit() does.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.quit());
// The test went away: quit, and do not outlive it.
process.on('disconnect', () => {
  app.quit();
  setTimeout(() => process.exit(1), 15_000).unref();
});

// ---- requests from the test

const windowById = (id) => {
  const win = id === undefined ? [...windows][0] : BrowserWindow.fromId(id);
  if (!win) throw new Error(id === undefined ? 'no window is open' : `no window ${id}`);
  return win;
};
const tray = () => {
  const t = [...shellParts.trays][0];
  if (!t) throw new Error('no tray icon was created');
  return t;
};

control.onRequest('state', () => ({
  pid: process.pid,
  ready: app.isReady(),
  singleInstanceLock: app.hasSingleInstanceLock(),
  privilegedSchemes: Object.fromEntries(privileged),
  handledSchemes: currentSession() ? [...currentSession().protocol.handlers.keys()] : [],
  permissionHandlers: currentSession() ? { request: currentSession().permissionRequestHandler !== null, check: currentSession().permissionCheckHandler !== null } : undefined,
  ipcChannels: [...ipcMain.handlers.keys()],
  windows: BrowserWindow.getAllWindows().map((w) => w.describe()),
  trays: [...shellParts.trays].map((t) => t.describe()),
  clipboard: clipboard.readText(),
  openedExternal: shellParts.opened,
  notifications: shellParts.notifications.map((n) => ({ title: n.title, body: n.body })),
}));

control.onRequest('protocol.fetch', async ({ url, method, headers }) => {
  const r = await session.defaultSession.protocol.fetch(url, { method, headers });
  return r.body ? { ...r, body: r.body.toString('base64') } : r;
});

/** ipcRenderer.invoke as a frame showing `frameUrl` in window `windowId` sends it. */
control.onRequest('ipc.invoke', ({ windowId, frameUrl, channel, args }) =>
  ipcMain.invoke(windowById(windowId).webContents, frameUrl === undefined ? windowById(windowId).webContents.getURL() : frameUrl, channel, args ?? []));

/** A call through what the window's preload exposed (window[key].method(...args)). */
control.onRequest('preload.call', async ({ windowId, key, method, args }) => {
  const exposed = windowById(windowId).webContents.preload?.exposed ?? {};
  if (!exposed[key] || typeof exposed[key][method] !== 'function') throw new Error(`the preload exposed no ${key}.${method}`);
  return exposed[key][method](...(args ?? []));
});

/** Listens through the preload's event subscription; answers with what arrived within `ms`. */
control.onRequest('preload.listen', async ({ windowId, key, method, ms }) => {
  const seen = [];
  const stop = windowById(windowId).webContents.preload.exposed[key][method]((payload) => seen.push(payload));
  await new Promise((r) => setTimeout(r, ms));
  stop();
  return seen;
});

control.onRequest('tray.click', ({ id }) => {
  const t = tray();
  if (!t.menu) throw new Error('the tray has no context menu');
  t.menu.activate(id);
  return t.describe();
});

control.onRequest('window', ({ id, action }) => {
  const win = windowById(id);
  if (!['minimize', 'hide', 'close', 'blur', 'show'].includes(action)) throw new Error(`unknown window action ${action}`);
  win[action]();
  return win.isDestroyed() ? { id, destroyed: true } : win.describe();
});

/** Emits a navigation event on a window's contents; says whether the app prevented it. */
control.onRequest('webContents.will-navigate', ({ id, url }) => {
  let prevented = false;
  windowById(id).webContents.emit('will-navigate', { preventDefault: () => { prevented = true; } }, url);
  return { prevented };
});
control.onRequest('webContents.window-open', ({ id, url }) => {
  const handler = windowById(id).webContents.windowOpenHandler;
  return handler ? handler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } }) : { action: 'allow' };
});
control.onRequest('session.permission', ({ permission }) => session.defaultSession.requestPermission(windowById().webContents, permission));
/** The user clicks a notification (the last one shown, or the one at `index`). */
control.onRequest('notification.click', ({ index }) => {
  const n = shellParts.notifications.at(index ?? -1);
  if (!n) throw new Error('no notification was shown');
  n.emit('click', {});
  return { title: n.title, body: n.body };
});
control.onRequest('nativeTheme.setSystemDark', ({ dark }) => { nativeTheme.setSystemDark(Boolean(dark)); return nativeTheme.shouldUseDarkColors; });
/** The user's answer to the next save dialog: { filePath } (a path they typed) or { canceled: true }. */
control.onRequest('dialog.answerSave', ({ filePath, canceled }) => {
  if (!canceled && typeof filePath !== 'string') throw new Error('answer a save dialog with a filePath or canceled');
  shellParts.saveDialogs.answers.push({ filePath, canceled: Boolean(canceled) });
  shellParts.saveDialogs.settle();
  return true;
});
control.onRequest('app.quit', () => { app.quit(); return true; });
control.onRequest('app.emit', ({ event }) => { app.emit(event, {}); return true; });

module.exports = {
  app, BrowserWindow, ipcMain, protocol, session, Tray, Menu, MenuItem, nativeImage, dialog, shell, clipboard, safeStorage, nativeTheme, Notification,
};
