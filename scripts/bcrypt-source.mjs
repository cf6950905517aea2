// bcryptjs's source as a JavaScript expression, for the bundles' bcrypt worker threads
// (main/users/bcrypt-pool.ts): the worker is started from text because the desktop app's files
// live in an asar archive, which worker threads cannot load scripts from.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** esbuild `define` entries that inline bcryptjs (its CommonJS build) into the worker's source. */
export function bcryptDefine() {
  const umd = readFileSync(require.resolve('bcryptjs'), 'utf8');
  const expr = `(function () { var module = { exports: {} }; var exports = module.exports;\n${umd}\nreturn module.exports; })()`;
  return { __BCRYPTJS_SOURCE__: JSON.stringify(expr) };
}
