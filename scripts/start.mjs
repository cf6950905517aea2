// `npm start`: runs Berth. The desktop app (Electron) is not built yet, so this starts the
// headless registry on the embedded default; arguments are passed to `berth serve`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/berth.cjs')) {
  console.error('start: dist/berth.cjs is missing; run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
const child = spawn(process.execPath, ['bin/berth.cjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
