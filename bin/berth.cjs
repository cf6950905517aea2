#!/usr/bin/env -S node --max-semi-space-size=4 --initial-old-space-size=32
// The `berth` command: runs the bundled headless CLI, dist/berth.cjs (built on first use when
// missing, scripts/build-if-missing.cjs; loaded by scripts/require-bundle.cjs, which keeps
// idle memory down).
//
// The node flags on the first line size V8's heap for a server whose live heap is small (≈ 12 MB)
// and whose allocation rate is high. By default V8 grows each young-generation semi-space to
// 16 MB under load, and starts an old-generation collection whenever the old generation's room
// left is smaller than that: with a small live heap that is nearly always, so a stream of 1 MiB
// pushes ran a full mark-compact every 80–180 ms (pauses up to 8 ms, in the pushes' p99). With
// 4 MB semi-spaces and a 32 MB first old-generation limit, the bench's 1 MiB push run (start,
// preparation, 10 s of pushes) had 18 mark-compacts instead of 62 and 152 ms of GC pauses instead
// of 270, and the peak RSS of its mixed load fell 163 → 127 MiB at the same throughput (issue 15).
// The cost: more of the young objects are promoted, so the old generation now and then grows by
// tens of MB before V8 collects it (one rise to 171 MiB in a 10-minute soak). V8 reads both only at
// start. Every launcher in the package (`npm start`, `npm run serve`, `npm run berth`, the bench)
// takes them from this line (scripts/berth-argv.cjs); a plain `node bin/berth.cjs` runs without
// them, as does the desktop app (Electron's main process takes V8 flags only from its own
// command line).
'use strict';
const { buildIfMissing } = require('../scripts/build-if-missing.cjs');
const { requireBundle } = require('../scripts/require-bundle.cjs');
requireBundle(buildIfMissing('dist/berth.cjs'));
