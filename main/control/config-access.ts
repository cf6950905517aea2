// The control API's one way to read and change the registry configuration: read the store's
// config.yml, edit it as a YAML document, validate it with parseConfig, write it back and hand
// it to the runtime. Changes are serialised, and a change the registry cannot start with is
// rolled back so a wrong port never leaves the user without a registry.
import { parseDocument, type Document } from 'yaml';
import { parseConfig, type Env, type LoadedConfig } from '../config/load';
import type { RegistryConfig } from '../config/types';
import { KeyedLock } from '../lib/keyed-lock';
import { fileDefaults, type FileDefaults } from '../settings/defaults';
import type { SettingsStore } from '../settings/settings-store';
import { ControlFailure } from './errors';
import type { ControlDeps } from './types';

/** The configuration a settings store's text stands for, with the REGISTRY_* overrides of `env`. */
export function parseStoredConfig(text: string, settings: Pick<SettingsStore, 'location'>, env: Env = {}): LoadedConfig {
  return parseConfig(text, { env, source: settings.location });
}

export interface Applied {
  config: RegistryConfig;
  changed: boolean;
  restarted: boolean;
  reasons: string[];
}

export class ConfigAccess {
  readonly defaults: FileDefaults;
  private readonly lock = new KeyedLock();

  constructor(private readonly deps: ControlDeps) {
    this.defaults = fileDefaults(deps.filesDir);
  }

  async load(): Promise<{ text: string; config: RegistryConfig }> {
    const text = await this.deps.settings.read();
    return { text, config: this.parse(text) };
  }

  parse(text: string): RegistryConfig {
    return parseStoredConfig(text, this.deps.settings, this.deps.env).config;
  }

  /** Edits the document, then applies it like `replace`. `edit` may throw to refuse. */
  edit(edit: (doc: Document.Parsed, config: RegistryConfig) => Promise<void> | void): Promise<Applied> {
    return this.lock.run('config', async () => {
      const { text, config } = await this.load();
      const doc = parseDocument(text);
      await edit(doc, config);
      return this.apply(text, doc.toString());
    });
  }

  /** Replaces the whole configuration (import). */
  replace(yaml: string): Promise<Applied> {
    return this.lock.run('config', async () => this.apply(await this.deps.settings.read(), yaml));
  }

  private async apply(prevText: string, nextText: string): Promise<Applied> {
    const { runtime, settings } = this.deps;
    const next = this.parse(nextText); // throws ConfigError before anything changes
    if (nextText === prevText) return { config: next, changed: false, restarted: false, reasons: [] };
    const prev = runtime.config;
    const wasRunning = runtime.state.status === 'running';
    await settings.write(nextText);
    try {
      const { restarted, reasons } = await runtime.reconfigure(next);
      return { config: next, changed: true, restarted, reasons };
    } catch (err) {
      // The registry would not start with the new settings: put the old ones back.
      await settings.write(prevText);
      await runtime.reconfigure(prev).catch(() => undefined); // the listener is down: this only sets the config
      if (wasRunning) await runtime.start().catch(() => undefined);
      const why = err instanceof Error ? err.message : String(err);
      throw new ControlFailure('UNAVAILABLE', `The registry could not start with these settings (${why}); the previous settings were restored.`);
    }
  }
}
