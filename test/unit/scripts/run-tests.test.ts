// The test runner's per-file limit: a file whose process never exits is killed, with what it
// started, and named as a failure; the others still run and their counts add up.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

const repo = path.resolve(import.meta.dirname, '../../..');

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-run-tests-'));
  await symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

function runTests(dir: string, timeoutMs: number) {
  // Without this test's own runner context: node:test would take the files for nested runs.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return spawnSync(process.execPath, [path.join(repo, 'scripts/run-tests.mjs'), 'x'], {
    cwd: dir, encoding: 'utf8', env: { ...env, BERTH_TEST_FILE_TIMEOUT_MS: String(timeoutMs) }, timeout: 60_000,
  });
}

/** Running, not just unreaped: a killed orphan is a zombie until init collects it. */
async function running(pid: number): Promise<boolean> {
  try {
    return !/^\d+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a file that never exits is killed with its children and named; the rest still run', async (t) => {
  const dir = await project({
    'test/x/a.test.ts': "import test from 'node:test';\ntest('one', () => {});\ntest('two', () => {});\n",
    // Passes, then stays alive: a child process it started, and a listening server.
    'test/x/b.test.ts': [
      "import test from 'node:test';",
      "import net from 'node:net';",
      "import { spawn } from 'node:child_process';",
      "import { writeFileSync } from 'node:fs';",
      "test('passes, then hangs', () => {",
      "  const c = spawn('sleep', ['600'], { stdio: 'ignore' });",
      "  writeFileSync('child.pid', String(c.pid));",
      "  net.createServer().listen(0, '127.0.0.1');",
      "});",
    ].join('\n'),
    'test/x/c.test.ts': "import test from 'node:test';\ntest('three', () => {});\n",
  });
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = runTests(dir, 4000);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /run-tests: FAILED test\/x\/b\.test\.ts \(still running after 4 s: killed\)/);
  assert.doesNotMatch(r.stdout, /FAILED test\/x\/[ac]/);
  assert.match(r.stdout, /✔ three/, 'the file after the hung one ran');
  assert.match(r.stdout, /run-tests: pass 3\n/);
  const child = Number(await readFile(path.join(dir, 'child.pid'), 'utf8'));
  assert.equal(await running(child), false, 'the process the hung file started was killed too');
});

test('all files passing exits 0 and adds up the counts', async (t) => {
  const dir = await project({
    // The fixture's own skipped test (not one of ours): the runner must count it as skipped.
    'test/x/a.test.ts': "import test from 'node:test';\ntest('one', () => {});\ntest('later', { skip: true }, () => {});\n",
    'test/x/sub/b.test.ts': "import test from 'node:test';\ntest('two', () => {});\n",
  });
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = runTests(dir, 60_000);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /run-tests: tests 3\n/);
  assert.match(r.stdout, /run-tests: pass 2\n/);
  assert.match(r.stdout, /run-tests: skipped 1\n/);
});

test('a failing file fails the run by name', async (t) => {
  const dir = await project({
    'test/x/a.test.ts': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('bad', () => assert.equal(1, 2));\n",
  });
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = runTests(dir, 60_000);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /run-tests: FAILED test\/x\/a\.test\.ts \(exit 1\)/);
  assert.match(r.stdout, /run-tests: fail 1\n/);
});
