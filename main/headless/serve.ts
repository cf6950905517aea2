// `berth serve`: load the config (or the embedded default, config-source.ts), start the core
// (control/core.ts: runtime, maintenance channel, control service), and stop cleanly on
// SIGINT/SIGTERM. Startup problems are printed as one readable line and exit non-zero.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveConfigSource } from '../config/config-source';
import { defaultConfigYaml, redactConfig } from '../config/load';
import { storageLabel } from '../config/storage-label';
import type { RegistryConfig } from '../config/types';
import { createCore } from '../control/core';
import { createLogger } from '../lib/logger';
import { ConfigFileStore } from '../settings/settings-store';
import { startConsoleMode, type ConsoleAddress } from './console-mode';
import { shareHint } from './share-hint';

export interface ServeOptions {
  /** --config; when undefined, the same resolution as every other command (config-source.ts). */
  configPath: string | undefined;
  /** Serve the web console too (berth serve --console [ADDR]). */
  console?: ConsoleAddress;
}

export async function runServe(opts: ServeOptions): Promise<number> {
  let config: RegistryConfig;
  let warnings: string[] = [];
  const from = resolveConfigSource(opts.configPath);
  const { dataDir, path: configPath, label: source } = from;
  const saved = join(dataDir, 'config.yml');
  try {
    ({ config, warnings } = await from.load());
  } catch (err) {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const log = createLogger({
    level: config.log.level,
    format: config.log.formatter === 'text' ? 'text' : 'json',
    fields: config.log.fields,
  });
  for (const w of warnings) log.warn(w);

  // The file in use, or for the embedded default the file the console writes it to once it is
  // first changed (until then the store reads the default): what a reload reads again too.
  const path = configPath ?? saved;
  const settings = new ConfigFileStore({ path, ...(configPath ? {} : { fallback: () => defaultConfigYaml(dataDir) }) });
  const core = await createCore({
    settings, log, dataDir, filesDir: dirname(path), initial: { config, warnings }, env: process.env,
  });
  const { runtime } = core;
  let started = true;
  try {
    await runtime.start();
  } catch (err) {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!opts.console) return 1;
    started = false; // the console stays up so the settings can be fixed from it
  }
  const state = runtime.state;
  if (started && state.status === 'running') {
    log.info('configuration', { source, config: redactConfig(config) });
    process.stdout.write(`Berth registry listening on ${state.url} (storage: ${storageLabel(config.storage)}; config: ${source})\n`);
    if (state.debugUrl) process.stdout.write(`Health and metrics on ${state.debugUrl}/debug/health\n`);
    if (runtime.adminPath) process.stdout.write(`Maintenance channel (berth gc, fsck, users) on ${runtime.adminPath}\n`);
    const hint = shareHint(config, state.port);
    if (hint) process.stdout.write(`${hint}\n`);
  }

  let consoleMode: { close(): Promise<void> } | undefined;
  if (opts.console) {
    try {
      await mkdir(dataDir, { recursive: true });
      consoleMode = await startConsoleMode({
        address: opts.console, service: core.service, dataDir, log,
        out: (line) => process.stdout.write(line),
      });
    } catch (err) {
      process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
      await core.stop();
      return 1;
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      Promise.all([consoleMode?.close(), core.stop()]).then(() => resolve(0), (err) => {
        log.error('shutdown failed', { error: String(err) });
        resolve(1);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
