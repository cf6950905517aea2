// The few Electron capabilities the app logic touches, as tiny interfaces. The logic (tray, IPC,
// window hardening, preferences) is written against these and unit-tested with fakes; the
// real Electron objects are passed in by bootstrap.ts, and TypeScript checks they fit.

export interface MenuItemModel {
  id: string;
  label: string;
  enabled: boolean;
  separator?: boolean;
  /** Set on a checkbox item: whether it is ticked. */
  checked?: boolean;
}

/** A system tray icon with a context menu. */
export interface TrayPort {
  setImage(path: string): void;
  setToolTip(text: string): void;
  setMenu(items: MenuItemModel[], onClick: (id: string) => void): void;
  destroy(): void;
}

/** A system notification (Electron's Notification); a click on it calls `onClick`. */
export interface NotificationPort {
  show(n: { title: string; body: string }, onClick?: () => void): void;
}

export interface ClipboardPort {
  writeText(text: string): void;
}

/** Starting Berth when the user logs in (app.setLoginItemSettings). */
export interface LoginItemPort {
  getOpenAtLogin(): boolean;
  setOpenAtLogin(open: boolean): void;
}

/** The OS's save dialog (Electron's dialog.showSaveDialog, over the main window when it is open). */
export interface SaveDialogPort {
  showSaveDialog(options: {
    title: string;
    defaultPath: string;
    buttonLabel: string;
    filters: Array<{ name: string; extensions: string[] }>;
    properties: Array<'createDirectory' | 'showOverwriteConfirmation'>;
  }): Promise<{ canceled: boolean; filePath: string }>;
}

/** A persisted key/value store (electron-store), with dotted keys. */
export interface KeyValuePort {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/**
 * Encryption with a key the OS keeps for this user (Electron's safeStorage: Keychain, DPAPI,
 * libsecret/kwallet), for the secrets in the settings store.
 */
export interface SecretSealPort {
  /** False when the OS has no real key store (e.g. Linux without a keyring): keep plain text. */
  available(): boolean;
  /** Ciphertext as base64 (fits a JSON string). */
  seal(plain: string): string;
  /** Throws when the text cannot be decrypted (another machine or user, a reset keyring). */
  open(sealed: string): string;
}

/** What an IPC handler sees of the frame that sent a message. */
export interface SenderFrameLike {
  readonly url: string;
}

export interface IpcInvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The parts of webContents that window hardening and event delivery use. */
export interface WebContentsPort {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** The parts of a session that hardening uses. */
export interface SessionPort {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string) => boolean) | null): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}
