// Electron's BrowserWindow and webContents (https://www.electronjs.org/docs/latest/api/browser-window,
// .../api/web-contents), without pixels: windows exist only after 'ready'; app and web contents
// creation events fire; loadURL runs the preload (sandboxed, see sandboxed-preload.cjs), fetches
// the page and what it links to through the session's protocol handlers, then fires dom-ready,
// did-finish-load and the window's one 'ready-to-show'; closing the last window quits the app
// unless something listens to 'window-all-closed'. send() structured-clones what it carries.
'use strict';

const { EventEmitter } = require('node:events');
const { app, electronEvent } = require('./app.cjs');
const control = require('./control.cjs');
const { ipcMain } = require('./ipc-main.cjs');
const { resolveLink, session } = require('./protocol.cjs');
const { runSandboxedPreload } = require('./sandboxed-preload.cjs');

const windows = new Set();
let nextId = 1;

class WebContents extends EventEmitter {
  constructor(webPreferences) {
    super();
    this.id = nextId++;
    this.webPreferences = webPreferences;
    this.url = '';
    this.destroyed = false;
    this.windowOpenHandler = undefined;
    this.preload = undefined; // what the last preload run required and exposed
    this.rendererListeners = new EventEmitter(); // the preload's ipcRenderer.on listeners
    this.loads = []; // every document and subresource fetched: { url, status | netError, type }
    this.session = session.defaultSession;
  }
  getURL() { return this.url; }
  isDestroyed() { return this.destroyed; }
  isLoading() { return false; }
  setWindowOpenHandler(handler) { this.windowOpenHandler = handler; }

  send(channel, ...args) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const cloned = structuredClone(args);
    this.rendererListeners.emit(channel, { sender: null, senderId: 0 }, ...cloned);
    control.report('webContents.send', { webContentsId: this.id, channel, args: cloned });
  }

  /** The preload's ipcRenderer (https://www.electronjs.org/docs/latest/api/ipc-renderer). */
  ipcRenderer() {
    const listeners = this.rendererListeners;
    return {
      invoke: (channel, ...args) => ipcMain.invoke(this, this.url, channel, args),
      send: (channel, ...args) => ipcMain.emit(channel, { sender: this, senderFrame: { url: this.url }, reply: (c, ...a) => this.send(c, ...a) }, ...structuredClone(args)),
      on(channel, listener) { listeners.on(channel, listener); return this; },
      once(channel, listener) { listeners.once(channel, listener); return this; },
      removeListener(channel, listener) { listeners.removeListener(channel, listener); return this; },
      off(channel, listener) { listeners.removeListener(channel, listener); return this; },
      removeAllListeners(channel) { listeners.removeAllListeners(channel); return this; },
    };
  }

  async loadURL(url) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.emit('did-start-loading');
    const prefs = this.webPreferences;
    this.rendererListeners.removeAllListeners();
    this.preload = undefined;
    if (prefs.preload) {
      // Not sandboxed (with nodeIntegration) the preload could require anything: the stand-in
      // models only the sandbox Berth asks for, and says so.
      this.preload = prefs.sandbox === false
        ? { file: prefs.preload, required: [], exposed: {}, error: 'electron stand-in: only sandboxed preloads are modelled' }
        : runSandboxedPreload(prefs.preload, { contextIsolation: prefs.contextIsolation !== false, ipcRenderer: this.ipcRenderer() });
      if (this.preload.error) control.report('preload.error', { webContentsId: this.id, error: this.preload.error });
    }
    const doc = await this.session.protocol.fetch(url);
    this.loads.push(summary(doc));
    if (doc.netError) {
      this.emit('did-fail-load', electronEvent(), -2, doc.netError, url, true);
      throw new Error(`${doc.netError} loading '${url}'`);
    }
    this.url = doc.url;
    // What the page links to (scripts, styles, icons), fetched as Chromium would.
    const html = doc.body.toString('utf8');
    for (const [, ref] of html.matchAll(/\s(?:src|href)="([^"]+)"/g)) {
      if (ref.startsWith('data:') || ref.startsWith('#')) continue;
      let target;
      try {
        target = resolveLink(ref, this.url);
      } catch (err) {
        this.loads.push({ url: ref, netError: String(err.message) });
        continue;
      }
      this.loads.push(summary(await this.session.protocol.fetch(target)));
    }
    this.emit('dom-ready', electronEvent());
    this.emit('did-finish-load', electronEvent());
    control.report('webContents.did-finish-load', { webContentsId: this.id, url: this.url });
  }

  destroy() {
    this.destroyed = true;
    this.rendererListeners.removeAllListeners();
    this.emit('destroyed', electronEvent());
  }
}

