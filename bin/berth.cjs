#!/usr/bin/env node
// The `berth` command: runs the bundled headless CLI, dist/berth.cjs (built on first use when
// missing, scripts/build-if-missing.cjs).
'use strict';
const { buildIfMissing } = require('../scripts/build-if-missing.cjs');
require(buildIfMissing('dist/berth.cjs'));
