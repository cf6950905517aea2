// Bundles the React renderer into dist/renderer/{index.html,app.js,app.css}: the same files the
// Electron window loads and `berth serve --console` serves. Fails if the bundle pulls in
// electron or a Node built-in (the renderer is sandboxed and talks only through the contract).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

export async function buildRenderer({ outdir = 'dist/renderer', minify = true } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: 'renderer/src/main.tsx' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome120'],
    jsx: 'automatic',
    minify,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((p) => /(^|\/)node_modules\/electron\//.test(p) || p.startsWith('node:') || /^main\//.test(p));
  if (forbidden.length > 0) throw new Error(`build-renderer: the renderer bundle must not include ${forbidden.join(', ')}`);
  copyFileSync('renderer/index.html', `${outdir}/index.html`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildRenderer();
}
