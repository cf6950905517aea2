// `berth gc` and `berth fsck` as a user runs them: online through the serving registry's debug
// listener, offline on the storage when nothing serves, refused when something else listens on
// the registry's address. Output and exit codes are checked.
import { testRegistryYaml } from '../support/registry-yaml';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { silentLogger } from '../../main/lib/logger';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { hexOf, pushBlob, pushImage, sha256 } from '../support/oci';
import { freePort, runCommand } from '../support/processes';

const CLI = join(import.meta.dirname, '../../main/headless/cli.ts');

function yaml(root: string, apiPort: number, debugPort: number): string {
  return testRegistryYaml(root, { port: apiPort, http: ['  debug:', `    addr: 127.0.0.1:${debugPort}`] }) + '\n';
}

const berth = (...args: string[]) => runCommand(process.execPath, ['--import', 'tsx', CLI, ...args], { check: false, timeoutMs: 60_000 });

describe('berth gc and berth fsck', () => {
  let root: string;
  let file: string;
  let apiPort: number;
  let reg: RunningRegistry | undefined;
  let url: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-cli-gc-'));
    [apiPort] = [await freePort()];
    const text = yaml(root, apiPort, await freePort());
    file = join(root, 'config.yml');
    await writeFile(file, text);
    reg = await startRegistry({ config: parseConfig(text, { env: {}, source: file }).config, log: silentLogger });
    url = `http://127.0.0.1:${apiPort}`;
  });
  after(async () => {
    await reg?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('runs online in the serving registry: dry run, then a real run with bytes freed', async () => {
    await pushImage(url, 'cli/gc', 'v1');
    const orphan = randomBytes(2048);
    await pushBlob(url, 'cli/gc', orphan);
    await new Promise((r) => setTimeout(r, 20));
    const dry = await berth('gc', '--dry-run', '--config', file);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Garbage collection \(dry run\) — online/);
    assert.match(dry.stdout, /1 would delete/);
    assert.match(dry.stdout, /2\.0 KiB would be freed \(2048 bytes\)/);
    assert.match(dry.stdout, new RegExp(`blob ${sha256(orphan)}`));
    const real = await berth('gc', '--config', file);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /online/);
    assert.match(real.stdout, /2048 bytes\) freed|freed \(2048 bytes\)/);
    // The endpoint behind it: POST only, and not for pages in a browser.
    const debugUrl = `http://127.0.0.1:${reg!.debugAddress!.port}`;
    assert.equal((await fetch(`${debugUrl}/debug/gc`)).status, 405);
    assert.equal((await fetch(`${debugUrl}/debug/gc?dryrun=true`, { method: 'POST', headers: { Origin: 'https://evil.example' } })).status, 403);
    assert.equal((await fetch(`${debugUrl}/debug/gc?dryrun=maybe`, { method: 'POST' })).status, 400);
    const report = await (await fetch(`${debugUrl}/debug/gc?dryrun=true`, { method: 'POST' })).json() as { dryRun: boolean; blobsDeleted: number };
    assert.deepEqual([report.dryRun, report.blobsDeleted], [true, 0]);
    const fsck = await berth('fsck', '--config', file);
    assert.equal(fsck.code, 0, fsck.stdout + fsck.stderr);
    assert.match(fsck.stdout, /online/);
    assert.match(fsck.stdout, /The store is consistent/);
  });

  it('refuses to run offline while something else serves the registry address', async () => {
    await reg!.stop();
    reg = undefined;
    const squatter = createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(apiPort, '127.0.0.1', r));
    try {
      const r = await berth('gc', '--config', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no Berth answers on http\.debug\.addr/);
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

  it('needs --config, and rejects unknown flags', async () => {
    assert.equal((await berth('gc')).code, 2);
    const r = await berth('fsck', '--bogus', '--config', file);
    assert.notEqual(r.code, 0);
  });
});
