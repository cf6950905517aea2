// Bundles the headless entry (`berth` CLI) into one CommonJS file for plain Node, then the
// renderer (build-renderer.mjs) and the desktop app's main and preload (build-app.mjs).
// Fails if anything in the bundle resolves to `electron`: the core must run without it.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { bcryptDefine } from './bcrypt-source.mjs';
import { buildApp } from './build-app.mjs';
import { buildRenderer } from './build-renderer.mjs';
import { keepLatin1 } from './keep-latin1.mjs';
import { buildLazyBundles, lazyExternals } from './lazy-bundles.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const result = await build({
  entryPoints: ['main/headless/cli.ts'],
  outfile: 'dist/berth.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  define: { __BERTH_VERSION__: JSON.stringify(pkg.version), ...bcryptDefine() },
  logLevel: 'warning',
  plugins: [lazyExternals],
});

const inputs = Object.keys(result.metafile.inputs);
const electron = inputs.filter((p) => /(^|\/)node_modules\/electron\//.test(p) || p === 'electron');
const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
if (electron.length > 0 || imports.includes('electron')) {
  console.error('build: the headless bundle must not include electron:', electron);
  process.exit(1);
}
mkdirSync('dist', { recursive: true });
writeFileSync('dist/berth.meta.json', JSON.stringify(result.metafile));
keepLatin1('dist/berth.cjs');
await buildLazyBundles('dist', 'node20');

await buildRenderer();
await buildApp();
