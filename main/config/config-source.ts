// Which configuration `berth serve` uses, written once so every command (gc, fsck, users …)
// reads the same one and so finds the same server: --config FILE, else
// $REGISTRY_CONFIGURATION_PATH, else `<data folder>/config.yml` when it exists (where the
// console writes the embedded default once it is first changed), else the embedded default.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from './data-dir';
import { defaultConfig } from './default-config';
import { loadConfigFile, type LoadedConfig } from './load';

export interface ConfigSource {
  /** The file in use; undefined for the embedded default. */
  path: string | undefined;
  /** The data folder ($BERTH_DATA_DIR or the platform's): the default's storage, the maintenance socket. */
  dataDir: string;
  /** For messages: the file, or the embedded default and its data folder. */
  label: string;
  /** Reads (again) and parses the configuration. */
  load(): Promise<LoadedConfig>;
}

export function resolveConfigSource(explicit: string | undefined): ConfigSource {
  const env = process.env;
  const dataDir = defaultDataDir(env, process.platform, homedir());
  const saved = join(dataDir, 'config.yml');
  const path = explicit || env.REGISTRY_CONFIGURATION_PATH || (existsSync(saved) ? saved : undefined);
  if (path) return { path, dataDir, label: path, load: () => loadConfigFile(path, env) };
  return { path: undefined, dataDir, label: `embedded default (data folder ${dataDir})`, load: async () => defaultConfig(dataDir, env) };
}
