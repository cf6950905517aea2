// The core that the desktop app and `berth serve` both run: the runtime (the registry's lifecycle
// and its maintenance channel) and the control service over it, both reading the configuration
// from the one settings store the control API edits. Each face builds its own store, logger and
// way of reporting a bad configuration, then calls createCore; what the faces add on top (IPC,
// tray, web console, signals) stays with them.
import type { LoadedConfig } from '../config/load';
import type { Env } from '../config/parse';
import type { WizardOptions } from '../docker-setup/wizard';
import { LogRing, recordingLogger } from '../lib/log-ring';
import type { Logger } from '../lib/logger';
import { createRuntime, type Runtime } from '../runtime/runtime';
import type { SettingsStore } from '../settings/settings-store';
import { parseStoredConfig } from './config-access';
import { createControlService, type ControlService } from './service';
import type { PreferencesPort, SaveFilePort } from './types';

export interface CoreOptions {
  /** Where the configuration lives; the control API edits it there. */
  settings: SettingsStore;
  log: Logger;
  /**
   * The data folder the CLI resolves (config/data-dir.ts): the maintenance channel opens there,
   * so `berth gc` and `berth users …` reach this registry whichever face runs it.
   */
  dataDir: string;
  /** Folder for Berth's own files when the config names none (htpasswd, certs). */
  filesDir: string;
  /**
   * The configuration to start with, when the face has read it already (`berth serve` reads
   * its file itself, for its messages). Default: the settings store's, with its warnings logged.
   */
  initial?: LoadedConfig;
  /** REGISTRY_* overrides applied whenever the configuration is read (`berth serve`: process.env). */
  env?: Env;
  /** The desktop app's own preferences (start at login…). */
  preferences?: PreferencesPort;
  /** The desktop app's save dialog, for exports saved where the user says. */
  saveFile?: SaveFilePort;
  /** Which Docker the setup wizard edits (tests point it at a private dockerd). */
  docker?: WizardOptions;
}

export interface Core {
  runtime: Runtime;
  service: ControlService;
  /** Stops the registry (in-flight requests drain) and releases the control service. */
  stop(): Promise<void>;
}

export async function createCore(o: CoreOptions): Promise<Core> {
  // Everything the core logs is also kept, in memory, for the Logs view (logs.recent).
  const logs = new LogRing();
  const log = recordingLogger(o.log, logs);
  // The same reading at start and at each reload (`berth users …` after a change), and the same
  // the control API applies: the store's text, so a settings edit and a reload never disagree.
  const read = async () => parseStoredConfig(await o.settings.read(), o.settings, o.env);
  let initial = o.initial;
  if (!initial) {
    initial = await read();
    for (const w of initial.warnings) log.warn(w);
  }
  const runtime = createRuntime({
    config: initial.config, log,
    admin: { dataDir: o.dataDir, reloadConfig: async () => (await read()).config },
  });
  const service = createControlService({
    runtime, settings: o.settings, filesDir: o.filesDir, log, logs, env: o.env, preferences: o.preferences, saveFile: o.saveFile, docker: o.docker,
  });
  return {
    runtime,
    service,
    async stop() {
      // The service goes last, so its listeners (the window, the console) see the registry stop.
      try {
        await runtime.stop();
      } finally {
        service.dispose();
      }
    },
  };
}
