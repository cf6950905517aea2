// Runs node:test over test/<suite>/**/*.test.ts with tsx (Node 20's --test takes no globs).
// Files run one at a time, each in its own process group: the e2e and integration files start
// real servers and daemons. A file whose process is still running after FILE_TIMEOUT_MS (its
// tests hung, or they passed but something it opened keeps it alive) is killed with everything
// it started and counted as a failure by name, instead of holding CI until its own limit.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

/** Well above the slowest file (the Docker end-to-end files take a few minutes). */
const FILE_TIMEOUT_MS = Number(process.env.BERTH_TEST_FILE_TIMEOUT_MS ?? 20 * 60_000);
const COUNTS = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];

const suites = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const s of suites) walk(join('test', s));
if (files.length === 0) {
  console.error('run-tests: no test files found for', suites.join(', '));
  process.exit(1);
}

let current; // the running file's process, stopped with us (its own group does not get our Ctrl-C)
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) try { process.kill(-current.pid, 'SIGKILL'); } catch { /* already gone */ }
    process.exit(1);
  });
}

/** Runs one file; resolves with its exit code (null when killed) and its spec summary counts. */
function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    current = child;
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const counts = {};
      for (const k of COUNTS) {
        const m = new RegExp(`^ℹ ${k} (\\d+)$`, 'm').exec(tail);
        counts[k] = m ? Number(m[1]) : 0;
      }
      resolve({ code, timedOut, counts });
    });
  });
}

const totals = Object.fromEntries(COUNTS.map((k) => [k, 0]));
const failed = [];
const started = Date.now();
for (const file of files) {
  const r = await runFile(file);
  for (const k of COUNTS) totals[k] += r.counts[k];
  if (r.timedOut) failed.push(`${file} (still running after ${FILE_TIMEOUT_MS / 1000} s: killed)`);
  else if (r.code !== 0) failed.push(`${file} (exit ${r.code})`);
}
console.log(`\nrun-tests: ${files.length} files in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
for (const k of COUNTS) console.log(`run-tests: ${k} ${totals[k]}`);
for (const f of failed) console.log(`run-tests: FAILED ${f}`);
process.exit(failed.length === 0 ? 0 : 1);
