// The libraries a registry needs only in some setups are bundles of their own, next to the
// bundle that loads them: the AWS SDK (s3-sdk.cjs, for storage.s3), the Redis client
// (redis-sdk.cjs, for storage.cache.blobdescriptor: redis) and node-forge (forge-lib.cjs, for
// making and reading certificates). The headless CLI and the desktop app load them only when
// used, so a registry that only serves neither parses nor holds them (V8 keeps a bundle's whole
// source for the life of the process: ≈ 1.4 MB for the SDK, 0.6 MB for node-forge). Only the
// libraries go there (the modules named below re-export them): Berth's own classes must exist
// once, or `instanceof` between bundles fails.
import { build } from 'esbuild';
import { keepLatin1 } from './keep-latin1.mjs';

const LAZY = [
  { entry: 'main/registry/storage/driver/s3-sdk.ts', name: 's3-sdk' },
  { entry: 'main/registry/storage/redis-sdk.ts', name: 'redis-sdk' },
  { entry: 'main/certs/forge-lib.ts', name: 'forge-lib' },
];

/** esbuild plugin: an import of one of those modules becomes require('./<name>.cjs'). */
export const lazyExternals = {
  name: 'lazy-externals',
  setup(b) {
    for (const { name } of LAZY) {
      b.onResolve({ filter: new RegExp(`(^|/)${name}$`) }, () => ({ path: `./${name}.cjs`, external: true }));
    }
  },
};

/** Builds `<outdir>/<name>.cjs` of each for the given Node target. */
export async function buildLazyBundles(outdir, target) {
  for (const { entry, name } of LAZY) {
    const outfile = `${outdir}/${name}.cjs`;
    await build({
      entryPoints: [entry], outfile, bundle: true, platform: 'node', target, format: 'cjs',
      sourcemap: 'linked', legalComments: 'none', logLevel: 'warning',
    });
    keepLatin1(outfile);
  }
}
