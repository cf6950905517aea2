// Berth as users run it headless: `node <package.json bin.berth> serve --config FILE`, reading the same
// config.yml the reference registry reads. It runs the built bundle (dist/berth.cjs), so the
// e2e tests exercise what ships, not the TypeScript sources.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './cleanup';
import { freePort, spawnProcess, waitForHttp } from './processes';
import { testRegistryYaml } from './registry-yaml';
import type { RegistryProcess, RegistryProcessOptions } from './registry-process';

/** The repository root (test/support/../..). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export async function startBerth(opts: RegistryProcessOptions = {}): Promise<RegistryProcess> {
  const entry = berthEntry();
  const bundle = join(repoRoot, 'dist', 'berth.cjs');
  for (const file of [entry, bundle]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the e2e tests`);
  }
  const work = await tempDir('berth-srv-');
  const root = opts.root ?? join(work, 'data');
  const addr = `${opts.host ?? '127.0.0.1'}:${opts.port ?? (await freePort())}`;
  const config = join(work, 'config.yml');
  await writeFile(config, testRegistryYaml(root, { dataDir: root, addr, logLevel: opts.logLevel ?? 'warn', accessLog: true, ...(opts.storage ? { storage: opts.storage } : {}), extra: opts.extraYaml ? [opts.extraYaml] : [] }));
  const args = [entry, 'serve', '--config', config];
  const [command, argv] = opts.netns ? opts.netns.exec(process.execPath, args) : [process.execPath, args];
  // Its own data folder, so the maintenance socket lives in the test's folder, not in $HOME.
  const proc = spawnProcess(`berth ${addr}`, command, argv, { cwd: repoRoot, env: { ...process.env, BERTH_DATA_DIR: join(work, 'berth-data') } });
  const url = `http://${addr}`;
  await waitForHttp(`${url}/v2/`, { proc, timeoutMs: opts.readyTimeoutMs ?? 30_000, status: opts.readyStatus ?? 200 });
  return { kind: 'berth', url, addr, root, config, proc, stop: () => proc.stop() };
}

/** The `berth` command exactly as package.json declares it (what `npm i -g` would link). */
function berthEntry(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.berth;
  if (!bin) throw new Error('package.json declares no "berth" bin entry');
  return join(repoRoot, bin);
}
