// What Electron gives a main process of the desktop around it: Tray and Menu, nativeImage,
// dialog, shell, clipboard, safeStorage, nativeTheme and Notification, as documented
// (https://www.electronjs.org/docs/latest/api/…). Images load as Electron loads them: a path
// that is not a PNG or JPEG gives an empty image, and Tray refuses one ("Failed to load image
// from path"). safeStorage follows Chromium's Linux scheme: "v10" + AES-128-CBC under the fixed
// password of the basic_text backend (no keyring: obfuscation only), or "v11" under the
// keyring's password; the backend is BERTH_STANDIN_KEYRING (default basic_text), its password
// BERTH_STANDIN_KEYRING_SECRET.
'use strict';

const { createCipheriv, createDecipheriv, pbkdf2Sync } = require('node:crypto');
const { EventEmitter } = require('node:events');
const { readFileSync } = require('node:fs');
const { isAbsolute } = require('node:path');
const { app, electronEvent } = require('./app.cjs');
const control = require('./control.cjs');

// ---- nativeImage

class NativeImage {
  constructor(bytes, path) {
    this.bytes = bytes;
    this.path = path;
    this.size = imageSize(bytes);
  }
  isEmpty() { return this.size === undefined; }
  getSize() { return this.size ?? { width: 0, height: 0 }; }
  toPNG() { return this.bytes ?? Buffer.alloc(0); }
}

function imageSize(bytes) {
  if (!bytes || bytes.length < 24) return undefined;
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { width: 1, height: 1 }; // JPEG: size not needed here
  return undefined;
}

const nativeImage = {
  createFromPath(path) {
    if (!isAbsolute(path)) return new NativeImage(undefined, path);
    try {
      return new NativeImage(readFileSync(path), path);
    } catch {
      return new NativeImage(undefined, path);
    }
  },
  createEmpty: () => new NativeImage(undefined, undefined),
};

function toImage(image) {
  if (image instanceof NativeImage) return image;
  const loaded = nativeImage.createFromPath(String(image));
  if (loaded.isEmpty()) throw new Error(`Failed to load image from path '${image}'`);
  return loaded;
}

// ---- Menu

class MenuItem {
  constructor(options) {
    if (!options.label && !options.role && options.type !== 'separator') {
      throw new Error('Invalid template for MenuItem: must have at least one of label, role or type');
    }
    this.id = options.id;
    this.type = options.type ?? (options.submenu ? 'submenu' : 'normal');
    this.label = options.label ?? '';
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.checked = options.checked ?? false;
    this.click = options.click;
    this.submenu = options.submenu ? (options.submenu instanceof Menu ? options.submenu : Menu.buildFromTemplate(options.submenu)) : undefined;
  }
}

class Menu extends EventEmitter {
  static buildFromTemplate(template) {
    const menu = new Menu();
    for (const item of template) menu.append(item instanceof MenuItem ? item : new MenuItem(item));
    return menu;
  }
  static setApplicationMenu(menu) { Menu.applicationMenu = menu; }
  static getApplicationMenu() { return Menu.applicationMenu ?? null; }
  constructor() { super(); this.items = []; }
  append(item) { this.items.push(item); }
  getMenuItemById(id) {
    for (const item of this.items) {
      if (item.id === id) return item;
      const inner = item.submenu?.getMenuItemById(id);
      if (inner) return inner;
    }
    return null;
  }
  /** A user's click: only on an item they can see and that is enabled, as in a real menu. */
  activate(id) {
    const item = this.getMenuItemById(id);
    if (!item) throw new Error(`no menu item "${id}"`);
    if (!item.enabled || !item.visible || item.type === 'separator') throw new Error(`menu item "${id}" cannot be clicked (disabled or hidden)`);
    if (item.type === 'checkbox') item.checked = !item.checked;
    item.click?.(item, null, electronEvent());
  }
  describe() {
    return this.items.map((i) => ({ id: i.id, type: i.type, label: i.label, enabled: i.enabled, visible: i.visible, checked: i.checked }));
  }
}

// ---- Tray

const trays = new Set();

class Tray extends EventEmitter {
  constructor(image) {
    super();
    if (!app.isReady()) throw new Error('Cannot create Tray before app is ready');
    this.image = toImage(image);
    this.tooltip = '';
    this.menu = null;
    this.destroyed = false;
    this.history = []; // every tooltip, in order: what the user saw the tray say
    trays.add(this);
    control.report('Tray.created', { image: this.image.path });
  }
  setImage(image) { this.live(); this.image = toImage(image); }
  setToolTip(text) { this.live(); this.tooltip = text; this.history.push(text); }
  setTitle(title) { this.live(); this.title = title; }
  setContextMenu(menu) { this.live(); this.menu = menu; }
  isDestroyed() { return this.destroyed; }
  destroy() { this.destroyed = true; trays.delete(this); }
  live() { if (this.destroyed) throw new TypeError('Object has been destroyed'); }
  describe() {
    return { image: this.image.path, imageSize: this.image.getSize(), tooltip: this.tooltip, history: this.history, menu: this.menu?.describe() ?? [] };
  }
}

