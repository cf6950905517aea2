// Small fakes of the Electron objects the app glue touches (tray, notifications, ipcMain,
// webContents, session, safeStorage), recording what the code under test did to them, and a
// clock the tests move by hand.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AppPreferences, RegistryStatus } from '../../preload/contract';
import { Emitter, type Disposable } from '../../main/lib/events';
import type { Scheduler } from '../../main/app/notifications';
import type { IpcInvokeEventLike, IpcMainPort, MenuItemModel, NotificationPort, SessionPort, TrayPort, WebContentsPort } from '../../main/app/ports';
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

export class FakeNotifications implements NotificationPort {
  shown: Array<{ title: string; body: string; click?: () => void }> = [];
  show(n: { title: string; body: string }, onClick?: () => void) { this.shown.push({ ...n, ...(onClick ? { click: onClick } : {}) }); }
  titles(): string[] { return this.shown.map((n) => n.title); }
}

/** Preferences as the app keeps them, with the change event the tray listens to. */
export class FakePreferences {
  private readonly emitter = new Emitter<AppPreferences>();
  readonly onDidChange = this.emitter.event;
  value: AppPreferences = { startRegistryOnLaunch: true, startAtLogin: false };
  refuse: Error | undefined;
  get() { return { ...this.value }; }
  async update(patch: Partial<AppPreferences>) {
    if (this.refuse) throw this.refuse;
    this.value = { ...this.value, ...patch };
    this.emitter.fire(this.get());
    return this.get();
  }
}

/** A Scheduler on a clock that moves only when advance() is called; due tasks run (and are awaited) in time order. */
export class FakeScheduler implements Scheduler {
  private tasks: Array<{ at: number; every?: number; run: () => void | Promise<void> }> = [];
  constructor(private time = Date.parse('2026-06-01T12:00:00Z')) {}
  now() { return this.time; }
  every(ms: number, run: () => Promise<void>): Disposable { return this.add({ at: this.time + ms, every: ms, run }); }
  after(ms: number, run: () => void): Disposable { return this.add({ at: this.time + ms, run }); }
  /** Tasks waiting, for checking that nothing is left behind. */
  get pending(): number { return this.tasks.length; }
  /** Moves the clock without running what fell due (a machine that slept); timers count from the new time. */
  jump(ms: number): void {
    this.time += ms;
    for (const t of this.tasks) t.at += ms;
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.tasks.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every) next.at += next.every;
      else this.tasks = this.tasks.filter((t) => t !== next);
      await next.run();
    }
    this.time = end;
  }
  private add(task: { at: number; every?: number; run: () => void | Promise<void> }): Disposable {
    this.tasks.push(task);
    return { dispose: () => { this.tasks = this.tasks.filter((t) => t !== task); } };
  }
}
