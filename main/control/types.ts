// What the control service is built from, and the shape every domain file implements.
import type { AppPreferences, ArgsOf, ControlMethod, ResultOf } from '../../preload/contract';
import type { Env } from '../config/parse';
import type { LogRing } from '../lib/log-ring';
import type { Logger } from '../lib/logger';
import type { Runtime } from '../runtime/runtime';
import type { SettingsStore } from '../settings/settings-store';
import type { WizardOptions } from '../docker-setup/wizard';

/** Desktop-only preferences (electron-store + login item); absent in console mode. */
export interface PreferencesPort {
  get(): AppPreferences;
  update(patch: Partial<AppPreferences>): Promise<AppPreferences>;
}

/**
 * Desktop-only: a file the user names in the OS's save dialog (archives.exportToFile); absent in
 * console mode. The path comes from the dialog alone, never from the window's arguments.
 */
export interface SaveFilePort {
  /** The absolute path chosen, or undefined when the user cancelled. */
  choosePath(o: { defaultName: string }): Promise<string | undefined>;
}

export interface ControlDeps {
  runtime: Runtime;
  settings: SettingsStore;
  /** Folder for Berth's own files when the config does not name them (htpasswd, certs). */
  filesDir: string;
  log: Logger;
  /** What `log` (and the runtime's logger) recorded lately, for logs.recent. */
  logs: LogRing;
  /** REGISTRY_* overrides applied whenever the config is re-read (headless passes process.env). */
  env?: Env;
  preferences?: PreferencesPort;
  saveFile?: SaveFilePort;
  /** Options of the Docker setup wizard (tests point it at a private dockerd). */
  docker?: WizardOptions;
}

export type Handlers<P extends string> = { [M in Extract<ControlMethod, `${P}.${string}`>]: (args: ArgsOf<M>) => Promise<ResultOf<M>> };
