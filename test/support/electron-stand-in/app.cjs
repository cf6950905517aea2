// Electron's `app` on Linux, as documented (https://www.electronjs.org/docs/latest/api/app):
// 'ready' comes after the main script has run; the single-instance lock is held by one process
// per userData folder, and a later launch hands its command line to the holder ('second-instance',
// only after 'ready') and gets false; quit() runs before-quit → close every window → will-quit
// → quit, each preventable where Electron's is; exit() ends at once without those events.
'use strict';

const { EventEmitter } = require('node:events');
const { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } = require('node:fs');
const { createConnection, createServer } = require('node:net');
const { homedir, hostname, tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const control = require('./control.cjs');

/** An Electron event: preventDefault() and defaultPrevented. */
function electronEvent() {
  const e = { defaultPrevented: false, preventDefault() { e.defaultPrevented = true; } };
  return e;
}

const userData = process.env.BERTH_STANDIN_USER_DATA;
if (!userData) throw new Error('electron stand-in: set BERTH_STANDIN_USER_DATA (what app.getPath("userData") returns)');

/** The app's folder: where its package.json is (`electron .` runs the folder's "main"). */
function appDir() {
  let dir = dirname(require.main?.filename ?? process.argv[1] ?? process.cwd());
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The app's package.json: Electron reads the app's name and version from it. */
function appPackage() {
  const dir = appDir();
  return dir ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) : { name: 'Electron', version: '0.0.0' };
}

class App extends EventEmitter {
  constructor() {
    super();
    this.ready = false;
    this.quitting = false;
    this.exiting = false;
    this.isPackaged = false; // `electron .` from a checkout, as the tests run it
    this.lock = { held: false, server: undefined };
    /** Work to finish before the process may end (a second instance's message to the first). */
    this.pending = new Set();
    this.loginItem = { openAtLogin: false };
    this.readyPromise = new Promise((resolve) => this.once('ready', () => resolve()));
    this.windows = () => []; // set by windows.cjs
  }

  get name() { const p = appPackage(); return p.productName ?? p.name; }
  getName() { return this.name; }
  getVersion() { return appPackage().version; }
  isReady() { return this.ready; }
  getAppPath() { return appDir() ?? process.cwd(); }
  whenReady() { return this.readyPromise; }

  getPath(name) {
    const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    const paths = {
      home: homedir(), appData: config, userData, downloads: join(homedir(), 'Downloads'), sessionData: userData, temp: tmpdir(), exe: process.execPath,
      module: process.execPath, logs: join(userData, 'logs'), crashDumps: join(userData, 'Crashpad'),
    };
    if (!(name in paths)) throw new Error(`Failed to get '${name}' path`);
    return paths[name];
  }

  // Login items are macOS and Windows only: on Linux Electron reports "not set" and ignores a set.
  getLoginItemSettings() {
    if (process.platform === 'linux') {
      return { openAtLogin: false, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false, restoreState: false, executableWillLaunchAtLogin: false, launchItems: [] };
    }
    return { ...this.loginItem, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false, restoreState: false, executableWillLaunchAtLogin: this.loginItem.openAtLogin, launchItems: [] };
  }
  setLoginItemSettings(settings) {
    control.report('app.setLoginItemSettings', { settings });
    if (process.platform !== 'linux') this.loginItem = { openAtLogin: Boolean(settings.openAtLogin) };
  }

  // ---- single instance: a symlink <userData>/SingletonLock → host-pid, as Chromium keeps it,
  // and a unix socket the holder listens on for later launches.

  requestSingleInstanceLock(additionalData) {
    if (this.lock.held) return true;
    mkdirSync(userData, { recursive: true });
    const lockPath = join(userData, 'SingletonLock');
    const me = `${hostname()}-${process.pid}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        symlinkSync(me, lockPath);
        this.lock.held = true;
        this.listenForSecondInstances();
        return true;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      let owner = '';
      try { owner = readlinkSync(lockPath); } catch {}
      const pid = Number(owner.slice(owner.lastIndexOf('-') + 1));
      if (owner.startsWith(`${hostname()}-`) && alive(pid)) {
        this.notifyFirstInstance(additionalData);
        return false;
      }
      try { unlinkSync(lockPath); } catch {} // left by a process that is gone
    }
    return false;
  }

  hasSingleInstanceLock() { return this.lock.held; }

  releaseSingleInstanceLock() {
    if (!this.lock.held) return;
    this.lock.held = false;
    this.lock.server?.close();
    for (const name of ['SingletonLock', 'SingletonSocket']) {
      try { unlinkSync(join(userData, name)); } catch {}
    }
  }

  listenForSecondInstances() {
    const socket = join(userData, 'SingletonSocket');
    try { unlinkSync(socket); } catch {}
    const server = createServer((conn) => {
      let text = '';
      conn.setEncoding('utf8');
      conn.on('data', (chunk) => { text += chunk; });
      conn.on('end', () => {
        conn.end();
        let message;
        try { message = JSON.parse(text); } catch { return; }
        // Documented: emitted only after 'ready'.
        void this.whenReady().then(() => {
          control.report('app.second-instance', { argv: message.argv });
          this.emit('second-instance', electronEvent(), message.argv, message.workingDirectory, message.additionalData);
        });
      });
    });
    server.listen(socket);
    server.unref();
    this.lock.server = server;
  }

  notifyFirstInstance(additionalData) {
    const socket = join(userData, 'SingletonSocket');
    const body = JSON.stringify({ argv: process.argv, workingDirectory: process.cwd(), additionalData: additionalData ?? null });
    const send = (triesLeft) => new Promise((resolve) => {
      const conn = createConnection(socket);
      conn.on('connect', () => conn.end(body));
      conn.on('close', (hadError) => (hadError && triesLeft > 0 ? setTimeout(() => send(triesLeft - 1).then(resolve), 100) : resolve()));
      conn.on('error', () => undefined);
      conn.resume();
    });
    const sent = send(20);
    this.pending.add(sent);
    void sent.then(() => this.pending.delete(sent));
  }

  // ---- lifecycle

  quit() {
    if (this.quitting || this.exiting) return;
    const before = electronEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    this.quitting = true;
    for (const win of this.windows()) {
      win.close();
      if (!win.isDestroyed()) { // its 'close' was prevented: the quit is cancelled
        this.quitting = false;
        return;
      }
    }
    const will = electronEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) {
      this.quitting = false;
      return;
    }
    this.emit('quit', electronEvent(), 0);
    void this.end(0);
  }

  exit(exitCode = 0) {
    if (this.exiting) return;
    for (const win of this.windows()) win.destroy();
    void this.end(exitCode);
  }

  /** The process ends (Electron's message loop stops), after what must get out has. */
  async end(code) {
    this.exiting = true;
    await Promise.race([Promise.all([...this.pending]), new Promise((r) => setTimeout(r, 3000))]);
    this.releaseSingleInstanceLock();
    control.report('app.exit', { code });
    await control.flush();
    process.exit(code);
  }

  /** Called once the main script has run, as Electron's 'ready' comes after it. */
  becomeReady() {
    if (this.ready || this.exiting) return;
    this.emit('will-finish-launching');
    this.ready = true;
    control.report('app.ready');
    this.emit('ready', electronEvent(), {});
  }
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const app = new App();
module.exports = { app, electronEvent };
