// Small fakes of the Electron objects the app glue touches (tray, ipcMain, webContents,
// session, safeStorage), recording what the code under test did to them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { RegistryStatus } from '../../preload/contract';
import { Emitter } from '../../main/lib/events';
import type { IpcInvokeEventLike, IpcMainPort, MenuItemModel, SessionPort, TrayPort, WebContentsPort } from '../../main/app/ports';
import type { SafeStorageLike } from '../../main/app/store/safe-storage';

export class FakeTray implements TrayPort {
  image = '';
  tooltip = '';
  items: MenuItemModel[] = [];
  click: (id: string) => void = () => undefined;
  destroyed = false;
  setImage(path: string) { this.image = path; }
  setToolTip(text: string) { this.tooltip = text; }
  setMenu(items: MenuItemModel[], onClick: (id: string) => void) { this.items = items; this.click = onClick; }
  destroy() { this.destroyed = true; }
  item(id: string): MenuItemModel {
    const i = this.items.find((x) => x.id === id);
    if (!i) throw new Error(`no menu item ${id}`);
    return i;
  }
}

export class FakeRuntime {
  private readonly emitter = new Emitter<RegistryStatus>();
  state: RegistryStatus = { status: 'stopped' };
  readonly onDidChangeState = this.emitter.event;
  calls: string[] = [];
  set(s: RegistryStatus) { this.state = s; this.emitter.fire(s); }
  async start() { this.calls.push('start'); this.set({ status: 'starting' }); this.set(running()); }
  async stop() { this.calls.push('stop'); this.set({ status: 'stopping' }); this.set({ status: 'stopped' }); }
}

export function running(extra: Partial<Extract<RegistryStatus, { status: 'running' }>> = {}): RegistryStatus {
  return { status: 'running', url: 'http://localhost:5000', host: '::', port: 5000, tls: false, auth: false, proxy: false, ...extra };
}

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) { this.handlers.delete(channel); }
  invoke(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  }
}

type Listener = (...args: never[]) => void;

export class FakeWebContents implements WebContentsPort {
  readonly listeners = new Map<string, Listener[]>();
  openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  constructor(public url = 'berth://app/index.html') {}
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) { this.openHandler = h; }
  getURL() { return this.url; }
  send(channel: string, ...args: unknown[]) { this.sent.push({ channel, args }); }
  isDestroyed() { return this.destroyed; }
  /** Emits `event` with a fake preventable event; returns whether it was prevented. */
  emit(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { preventDefault: () => { prevented = true; } };
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(e, ...args);
    return prevented;
  }
}

export class FakeSession implements SessionPort {
  request: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  check: ((wc: unknown, permission: string) => boolean) | null = null;
  headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | undefined;
  setPermissionRequestHandler(h: typeof this.request) { this.request = h; }
  setPermissionCheckHandler(h: typeof this.check) { this.check = h; }
  webRequest = { onHeadersReceived: (l: NonNullable<FakeSession['headers']>) => { this.headers = l; } };
}

/**
 * Electron's safeStorage: real AES-256-GCM under a key of its own (the OS keyring's stand-in), so
 * ciphertext never contains the plain text; `backend` plays Linux without a keyring ("basic_text").
 */
export class FakeSafeStorage implements SafeStorageLike {
  private readonly key = randomBytes(32);
  constructor(public backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']> = 'gnome_libsecret', public encryption = true) {}
  isEncryptionAvailable() { return this.encryption; }
  getSelectedStorageBackend() { return this.backend; }
  encryptString(plain: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }
  decryptString(sealed: Buffer): string {
    const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
  }
}
