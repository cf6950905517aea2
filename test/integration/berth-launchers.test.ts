// The ways a user starts the headless registry run it under the node flags of bin/berth.cjs's
// first line: the `berth` command run as an executable (how npm's link runs it), `npm run serve`
// and `npm run berth`. Each serves, and its serving process's command line carries the flags.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'node:test';
import { processTree } from '../../bench/proc-stats';
import { tempDir } from '../support/cleanup';
import { freePort, spawnProcess, useE2EHooks, waitForHttp, type ManagedProcess } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

const repo = path.resolve(import.meta.dirname, '../..');
const { shebangNodeFlags, BIN } = createRequire(import.meta.url)('../../scripts/berth-argv.cjs') as { shebangNodeFlags(): string[]; BIN: string };

async function config(): Promise<{ file: string; port: number }> {
  const dir = await tempDir('berth-launch-');
  const port = await freePort();
  const file = path.join(dir, 'config.yml');
  await writeFile(file, testRegistryYaml(dir, { port }));
  return { file, port };
}

async function cmdline(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
}

/** The process under `proc` (itself included) whose command line runs bin/berth.cjs serve. */
async function servingProcess(proc: ManagedProcess): Promise<string[]> {
  for (const pid of processTree(proc.pid)) {
    const argv = await cmdline(pid).catch((): string[] => []);
    const at = argv.indexOf(BIN);
    if (at >= 0 && argv[at + 1] === 'serve') return argv;
  }
  throw new Error(`no \`${BIN} serve\` under pid ${proc.pid}`);
}

function assertFlags(argv: string[]): void {
  const flags = shebangNodeFlags();
  assert.ok(flags.length > 0);
  const before = argv.slice(0, argv.indexOf(BIN));
  for (const f of flags) assert.ok(before.includes(f), `${f} in ${JSON.stringify(argv)}`);
}

test('`berth serve` run as an executable gets the flags of its first line', async () => {
  const { file, port } = await config();
  const proc = spawnProcess('berth serve', BIN, ['serve', '--config', file], { cwd: repo });
  await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc });
  assertFlags(await servingProcess(proc));
  assert.equal((await proc.stop()).code, 0);
});

test('`npm run serve` serves headless with the flags, even with a display, and stops on SIGTERM', async () => {
  const { file, port } = await config();
  // A display that does not exist: the app must not be tried, so nothing fails and no note is printed.
  const proc = spawnProcess('npm run serve', 'npm', ['run', '--silent', 'serve', '--', '--config', file], {
    cwd: repo, env: { ...process.env, DISPLAY: ':97' },
  });
  await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc });
  assertFlags(await servingProcess(proc));
  assert.doesNotMatch(proc.output(), /^start: /m);
  await proc.stop();
  const deadline = Date.now() + 15_000;
  while (await fetch(`http://127.0.0.1:${port}/v2/`).then(() => true, () => false)) {
    assert.ok(Date.now() < deadline, 'the registry still answers after npm run serve was stopped');
    await new Promise((r) => setTimeout(r, 100));
  }
});

test('`npm run berth -- ARGS` runs the berth command with ARGS under the flags, and keeps its exit code', async () => {
  const { file, port } = await config();
  const proc = spawnProcess('npm run berth serve', 'npm', ['run', '--silent', 'berth', '--', 'serve', '--config', file], { cwd: repo });
  await waitForHttp(`http://127.0.0.1:${port}/v2/`, { proc });
  assertFlags(await servingProcess(proc));
  await proc.stop();
  const unknown = spawnProcess('npm run berth frobnicate', 'npm', ['run', '--silent', 'berth', '--', 'frobnicate'], { cwd: repo });
  const { code } = await unknown.exited;
  assert.equal(code, 2);
  assert.match(unknown.output(), /unknown command "frobnicate"/);
});
