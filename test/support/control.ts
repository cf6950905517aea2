// A control service over a real runtime on a temporary folder: config.yml on disk (the
// console's ConfigFileStore), registry on a free loopback port. For the control API tests.
import { testRegistryYaml } from './registry-yaml';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArgsOf, ControlMethod, ResultOf } from '../../preload/contract';
import { parseConfig } from '../../main/config/load';
import { createControlService, type ControlService } from '../../main/control/service';
import type { SaveFilePort } from '../../main/control/types';
import type { WizardOptions } from '../../main/docker-setup/env';
import { LogRing, recordingLogger } from '../../main/lib/log-ring';
import { silentLogger } from '../../main/lib/logger';
import { createRuntime, type Runtime } from '../../main/runtime/runtime';
import { ConfigFileStore } from '../../main/settings/settings-store';
import { tempDir } from './cleanup';

export interface ControlFixture {
  dir: string;
  configPath: string;
  runtime: Runtime;
  service: ControlService;
  /** The registry's base URL while running. */
  url(): string;
  /** Calls a method and asserts success. */
  ok<M extends ControlMethod>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  close(): Promise<void>;
}

export function configYaml(dir: string, port = 0, extra = '', accessLog = false): string {
  return testRegistryYaml(dir, { port, comment: 'test registry (this comment must survive edits)', dataDir: join(dir, 'data'), extra: [extra], accessLog });
}

export async function startControl(opts: { start?: boolean; port?: number; extraYaml?: string; accessLog?: boolean; docker?: WizardOptions; saveFile?: SaveFilePort } = {}): Promise<ControlFixture> {
  const dir = await tempDir('berth-control-');
  const configPath = join(dir, 'config.yml');
  const text = configYaml(dir, opts.port ?? 0, opts.extraYaml ?? '', opts.accessLog ?? false);
  await writeFile(configPath, text);
  // Recorded as createCore records it, so logs.recent sees what the registry logged.
  const logs = new LogRing();
  const log = recordingLogger(silentLogger, logs);
  const runtime = createRuntime({ config: parseConfig(text, { source: configPath }).config, log });
  const service = createControlService({
    runtime, settings: new ConfigFileStore({ path: configPath }), filesDir: dir, log, logs,
    ...(opts.docker ? { docker: opts.docker } : {}),
    ...(opts.saveFile ? { saveFile: opts.saveFile } : {}),
  }, { addressSources: { interfaces: () => ({}), hostname: () => 'testhost' } });
  if (opts.start !== false) await runtime.start();
  return {
    dir, configPath, runtime, service,
    url: () => {
      const s = runtime.state;
      assert.equal(s.status, 'running');
      return s.status === 'running' ? `${s.tls ? 'https' : 'http'}://127.0.0.1:${s.port}` : '';
    },
    async ok(method, args) {
      const r = await service.invoke(method, args);
      if (!r.ok) assert.fail(`${method} failed: ${JSON.stringify(r.error)}`);
      return r.value;
    },
    async close() {
      service.dispose();
      await runtime.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
