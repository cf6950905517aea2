// Bundles the desktop app: dist/app/main.cjs (Electron's main process; electron stays external)
// and dist/app/preload.cjs (one CommonJS file, since a sandboxed preload cannot load modules).
// Checks that the preload needs nothing but electron at run time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { bcryptDefine } from './bcrypt-source.mjs';
import { keepLatin1 } from './keep-latin1.mjs';
import { buildLazyBundles, lazyExternals } from './lazy-bundles.mjs';

export async function buildApp({ outdir = 'dist/app' } = {}) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const common = {
    bundle: true, platform: 'node', format: 'cjs', sourcemap: 'linked', metafile: true,
    legalComments: 'none', external: ['electron'], logLevel: 'warning',
    define: { __BERTH_VERSION__: JSON.stringify(pkg.version) },
  };
  const main = await build({
    ...common, define: { ...common.define, ...bcryptDefine() }, entryPoints: ['main/index.ts'], outfile: `${outdir}/main.cjs`, target: 'node22', plugins: [lazyExternals],
  });
  keepLatin1(`${outdir}/main.cjs`);
  await buildLazyBundles(outdir, 'node22');
  const preload = await build({ ...common, entryPoints: ['preload/index.ts'], outfile: `${outdir}/preload.cjs`, target: 'chrome130' });
  const requires = Object.values(preload.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const extra = requires.filter((p) => p !== 'electron');
  if (extra.length > 0) throw new Error(`build-app: the preload may require only electron, not ${extra.join(', ')}`);
  return { main, preload };
}