const summary = (r) => (r.netError ? { url: r.url, netError: r.netError } : { url: r.url, status: r.status, type: r.headers['content-type'] ?? '', csp: r.headers['content-security-policy'] ?? '' });

class BrowserWindow extends EventEmitter {
  static getAllWindows() { return [...windows]; }
  static getFocusedWindow() { return [...windows].find((w) => w.focused) ?? null; }
  static fromWebContents(wc) { return [...windows].find((w) => w.webContents === wc) ?? null; }
  static fromId(id) { return [...windows].find((w) => w.id === id) ?? null; }

  constructor(options = {}) {
    super();
    if (!app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready');
    this.options = options;
    this.webContents = new WebContents({ ...(options.webPreferences ?? {}) });
    this.id = this.webContents.id;
    this.title = options.title ?? app.getName();
    this.visible = false;
    this.focused = false;
    this.minimized = false;
    this.destroyed = false;
    this.shownReady = false;
    windows.add(this);
    control.report('BrowserWindow.created', { id: this.id, options });
    app.emit('browser-window-created', electronEvent(), this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
    this.webContents.on('did-finish-load', () => this.readyToShow());
    this.webContents.on('did-fail-load', () => this.readyToShow());
    if (options.show !== false) this.show();
  }

  readyToShow() {
    if (this.shownReady || this.destroyed) return;
    this.shownReady = true;
    this.emit('ready-to-show');
  }

  loadURL(url, options) { return this.webContents.loadURL(url, options); }
  isDestroyed() { return this.destroyed; }
  isVisible() { return this.visible; }
  isFocused() { return this.focused; }
  isMinimized() { return this.minimized; }
  getTitle() { return this.title; }
  setTitle(title) { this.title = title; }
  show() {
    this.live();
    this.visible = true;
    this.minimized = false;
    this.focusOnly();
    this.emit('show');
  }
  showInactive() { this.live(); this.visible = true; this.emit('show'); }
  hide() { this.live(); this.visible = false; this.focused = false; this.emit('hide'); }
  focus() { this.live(); if (this.visible && !this.minimized) this.focusOnly(); }
  blur() { this.live(); if (this.focused) { this.focused = false; this.emit('blur'); } }
  minimize() { this.live(); this.minimized = true; this.focused = false; this.emit('minimize'); }
  restore() { this.live(); if (this.minimized) { this.minimized = false; this.visible = true; this.emit('restore'); } }

  focusOnly() {
    for (const other of windows) if (other !== this && other.focused) other.blur();
    if (!this.focused) { this.focused = true; this.emit('focus'); }
  }
  live() { if (this.destroyed) throw new TypeError('Object has been destroyed'); }

  close() {
    if (this.destroyed) return;
    const event = electronEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.focused = false;
    windows.delete(this);
    this.webContents.destroy();
    this.emit('closed');
    control.report('BrowserWindow.closed', { id: this.id });
    if (windows.size === 0 && !app.quitting && !app.exiting) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }

  /** For the test: what a user and the OS see of this window. */
  describe() {
    const wc = this.webContents;
    return {
      id: this.id, title: this.title, visible: this.visible, focused: this.focused, minimized: this.minimized,
      url: wc.url, options: this.options, loads: wc.loads,
      preload: wc.preload && { file: wc.preload.file, required: wc.preload.required, exposed: Object.keys(wc.preload.exposed), error: wc.preload.error },
    };
  }
}

app.windows = () => [...windows];

module.exports = { BrowserWindow, WebContents, windows };
