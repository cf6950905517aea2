// `berth gc` and `berth fsck` as a user runs them: online through the serving registry's
// maintenance channel (a unix socket in the data folder; the config has no http.debug at all),
// offline on the storage when nothing serves, refused when something else listens on the
// registry's address. Without --config they use what `berth serve` would (the embedded default
// in $BERTH_DATA_DIR). A negative --grace is refused. Output and exit codes are checked.
import { testRegistryYaml } from '../support/registry-yaml';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { silentLogger } from '../../main/lib/logger';
import { createRuntime, type Runtime } from '../../main/runtime/runtime';
import { hexOf, pushBlob, pushImage, sha256 } from '../support/oci';
import { freePort, runCommand, spawnProcess, waitForHttp } from '../support/processes';
import { tempDir } from '../support/cleanup';

const CLI = join(import.meta.dirname, '../../main/headless/cli.ts');

const berthWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  runCommand(process.execPath, ['--import', 'tsx', CLI, ...args], { check: false, timeoutMs: 60_000, env: { ...process.env, ...env } });

describe('berth gc and berth fsck', () => {
  let root: string;
  let dataDir: string;
  let file: string;
  let apiPort: number;
  let runtime: Runtime | undefined;
  let url: string;
  const berth = (...args: string[]) => berthWith({ BERTH_DATA_DIR: dataDir, REGISTRY_CONFIGURATION_PATH: '' }, ...args);
  before(async () => {
    root = await tempDir('berth-cli-gc-');
    dataDir = join(root, 'berth-data');
    apiPort = await freePort();
    // No http.debug: online maintenance must not depend on it.
    const text = testRegistryYaml(root, { port: apiPort }) + '\n';
    file = join(root, 'config.yml');
    await writeFile(file, text);
    runtime = createRuntime({ config: parseConfig(text, { env: {}, source: file }).config, log: silentLogger, admin: { dataDir } });
    await runtime.start();
    assert.equal(runtime.registry!.debugAddress, undefined);
    url = `http://127.0.0.1:${apiPort}`;
  });
  after(async () => {
    await runtime?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('runs online in the serving registry without http.debug: dry run, then a real run with bytes freed', async () => {
    await pushImage(url, 'cli/gc', 'v1');
    const orphan = randomBytes(2048);
    await pushBlob(url, 'cli/gc', orphan);
    await new Promise((r) => setTimeout(r, 20));
    const dry = await berth('gc', '--dry-run', '--config', file);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Garbage collection \(dry run\) — online, in the registry serving this config \(maintenance channel .*admin-[0-9a-f]{16}\.sock\)/);
    assert.match(dry.stdout, /1 would delete/);
    assert.match(dry.stdout, /2\.00 KiB would be freed \(2048 bytes\)/);
    assert.match(dry.stdout, new RegExp(`blob ${sha256(orphan)}`));
    const real = await berth('gc', '--config', file);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /online/);
    assert.match(real.stdout, /freed \(2048 bytes\)/);
    const fsck = await berth('fsck', '--config', file);
    assert.equal(fsck.code, 0, fsck.stdout + fsck.stderr);
    assert.match(fsck.stdout, /online/);
    assert.match(fsck.stdout, /The store is consistent/);
  });

  it('refuses a negative --grace with a clear message, in both spellings, before doing anything', async () => {
    for (const args of [['--grace', '-5m'], ['--grace=-5m']]) {
      const r = await berth('gc', ...args, '--config', file);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /berth: --grace: must not be negative \(got "-5m"\)/);
      assert.equal(r.stdout, '');
    }
    const ok = await berth('gc', '--dry-run', '--grace', '5m', '--config', file);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('refuses to run offline while something else serves the registry address', async () => {
    await runtime!.stop();
    runtime = undefined;
    const squatter = createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(apiPort, '127.0.0.1', r));
    try {
      const r = await berth('gc', '--config', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /something is serving on 127\.0\.0\.1:\d+ but no Berth answers on its maintenance channel .*admin-[0-9a-f]{16}\.sock; if it is Berth, run this command as the user running it/);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('runs offline when nothing serves; fsck exits 1 on errors and 0 once repaired', async () => {
    const repoDir = join(root, 'data/docker/registry/v2/repositories/cli/gc');
    const missing = sha256('missing');
    await mkdir(join(repoDir, '_manifests/tags/ghost/current'), { recursive: true });
    await writeFile(join(repoDir, '_manifests/tags/ghost/current/link'), missing);
    const bad = await berth('fsck', '--config', file);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /offline, directly on /);
    assert.match(bad.stdout, /1 errors/);
    assert.match(bad.stdout, /ERROR\s+tag-dangling: .*\/tags\/ghost\/current\/link: tag ghost points at/);
    const fixed = await berth('fsck', '--repair', '--config', file);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /\[repaired\]/);
    const clean = await berth('fsck', '--json', '--config', file);
    assert.equal(clean.code, 0);
    const report = JSON.parse(clean.stdout) as { where: { mode: string }; errors: number };
    assert.deepEqual([report.where.mode, report.errors], ['offline', 0]);
    const gc = await berth('gc', '--delete-untagged', '--config', file);
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, /offline/);
    assert.ok(hexOf(missing));
  });

  it('rejects unknown flags', async () => {
    const r = await berth('fsck', '--bogus', '--config', file);
    assert.notEqual(r.code, 0);
  });

  it('without --config uses the embedded default in $BERTH_DATA_DIR: online against `berth serve`, offline after it stops', async () => {
    const data = join(root, 'default-data');
    const port = await freePort();
    // The embedded default listens on 127.0.0.1:5000; the override keeps parallel runs apart and
    // is part of the configuration both `serve` and `gc` resolve.
    const env = { BERTH_DATA_DIR: data, REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_CONFIGURATION_PATH: '' };
    const serve = spawnProcess('berth serve (embedded default)', process.execPath, ['--import', 'tsx', CLI, 'serve'], { env: { ...process.env, ...env } });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc: serve, timeoutMs: 30_000 });
      // The channel opens right after the listener; serve prints it once it is open.
      for (let i = 0; i < 100 && !/Maintenance channel/.test(serve.output()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(serve.output(), new RegExp(`Maintenance channel \\(berth gc, fsck, users\\) on ${join(data, 'run').replace(/[/\\]/g, '.')}`));
      await pushBlob(`http://127.0.0.1:${port}`, 'default/gc', randomBytes(512));
      const online = await berthWith(env, 'gc', '--json');
      assert.equal(online.code, 0, online.stderr);
      const report = JSON.parse(online.stdout) as { where: { mode: string; channel: string }; blobsDeleted: number };
      assert.equal(report.where.mode, 'online');
      assert.ok(report.where.channel.startsWith(join(data, 'run')), report.where.channel);
      assert.equal(report.blobsDeleted, 1);
    } finally {
      await serve.stop();
    }
    const offline = await berthWith(env, 'gc');
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, new RegExp(`offline, directly on ${join(data, 'registry').replace(/[/\\]/g, '.')}`));
  });
});
