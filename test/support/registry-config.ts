// The one config shape both registries are started with in e2e tests: distribution's
// config.yml (version 0.1), which /usr/bin/docker-registry (2.8.2) and `berth serve` both read.
// Only keys from the shared contract appear, since Berth rejects unknown keys.
import { writeFile } from 'node:fs/promises';

export interface RegistryConfigOptions {
  /** storage.filesystem.rootdirectory; the same directory may be served by either registry. */
  root: string;
  /** http.addr, e.g. 127.0.0.1:5000 (loopback only). */
  addr: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** More top-level YAML appended as is (e.g. an `auth:` section); keys must not repeat. */
  extraYaml?: string;
}

export function registryConfigYaml(o: RegistryConfigOptions): string {
  return [
    'version: 0.1',
    'log:',
    `  level: ${o.logLevel ?? 'warn'}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(o.root)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${JSON.stringify(o.addr)}`,
    ...(o.extraYaml ? [o.extraYaml.replace(/\n*$/, '')] : []),
    '',
  ].join('\n');
}

export async function writeRegistryConfig(file: string, o: RegistryConfigOptions): Promise<void> {
  await writeFile(file, registryConfigYaml(o));
}
