// The desktop app's settings: the registry's config.yml text, kept in electron-store (a 0600 JSON
// file in the app's data folder) and written out as config.yml beside it, so the same registry can
// also be run with `berth serve --config` or registry:3. The text is the only copy: what the window
// shows is read from it (settings-from-config.ts), edits are applied onto it (apply-patch.ts).
//
// Where Electron's safeStorage has a real OS key, the text is kept encrypted as `configSealed`,
// so the store file holds no secret (the proxy password) in clear; elsewhere it stays plain as
// `config` in the 0600 file, and a warning says so.
//
// Reading never writes. `open()`, once at start, brings an older store to this layout (see
// migrate-layout-1.ts), seals a clear text when a keyring has become available, and writes
// config.yml beside the store.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultConfigYaml } from '../../config/load';
import { writeFileAtomic } from '../../lib/atomic-file';
import type { SettingsStore } from '../../settings/settings-store';
import type { KeyValuePort, SecretSealPort } from '../ports';
import { LAYOUT_VERSION } from './store-schema';
import { hasLayout1Settings, layout1Text } from './migrate-layout-1';

export interface StoreSecrets {
  /** safeStorage; absent or unavailable: plain text in the 0600 store file. */
  seal?: SecretSealPort;
  warn?: (message: string) => void;
}

export class AppSettingsStore implements SettingsStore {
  readonly location: string;
  private warnedPlain = false;

  constructor(private readonly kv: KeyValuePort, private readonly dataDir: string, private readonly secrets: StoreSecrets = {}) {
    this.location = join(dataDir, 'config.yml');
  }

  /** Once at start, before the first read: the store in the current layout, config.yml beside it. */
  async open(): Promise<void> {
    const stored = await this.storedText();
    let text = stored ?? defaultConfigYaml(this.dataDir);
    if (hasLayout1Settings(this.kv)) {
      text = layout1Text(this.kv.get('settings'), text, this.location, this.dataDir);
      this.keep(text);
      this.kv.delete('settings');
    } else if (stored !== undefined && this.sealing() && this.kv.get('config') !== undefined) {
      this.keep(text); // written in clear by an older Berth, or before a keyring was available
    } else if (stored !== undefined && !this.sealing() && /^\s*password:/m.test(text)) {
      this.warnPlain();
    }
    this.kv.set('layoutVersion', LAYOUT_VERSION);
    await this.writeBeside(text);
  }

  async read(): Promise<string> {
    return (await this.storedText()) ?? defaultConfigYaml(this.dataDir);
  }

  async write(yaml: string): Promise<void> {
    this.keep(yaml);
    await this.writeBeside(yaml);
  }

  private keep(yaml: string): void {
    if (this.sealing()) {
      this.kv.set('configSealed', this.secrets.seal!.seal(yaml));
      this.kv.delete('config');
    } else {
      this.kv.set('config', yaml);
      this.kv.delete('configSealed');
      if (/^\s*password:/m.test(yaml)) this.warnPlain();
    }
  }

  private sealing(): boolean {
    return this.secrets.seal?.available() ?? false;
  }

  /** The text as stored, decrypted; or (when the OS key is gone) the config.yml beside the store. */
  private async storedText(): Promise<string | undefined> {
    const sealed = this.kv.get('configSealed');
    if (typeof sealed !== 'string') return this.kv.get('config') as string | undefined;
    if (this.sealing()) {
      try {
        return this.secrets.seal!.open(sealed);
      } catch {}
    }
    // Another machine, another user, a reset keyring: the config.yml written beside the store
    // holds the same text (it is rewritten on every change), so nothing is lost.
    this.secrets.warn?.(`The saved settings cannot be decrypted with this system's keyring; using ${this.location} instead.`);
    return readFile(this.location, 'utf8').catch(() => undefined);
  }

  private warnPlain(): void {
    if (this.warnedPlain) return;
    this.warnedPlain = true;
    this.secrets.warn?.('No system keyring is available to encrypt the proxy password: it is kept unencrypted in the settings store, readable only by this user (mode 0600).');
  }

  /** config.yml beside the store (0600: it may hold the proxy password). */
  private async writeBeside(text: string): Promise<void> {
    await writeFileAtomic(this.location, text, 0o600);
  }
}
