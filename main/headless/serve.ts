// `berth serve`: load the config (or the embedded default), start the runtime, and stop cleanly
// on SIGINT/SIGTERM. Startup problems are printed as one readable line and exit non-zero.
import { homedir } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { defaultConfig, defaultDataDir, loadConfigFile } from '../config/load';
import { redactConfig } from '../config/load';
import type { RegistryConfig } from '../config/types';
import { createLogger } from '../lib/logger';
import { createRuntime } from '../runtime/runtime';

export interface ServeOptions { configPath: string | undefined }

export async function runServe(opts: ServeOptions): Promise<number> {
  let config: RegistryConfig;
  let source: string;
  let warnings: string[] = [];
  try {
    if (opts.configPath) {
      ({ config, warnings } = await loadConfigFile(opts.configPath, process.env));
      source = opts.configPath;
    } else {
      const dataDir = defaultDataDir(process.env, process.platform, homedir());
      ({ config, warnings } = defaultConfig(dataDir, process.env));
      source = `embedded default (data folder ${dataDir})`;
    }
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

  if (config.storage.driver === 'filesystem') {
    try {
      await mkdir(config.storage.filesystem.rootdirectory, { recursive: true });
    } catch (err) {
      process.stderr.write(`berth: cannot use storage directory ${config.storage.filesystem.rootdirectory}: ${(err as Error).message}\n`);
      return 1;
    }
  }

  const runtime = createRuntime({ config, log });
  try {
    await runtime.start();
  } catch (err) {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const state = runtime.state;
  if (state.status === 'running') {
    log.info('configuration', { source, config: redactConfig(config) });
    const storage = config.storage.driver === 'filesystem' ? config.storage.filesystem.rootdirectory : 'in memory';
    process.stdout.write(`Berth registry listening on ${state.url} (storage: ${storage}; config: ${source})\n`);
    if (state.debugUrl) process.stdout.write(`Health and metrics on ${state.debugUrl}/debug/health\n`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      runtime.stop().then(() => resolve(0), (err) => {
        log.error('shutdown failed', { error: String(err) });
        resolve(1);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
