// `node --require …/register.cjs main.cjs`: resolves `electron` (and only `electron`) to the
// stand-in, and sets what Electron sets on `process` in a main process before the app runs.
'use strict';

const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const standIn = join(__dirname, 'index.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveElectron(request, ...rest) {
  if (request === 'electron' || request === 'electron/main') return standIn;
  return resolve.call(this, request, ...rest);
};

const electronPackage = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8'));
process.type = 'browser';
process.versions.electron = electronPackage.version;
// Unpackaged, resourcesPath is Electron's own resources folder (beside its binary).
process.resourcesPath = join(require.resolve('electron/package.json'), '..', 'dist', 'resources');
