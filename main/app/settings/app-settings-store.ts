// The desktop app's settings: kept in electron-store (schema-validated JSON in the app's data
// folder) and turned into the registry's config.yml, which is written beside it so the same
// registry can also be run with `berth serve --config` or registry:3.
//
// Stored: `settings` (what the UI edits, validated by the store's JSON schema) and `config`, the
// config.yml text the settings are applied onto — the embedded default, or a file the user
// imported, whose keys beyond the settings (log, headers, validation…) are kept that way.
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Settings, SettingsPatch } from '../../../preload/contract';
import { defaultConfigYaml, parseConfig } from '../../config/load';
import { writeFileAtomic } from '../../lib/atomic-file';
import { applySettingsPatch } from '../../settings/apply-patch';
import { fileDefaults } from '../../settings/defaults';
import { settingsFromConfig } from '../../settings/settings-from-config';
import type { SettingsStore } from '../../settings/settings-store';
import type { KeyValuePort } from '../ports';

/** Settings as stored: the proxy password is kept (it is write-only only towards the UI). */
export type StoredSettings = Omit<Settings, 'proxy'> & { proxy: Omit<Settings['proxy'], 'hasPassword'> };

export class AppSettingsStore implements SettingsStore {
  readonly location: string;
  private written: string | undefined;

  constructor(private readonly kv: KeyValuePort, private readonly dataDir: string) {
    this.location = join(dataDir, 'config.yml');
  }

  async read(): Promise<string> {
    const base = (this.kv.get('config') as string | undefined) || defaultConfigYaml(this.dataDir);
    const stored = this.kv.get('settings') as StoredSettings | undefined;
    const text = stored ? this.applyStored(base, stored) : base;
    await this.generate(text);
    return text;
  }

  async write(yaml: string): Promise<void> {
    const { config } = parseConfig(yaml, { source: this.location });
    const s = settingsFromConfig(config, fileDefaults(this.dataDir));
    const { hasPassword: _h, ...proxy } = s.proxy;
    const stored: StoredSettings = { ...s, proxy: { ...proxy, password: config.proxy?.password ?? '' } };
    this.kv.set('config', yaml);
    this.kv.set('settings', stored);
    await this.generate(yaml);
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
  for (const key of ['port', 'dataDir', 'deleteEnabled'] as const) {
    if (stored[key] !== current[key] && !(key === 'dataDir' && !stored.dataDir)) patch[key] = stored[key];
  }
  for (const section of ['tls', 'auth', 'proxy'] as const) {
    const want = stored[section] as unknown as Record<string, unknown>;
    const have = current[section] as unknown as Record<string, unknown>;
    // The stored password is the only copy the UI does not see; compare it with the config's.
    const changed = Object.keys(want).filter((k) => k !== 'password' && want[k] !== have[k]);
    if (section === 'proxy' && want.password && want.password !== basePassword) changed.push('password');
    if (changed.length > 0) patch[section] = Object.fromEntries(changed.map((k) => [k, want[k]]));
  }
  return patch as SettingsPatch;
}
