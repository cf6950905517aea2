// dist/ is built by `npm run build`, not at install (`npm ci` runs no scripts, see .npmrc): the
// entry points that need a bundle (`npm start`, the `berth` command) build it on first use.
// CommonJS so that bin/berth.cjs can require it as well as scripts/start.mjs.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** Builds dist/ when `bundle` (a path under the package root) is missing; exits 1 if it cannot. */
function buildIfMissing(bundle) {
  const file = join(root, bundle);
  if (existsSync(file)) return file;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] }); // stdout stays the command's own
  if (r.status !== 0 || !existsSync(file)) {
    process.stderr.write(`berth: ${bundle} is missing and building it failed; run \`npm run build\` to see why\n`);
    process.exit(1);
  }
  return file;
}

module.exports = { buildIfMissing };
