// Debian's docker-registry (CNCF Distribution 2.8.2): the reference implementation Berth is
// compared with, and the peer that proves Berth's on-disk layout is distribution's.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './cleanup';
import { freePort, requireExecutable, spawnProcess, waitForHttp } from './processes';
import { testRegistryYaml } from './registry-yaml';
import type { RegistryProcess, RegistryProcessOptions } from './registry-process';

export async function startReferenceRegistry(opts: RegistryProcessOptions = {}): Promise<RegistryProcess> {
  const binary = requireExecutable('docker-registry', 'docker-registry');
  const work = await tempDir('berth-ref-');
  const root = opts.root ?? join(work, 'data');
  const addr = `${opts.host ?? '127.0.0.1'}:${opts.port ?? (await freePort())}`;
  const config = join(work, 'config.yml');
  await writeFile(config, testRegistryYaml(root, { dataDir: root, addr, logLevel: opts.logLevel ?? 'warn', accessLog: true, ...(opts.storage ? { storage: opts.storage } : {}), extra: opts.extraYaml ? [opts.extraYaml] : [] }));
  const [command, argv] = opts.netns ? opts.netns.exec(binary, ['serve', config]) : [binary, ['serve', config]];
  // distribution 2.8.2's s3 driver panics at start when AWS_CA_BUNDLE is set (some CI images set it).
  const { AWS_CA_BUNDLE: _caBundle, ...env } = process.env;
  const proc = spawnProcess(`docker-registry ${addr}`, command, argv, { env });
  const url = `http://${addr}`;
  await waitForHttp(`${url}/v2/`, { proc, timeoutMs: opts.readyTimeoutMs ?? 30_000, status: opts.readyStatus ?? 200 });
  return { kind: 'reference', url, addr, root, config, proc, stop: () => proc.stop() };
}
