#!/usr/bin/env node
// The `berth` command: runs the bundled headless CLI, dist/berth.cjs (built on first use when
// missing, scripts/build-if-missing.cjs; loaded by scripts/require-bundle.cjs, which keeps
// idle memory down).
'use strict';
const { buildIfMissing } = require('../scripts/build-if-missing.cjs');
const { requireBundle } = require('../scripts/require-bundle.cjs');
requireBundle(buildIfMissing('dist/berth.cjs'));
