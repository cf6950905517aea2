// Runs a built bundle (dist/berth.cjs) as a CommonJS module, like require() would, but reads it
// into a Buffer first instead of with require()'s readFileSync(file, 'utf8'). Why: that read
// allocates and frees one block as large as the file (2.5 MB) outside the JS heap, and glibc then
// raises its trim threshold to twice that for the rest of the process, so the ≈ 8 MB of parser
// memory V8 frees after compiling the bundle stayed resident for good (`berth serve` at idle:
// 67 → 62 MiB, issue 15). A Buffer is freed later, by the GC, once the compile is over.
// CommonJS so that bin/berth.cjs can require it.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');

/** Loads and runs `file` (an absolute path) once; returns its exports. */
function requireBundle(file) {
  const source = readFileSync(file).toString('utf8');
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dirname(file));
  m._compile(source, file);
  m.loaded = true;
  return m.exports;
}

module.exports = { requireBundle };
