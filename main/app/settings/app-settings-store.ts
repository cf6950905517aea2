// The desktop app's settings: kept in electron-store (schema-validated JSON in the app's data
// folder) and turned into the registry's config.yml, which is written beside it so the same
// registry can also be run with `berth serve --config` or registry:3.
//
// Stored: `settings` (what the UI edits, validated by the store's JSON schema) and `config`, the
// config.yml text the settings are applied onto — the embedded default, or a file the user
// imported, whose keys beyond the settings (log, headers, validation…) are kept that way.
// Where Electron's safeStorage has a real OS key, `config` is kept encrypted as `configSealed`
// and the settings keep no copy of the proxy password, so the store file holds no secret in
// clear; elsewhere both stay plain in the 0600 file, and a warning says so.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import type { Settings, SettingsPatch } from '../../../preload/contract';
import { defaultConfigYaml, parseConfig } from '../../config/load';
import { writeFileAtomic } from '../../lib/atomic-file';
import { applySettingsPatch } from '../../settings/apply-patch';
import { fileDefaults } from '../../settings/defaults';
import { settingsFromConfig } from '../../settings/settings-from-config';
import type { SettingsStore } from '../../settings/settings-store';
import type { KeyValuePort, SecretSealPort } from '../ports';

/** Settings as stored: the proxy password is kept (it is write-only only towards the UI). */
export type StoredSettings = Omit<Settings, 'proxy'> & { proxy: Omit<Settings['proxy'], 'hasPassword'> };

export interface StoreSecrets {
  /** safeStorage; absent or unavailable: plain text in the 0600 store file. */
  seal?: SecretSealPort;
  warn?: (message: string) => void;
}

export class AppSettingsStore implements SettingsStore {
  readonly location: string;
  private written: string | undefined;
  private warnedPlain = false;

  constructor(private readonly kv: KeyValuePort, private readonly dataDir: string, private readonly secrets: StoreSecrets = {}) {
    this.location = join(dataDir, 'config.yml');
  }

  async read(): Promise<string> {
    const base = (await this.storedConfig()) || defaultConfigYaml(this.dataDir);
    const stored = this.kv.get('settings') as StoredSettings | undefined;
    const text = stored ? this.applyStored(base, stored) : base;
    if (this.sealing()) {
      // A store written in clear (an older Berth, or no keyring back then) is sealed now.
      if (this.kv.get('config') !== undefined || stored?.proxy.password) this.persist(text);
    } else if (stored?.proxy.password) {
      this.warnPlain();
    }
    await this.generate(text);
    return text;
  }

  async write(yaml: string): Promise<void> {
    this.persist(yaml);
    await this.generate(yaml);
  }

  private persist(yaml: string): void {
    const { config } = parseConfig(yaml, { source: this.location });
    const s = settingsFromConfig(config, fileDefaults(this.dataDir));
    const { hasPassword: _h, ...proxy } = s.proxy;
    const password = config.proxy?.password ?? '';
    const seal = this.sealing() ? this.secrets.seal : undefined;
    // Sealed, the password lives only inside the encrypted text; applyStored then keeps the text's.
    const stored: StoredSettings = { ...s, proxy: { ...proxy, password: seal ? '' : password } };
    if (seal) {
      this.kv.set('configSealed', seal.seal(yaml));
      this.kv.delete('config');
    } else {
      this.kv.set('config', yaml);
      this.kv.delete('configSealed');
      if (password) this.warnPlain();
    }
    this.kv.set('settings', stored);
  }

  private sealing(): boolean {
    return this.secrets.seal?.available() ?? false;
  }

  /** The config text as stored: decrypted, or (when the OS key is gone) the generated config.yml. */
  private async storedConfig(): Promise<string | undefined> {
    const sealed = this.kv.get('configSealed');
    if (typeof sealed !== 'string') return this.kv.get('config') as string | undefined;
    if (this.sealing()) {
      try {
        return this.secrets.seal!.open(sealed);
      } catch {}
    }
    // Another machine, another user, a reset keyring: the config.yml written beside the store
    // holds the same text (it is regenerated on every change), so nothing is lost.
    this.secrets.warn?.(`The saved settings cannot be decrypted with this system's keyring; using ${this.location} instead.`);
    return readFile(this.location, 'utf8').catch(() => undefined);
  }

  private warnPlain(): void {
    if (this.warnedPlain) return;
    this.warnedPlain = true;
    this.secrets.warn?.('No system keyring is available to encrypt the proxy password: it is kept unencrypted in the settings store, readable only by this user (mode 0600).');
  }

  /** Writes config.yml beside the store when it changed (0600: it may hold the proxy password). */
  private async generate(text: string): Promise<void> {
    if (text === this.written) return;
    await writeFileAtomic(this.location, text, 0o600);
    this.written = text;
  }

  /** The stored settings win over the same keys in the base text (a hand-edited store, a migration). */
  private applyStored(base: string, stored: StoredSettings): string {
    const config = parseConfig(base, { source: this.location }).config;
    const current = settingsFromConfig(config, fileDefaults(this.dataDir));
    const patch = differences(stored, current, config.proxy?.password ?? '');
    if (Object.keys(patch).length === 0) return base;
    const doc = parseDocument(base);
    applySettingsPatch(doc, patch, current);
    return doc.toString();
  }
}

/** Only what differs, so the base text is left exactly as it was where the settings agree. */
function differences(stored: StoredSettings, current: Settings, basePassword: string): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const key of ['port', 'shareOnNetwork', 'dataDir', 'deleteEnabled'] as const) {
    // Settings stored before sharing was a switch have no shareOnNetwork: the base text decides.
    if (stored[key] === undefined) continue;
    if (stored[key] !== current[key] && !(key === 'dataDir' && !stored.dataDir)) patch[key] = stored[key];
  }
  for (const section of ['tls', 'auth', 'proxy'] as const) {
    const want = stored[section] as unknown as Record<string, unknown>;
    const have = current[section] as unknown as Record<string, unknown>;
    // The stored password is the only copy the UI does not see; compare it with the config's.
    // Deep equality: lists (proxy.localNamespaces) are equal by content, not identity.
    const changed = Object.keys(want).filter((k) => k !== 'password' && !isDeepStrictEqual(want[k], have[k]));
    if (section === 'proxy' && want.password && want.password !== basePassword) changed.push('password');
    if (changed.length > 0) patch[section] = Object.fromEntries(changed.map((k) => [k, want[k]]));
  }
  return patch as SettingsPatch;
}
