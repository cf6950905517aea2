// The configuration loader's public face: parse text, load a file, the embedded default, the
// data folder, and a log-safe copy. The steps themselves live in parse.ts and its helpers.
import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors';
import { parseConfig, type Env, type LoadedConfig } from './parse';

export { parseConfig, type Env, type LoadedConfig, type ParseOptions } from './parse';
export { defaultConfig, defaultConfigYaml } from './default-config';
export { defaultDataDir } from './data-dir';
export { redactConfig } from './redact';
export { ConfigError, type ConfigProblem } from './errors';

/** Reads and parses a config.yml file; a missing or unreadable file is a ConfigError too. */
export async function loadConfigFile(path: string, env?: Env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' :
      code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
      code === 'EISDIR' ? 'is a directory, not a file' :
      (e as Error).message;
    throw new ConfigError(path, { path: '', message: `cannot read the configuration file: ${why}` });
  }
  return parseConfig(text, { env: env ?? {}, source: path });
}
