// What Electron does with a window's preload under `sandbox: true`
// (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts): the file is run as
// a CommonJS function body with a `require` that knows only 'electron' (its renderer modules) and
// Electron's few polyfills (events, timers, url); anything else, and ES module syntax, fails.
// With contextIsolation the preload runs in its own world and only contextBridge puts values
// into the page's: copies, with functions called across.
'use strict';

const { readFileSync } = require('node:fs');
const { isAbsolute } = require('node:path');
const vm = require('node:vm');

const POLYFILLS = ['events', 'timers', 'url'];

/**
 * Runs `file` for `webContents` (whose ipc is `ipc`: invoke, on…), returns what it exposed and
 * what it required, or the error Electron would show ("Unable to load preload script").
 */
function runSandboxedPreload(file, { contextIsolation, ipcRenderer }) {
  const result = { file, required: [], exposed: {}, error: undefined };
  if (!isAbsolute(file)) {
    result.error = `the preload path must be absolute: ${file}`;
    return result;
  }
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    result.error = `Unable to load preload script: ${file} (${err.code ?? err.message})`;
    return result;
  }
  const electron = {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld(key, api) {
        if (!contextIsolation) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
        if (key in result.exposed) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
        result.exposed[key] = bridge(api);
      },
    },
  };
  const require = (name) => {
    result.required.push(name);
    if (name === 'electron') return electron;
    const bare = name.replace(/^node:/, '');
    if (POLYFILLS.includes(bare)) return module.require(`node:${bare}`);
    throw new Error(`module not found: ${name}`);
  };
  const world = vm.createContext({ console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, URL, TextEncoder, TextDecoder });
  const wrapper = `(function preload(require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${source}\n})`;
  try {
    const fn = new vm.Script(wrapper, { filename: file }).runInContext(world);
    const mod = { exports: {} };
    const sandboxProcess = { platform: process.platform, type: 'renderer', sandboxed: true, contextIsolated: contextIsolation, versions: { ...process.versions }, env: {} };
    fn(require, sandboxProcess, Buffer, world, setImmediate, clearImmediate, mod.exports, mod);
  } catch (err) {
    result.error = `Unable to load preload script: ${file}\n${err instanceof Error ? err.message : String(err)}`;
  }
  return result;
}

/** contextBridge's copy of a value into the other world: functions called across, data cloned. */
function bridge(value) {
  if (typeof value === 'function') return (...args) => bridge(value(...args.map(bridge)));
  if (value !== null && typeof value === 'object' && typeof value.then === 'function') return Promise.resolve(value).then(bridge);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(bridge);
  return Object.freeze(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bridge(v)])));
}

module.exports = { runSandboxedPreload };
