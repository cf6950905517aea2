// Electron's ipcMain (https://www.electronjs.org/docs/latest/api/ipc-main): one handle() per
// channel; what crosses between processes is structured-cloned both ways (functions and class
// instances do not survive), and a handler that throws reaches the caller as
// "Error invoking remote method '<channel>': <error>".
'use strict';

const { EventEmitter } = require('node:events');
const control = require('./control.cjs');

class IpcMain extends EventEmitter {
  constructor() {
    super();
    this.handlers = new Map();
  }
  handle(channel, listener) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
    control.report('ipcMain.handle', { channel });
  }
  handleOnce(channel, listener) {
    this.handle(channel, (...args) => {
      this.handlers.delete(channel);
      return listener(...args);
    });
  }
  removeHandler(channel) { this.handlers.delete(channel); }

  /** ipcRenderer.invoke from `sender` (a WebContents), in the frame showing `frameUrl`. */
  async invoke(sender, frameUrl, channel, args) {
    const event = {
      sender,
      senderFrame: frameUrl === null ? null : { url: frameUrl, origin: originOf(frameUrl), top: null, routingId: 1, processId: 1 },
      frameId: 1,
      processId: 1,
    };
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    try {
      return structuredClone(await handler(event, ...structuredClone(args)));
    } catch (err) {
      throw new Error(`Error invoking remote method '${channel}': ${String(err)}`);
    }
  }
}

function originOf(url) {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : 'null';
  } catch {
    return 'null';
  }
}

module.exports = { ipcMain: new IpcMain() };