// ---- dialog, shell, clipboard

const dialog = {
  showErrorBox(title, content) {
    process.stderr.write(`${title}\n${content}\n`); // what Electron does on Linux before a display exists
    control.report('dialog.showErrorBox', { title, content });
  },
  showMessageBox(...args) {
    const options = args.find((a) => a && typeof a === 'object' && 'message' in a) ?? {};
    control.report('dialog.showMessageBox', { options });
    return Promise.resolve({ response: options.cancelId ?? 0, checkboxChecked: false });
  },
  // showSaveDialog([window, ]options): stays open until the user answers, which the test does
  // with the request 'dialog.answerSave' (before or after it opens). Resolves as Electron's does:
  // { canceled, filePath }, filePath '' when cancelled.
  showSaveDialog(...args) {
    const window = args.length > 1 ? args[0] : undefined;
    const options = args.at(-1);
    if (!options || typeof options !== 'object') return Promise.reject(new TypeError('Insufficient number of arguments.'));
    if (window !== undefined && (typeof window.isDestroyed !== 'function' || window.isDestroyed())) return Promise.reject(new TypeError('Object has been destroyed'));
    control.report('dialog.showSaveDialog', { options, modal: window !== undefined });
    return new Promise((resolve) => {
      saveDialogs.waiting.push(resolve);
      saveDialogs.settle();
    });
  },
};

/** Open save dialogs and the user's answers, matched first to first. */
const saveDialogs = {
  waiting: [],
  answers: [],
  settle() {
    while (this.waiting.length > 0 && this.answers.length > 0) {
      const a = this.answers.shift();
      this.waiting.shift()(a.canceled ? { canceled: true, filePath: '' } : { canceled: false, filePath: String(a.filePath) });
    }
  },
};

const opened = [];
const shell = {
  openExternal(url) {
    try { new URL(url); } catch { return Promise.reject(new Error(`Invalid URL: ${url}`)); }
    opened.push(url);
    control.report('shell.openExternal', { url });
    return Promise.resolve();
  },
  openPath(path) { control.report('shell.openPath', { path }); return Promise.resolve(''); },
  showItemInFolder(path) { control.report('shell.showItemInFolder', { path }); },
};

let clipboardText = '';
const clipboard = {
  writeText(text) { clipboardText = String(text); },
  readText() { return clipboardText; },
  clear() { clipboardText = ''; },
};

// ---- safeStorage

const backend = process.env.BERTH_STANDIN_KEYRING || 'basic_text';
const keyFor = (version) => pbkdf2Sync(version === 'v10' ? 'peanuts' : (process.env.BERTH_STANDIN_KEYRING_SECRET || 'stand-in keyring secret'), 'saltysalt', 1, 16, 'sha1');
const IV = Buffer.alloc(16, ' ');

const safeStorage = {
  isEncryptionAvailable: () => app.isReady(),
  getSelectedStorageBackend() {
    if (!app.isReady()) return 'unknown';
    return backend;
  },
  encryptString(plain) {
    if (!app.isReady()) throw new Error('Encryption is not available.');
    const version = backend === 'basic_text' ? 'v10' : 'v11';
    const c = createCipheriv('aes-128-cbc', keyFor(version), IV);
    return Buffer.concat([Buffer.from(version), c.update(String(plain), 'utf8'), c.final()]);
  },
  decryptString(encrypted) {
    if (!app.isReady()) throw new Error('Decryption is not available.');
    const version = encrypted.subarray(0, 3).toString('latin1');
    try {
      if (version !== 'v10' && version !== 'v11') throw new Error('unknown version');
      const d = createDecipheriv('aes-128-cbc', keyFor(version), IV);
      return Buffer.concat([d.update(encrypted.subarray(3)), d.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  },
};

// ---- nativeTheme, Notification

class NativeTheme extends EventEmitter {
  constructor() {
    super();
    this.themeSource = 'system';
    this.systemDark = process.env.BERTH_STANDIN_DARK === '1';
  }
  get shouldUseDarkColors() { return this.themeSource === 'dark' || (this.themeSource === 'system' && this.systemDark); }
  get shouldUseHighContrastColors() { return false; }
  get shouldUseInvertedColorScheme() { return false; }
  /** The OS switched its theme. */
  setSystemDark(dark) { this.systemDark = dark; this.emit('updated'); }
}
const nativeTheme = new NativeTheme();

const notifications = [];
class Notification extends EventEmitter {
  static isSupported() { return true; }
  constructor(options = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    this.body = options.body ?? '';
  }
  show() {
    if (!app.isReady()) throw new Error('Cannot show a Notification before app is ready');
    notifications.push(this);
    control.report('Notification.show', { title: this.title, body: this.body });
    this.emit('show', electronEvent());
  }
  close() { this.emit('close', electronEvent()); }
}

module.exports = {
  Menu, MenuItem, Tray, nativeImage, dialog, saveDialogs, shell, clipboard, safeStorage, nativeTheme, Notification,
  trays, opened, notifications, clipboardText: () => clipboardText,
};
