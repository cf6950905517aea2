// The argv that runs the `berth` command the way its own first line does: node with the flags
// named there (bin/berth.cjs says why it has them), then the command. `npm start`, `npm run serve`
// and the bench start `berth serve` through this, so that the flags are written once, in the
// line an installed `berth` (npm's link or its Windows shim) is run by.
// CommonJS so that the bench (TypeScript) and scripts/start.mjs can both require it.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const BIN = join(__dirname, '..', 'bin', 'berth.cjs');

/** The node flags in `file`'s `#!/usr/bin/env -S node …` line (none for a plain `env node`). */
function shebangNodeFlags(file = BIN) {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env(?: -S)? node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!m) throw new Error(`${file}: the first line is not "#!/usr/bin/env [-S] node [--flag…]": ${first}`);
  return m[1].split(' ').filter(Boolean);
}

/** [node, …flags, bin/berth.cjs, …args]: spawn it with its first element as the program. */
function berthArgv(args) {
  return [process.execPath, ...shebangNodeFlags(), BIN, ...args];
}

module.exports = { berthArgv, shebangNodeFlags, BIN };
