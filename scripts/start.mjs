// `npm start`: the desktop app when there is a display to show it on and Electron's binary is
// there (fetched on the first start: `npm ci` runs no install scripts, see .npmrc); otherwise
// the headless registry (`berth serve`, arguments passed through), which is what servers, CI
// and containers get, with one line saying why. `--headless` first (`npm run serve`) skips the
// app; `--cli` first (`npm run berth -- ARGS`) runs the `berth` command with ARGS. Either way
// node gets the flags of bin/berth.cjs's first line. Builds dist/ first when it is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { buildIfMissing } = require('./build-if-missing.cjs');
const { berthArgv } = require('./berth-argv.cjs');
const mode = process.argv[2];
const cli = mode === '--cli';
const headless = cli || mode === '--headless';
const args = process.argv.slice(headless ? 3 : 2);

/** The installed binary's path, or undefined (the package exports the path it would have). */
function installedElectron() {
  try {
    delete require.cache[require.resolve('electron')];
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined; // no path.txt yet: the binary was never fetched
  }
}

/** Runs electron's own installer (what its skipped postinstall would have done). */
function fetchElectron() {
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return { reason: 'Electron is not installed (it is a dev dependency: run `npm ci` without --omit=dev)' };
  }
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { reason: "Electron's binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set" };
  }
  // A progress note only on a terminal, erased afterwards: piped output keeps its one line.
  if (process.stderr.isTTY) process.stderr.write("start: downloading Electron's binary (first start only)…");
  const r = spawnSync(process.execPath, [installer], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const path = installedElectron();
  if (path) return { path };
  // install.js prints the error's stack; its first line is the cause ("RequestError: getaddrinfo ENOTFOUND github.com").
  const cause = (r.error?.message ?? r.stderr ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? `exit code ${r.status}`;
  return { reason: `Electron's binary could not be downloaded (${cause})` };
}

function chooseFace() {
  if (headless) return {};
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return { reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const path = installedElectron();
  return path ? { path } : fetchElectron();
}

const face = chooseFace();
buildIfMissing(face.path ? 'dist/app/main.cjs' : 'dist/berth.cjs');
if (face.reason) console.error(`start: ${face.reason}; running the headless registry (berth serve).`);
const [program, ...argv] = face.path ? [face.path, root, ...args] : berthArgv(cli ? args : ['serve', ...args]);
const child = spawn(program, argv, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
// npm passes a SIGTERM on to the shell that runs this script, and a shell that does not exec
// its command (dash, Debian's sh) dies without passing it further: this process is then
// orphaned, and stops the registry as if it had been signalled.
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  child.kill('SIGTERM');
}, 250);
watch.unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
