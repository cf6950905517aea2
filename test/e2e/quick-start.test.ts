// The README's quick start, as a newcomer runs it: in a fresh copy of the repository (no
// node_modules, no dist/), without ELECTRON_SKIP_BINARY_DOWNLOAD and without a display, `npm ci`
// completes (no install script runs, so Electron's unreachable downloads do not matter) and
// `npm start` builds dist/, says in one line why it runs headless, and serves the registry.
// Needs the npm registry (or npm's cache), as CI has.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/cleanup';
import { freePort, runCommand, sleep, spawnProcess, useE2EHooks, waitForHttp } from '../support/processes';

useE2EHooks();

const repo = process.cwd();

/** The first command line of the README's quick-start block, split on `&&`. */
function quickStartCommands(): string[][] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.split('## Quick start')[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'README.md has a ```sh block under "## Quick start"');
  const line = block.split('\n')[0]!.replace(/#.*$/, '').trim();
  return line.split('&&').map((c) => c.trim().split(/\s+/));
}

/** The repository as a clone of it would be: tracked files plus new files not ignored. */
async function freshCopy(): Promise<string> {
  const dir = await tempDir('berth-qs-');
  const listed = await runCommand('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repo });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repo, file))) continue; // deleted in the working tree, not yet committed
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(repo, file), join(dir, file));
  }
  return dir;
}

/**
 * A newcomer's environment: no ELECTRON_* switches (ELECTRON_SKIP_BINARY_DOWNLOAD…), no display, and none of the npm_* variables an
 * outer `npm test` exports (npm_config_local_prefix would point npm back at this checkout); the
 * registry and cache settings stay, so CI's mirror or cache still applies.
 */
function newcomerEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keep.has(k.toLowerCase())) continue;
    if (/^electron_/i.test(k) || ['DISPLAY', 'WAYLAND_DISPLAY', 'INIT_CWD'].includes(k)) continue;
    if (k.startsWith('REGISTRY_') || k === 'BERTH_DATA_DIR') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

test('README quick start: npm ci completes without Electron\'s binary, npm start serves headless and says why', { timeout: 900_000 }, async () => {
  const commands = quickStartCommands();
  assert.deepEqual(commands, [['npm', 'ci'], ['npm', 'start']], 'the test runs what the README says');
  const clone = await freshCopy();
  assert.ok(!existsSync(join(clone, 'node_modules')) && !existsSync(join(clone, 'dist')), 'the copy starts without node_modules and dist/');

  const [install, start] = commands as [string[], string[]];
  await runCommand(install[0]!, install.slice(1), { cwd: clone, env: newcomerEnv({}), timeoutMs: 600_000 });
  assert.ok(existsSync(join(clone, 'node_modules/electron/package.json')), 'electron is installed');
  assert.ok(!existsSync(join(clone, 'node_modules/electron/path.txt')), 'its postinstall did not run (no binary fetched at install)');

  // With a display, the first start fetches Electron's binary; here its mirror is a closed
  // loopback port (and the download cache empty), so that fails and Berth runs headless.
  const closed = await freePort();
  await startsHeadless(clone, start, {
    DISPLAY: ':99', ELECTRON_MIRROR: `http://127.0.0.1:${closed}/`, electron_config_cache: await tempDir('berth-qs-cache-'),
  }, new RegExp(`^start: Electron's binary could not be downloaded \\(.*ECONNREFUSED 127\\.0\\.0\\.1:${closed}\\); running the headless registry \\(berth serve\\)\\.$`));
  assert.ok(existsSync(join(clone, 'dist/berth.cjs')), 'npm start built dist/');
  assert.ok(!existsSync(join(clone, 'node_modules/electron/path.txt')), 'no binary appeared');

  // Without a display there is nothing to fetch Electron for.
  await startsHeadless(clone, start, {}, /^start: no display \(DISPLAY and WAYLAND_DISPLAY are unset\); running the headless registry \(berth serve\)\.$/);
});

/** Runs `npm start` until GET /v2/ answers 200, checks its one `start:` line, stops it by PID. */
async function startsHeadless(clone: string, start: string[], extra: NodeJS.ProcessEnv, note: RegExp): Promise<void> {
  const data = await tempDir('berth-qs-data-');
  const [port, debugPort] = [await freePort(), await freePort()];
  const proc = spawnProcess('npm start', start[0]!, start.slice(1), {
    cwd: clone,
    env: newcomerEnv({ ...extra, BERTH_DATA_DIR: data, REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_HTTP_DEBUG_ADDR: `127.0.0.1:${debugPort}` }),
  });
  await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc, timeoutMs: 180_000 });
  const notes = proc.output().split('\n').filter((l) => l.startsWith('start: '));
  assert.equal(notes.length, 1, `one line says why: ${JSON.stringify(notes)}`);
  assert.match(notes[0]!, note);
  assert.doesNotMatch(proc.output(), /\n\s+at /, 'no stack trace');

  // SIGTERM to npm's pid reaches start.mjs and then berth serve, which frees its port (npm may
  // exit before its grandchild has finished draining, hence the wait).
  const exit = await proc.stop();
  assert.equal(exit.error, undefined);
  const deadline = Date.now() + 15_000;
  while (await accepts(port)) {
    assert.ok(Date.now() < deadline, `127.0.0.1:${port} still accepts connections after npm start was stopped`);
    await sleep(100);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
