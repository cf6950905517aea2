// `npm start`: the desktop app when Electron's binary is installed and there is a display to
// show it on; otherwise the headless registry (`berth serve`, arguments passed through), which
// is what servers, CI and containers get.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron'); // the electron package exports its binary's path
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined; // not installed, or installed without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD)
  }
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const electron = hasDisplay ? electronBinary() : undefined;
const bundle = electron ? 'dist/app/main.cjs' : 'dist/berth.cjs';
if (!existsSync(bundle)) {
  console.error(`start: ${bundle} is missing; run \`npm run build\` (npm ci does it for you).`);
  process.exit(1);
}
const child = electron
  ? spawn(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' })
  : spawn(process.execPath, ['bin/berth.cjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
if (!electron) console.error('start: no Electron binary or no display; running the headless registry (berth serve).');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
