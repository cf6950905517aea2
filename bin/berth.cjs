#!/usr/bin/env node
// The `berth` command: runs the bundled headless CLI (built by `npm run build`, which `npm ci`
// runs through the prepare script).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'berth.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('berth: dist/berth.cjs is missing; run `npm run build` first\n');
  process.exit(1);
}
require(bundle);
