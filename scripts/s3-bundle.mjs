// The AWS SDK the s3 storage driver uses is a bundle of its own, s3-sdk.cjs, next to the bundle
// that loads it: the headless CLI and the desktop app load it only when storage.s3 is configured,
// so a filesystem registry neither parses nor holds the SDK (≈ 1.4 MB of source that V8 would
// keep for the life of the process). Only the SDK goes there (main/registry/storage/driver/
// s3-sdk.ts): Berth's own classes must exist once, or `instanceof` between bundles fails.
import { build } from 'esbuild';
import { keepLatin1 } from './keep-latin1.mjs';

const SDK_ENTRY = 'main/registry/storage/driver/s3-sdk.ts';
const SDK_BUNDLE = 's3-sdk.cjs';

/** esbuild plugin: the driver's imports of './s3-sdk' become require('./s3-sdk.cjs'). */
export const s3External = {
  name: 's3-sdk-external',
  setup(b) {
    b.onResolve({ filter: /\/storage\/driver\/s3-sdk$|^\.\/s3-sdk$/ }, () => ({ path: `./${SDK_BUNDLE}`, external: true }));
  },
};

/** Builds `<outdir>/s3-sdk.cjs` for the given Node target. */
export async function buildS3Sdk(outdir, target) {
  const outfile = `${outdir}/${SDK_BUNDLE}`;
  await build({
    entryPoints: [SDK_ENTRY], outfile, bundle: true, platform: 'node', target, format: 'cjs',
    sourcemap: 'linked', legalComments: 'none', logLevel: 'warning',
  });
  keepLatin1(outfile);
}
