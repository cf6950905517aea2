// An in-process Berth registry on a temporary directory and a free loopback port, for
// integration tests: real HTTP, real files, nothing mocked.
import { testRegistryYaml } from './registry-yaml';
import { rm } from 'node:fs/promises';
import { parseConfig } from '../../main/config/load';
import type { RegistryConfig } from '../../main/config/types';
import { silentLogger } from '../../main/lib/logger';
import type { AccessController } from '../../main/registry/auth/access';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { tempDir } from './cleanup';

export interface TestRegistry {
  url: string;
  root: string;
  config: RegistryConfig;
  registry: RunningRegistry;
  stop(): Promise<void>;
  /** Stops and starts again on the same root and port (restart survival tests). */
  restart(): Promise<void>;
}

/** `extraYaml` is appended to a minimal config; top-level keys given there must not repeat. */
export async function startTestRegistry(opts: { yaml?: (root: string) => string; deleteEnabled?: boolean; access?: AccessController } = {}): Promise<TestRegistry> {
  const root = await tempDir('berth-it-');
  const yaml = opts.yaml?.(root) ?? testRegistryYaml(root, { deleteEnabled: opts.deleteEnabled ?? true });
  const { config } = parseConfig(yaml, { env: {}, source: 'test' });
  const access = opts.access ? { access: opts.access } : {};
  let registry = await startRegistry({ config, log: silentLogger, ...access });
  const port = registry.address.port;
  const t: TestRegistry = {
    url: `http://127.0.0.1:${port}`,
    root,
    config,
    get registry() { return registry; },
    async stop() {
      await registry.stop();
      await rm(root, { recursive: true, force: true });
    },
    async restart() {
      await registry.stop();
      const again = { ...config, http: { ...config.http, addr: `127.0.0.1:${port}` } };
      registry = await startRegistry({ config: again, log: silentLogger, ...access });
    },
  };
  return t;
}
