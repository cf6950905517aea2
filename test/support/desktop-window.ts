// The desktop window in real Chromium: what Electron's window would show, with every byte and
// every call going through the app's own code. A loopback HTTP bridge answers each request by
// calling the protocol handler the app registered for berth://app/ (in the stand-in's main
// process), so the page gets exactly the app's files and headers, CSP included; the page gets the
// real built preload (dist/app/preload.cjs), run with a `require('electron')` whose
// contextBridge sets window[key] and whose ipcRenderer.invoke is a Playwright binding that the
// test hands to the app's ipcMain handler as a call from the frame's berth://app/ URL; what the
// app sends the window (webContents.send) is handed to the preload's ipcRenderer listeners.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { deferCleanup } from './cleanup';
import { PRELOAD_BUNDLE, type DesktopApp, type StandInEvent } from './desktop-app';

const APP_ORIGIN = 'berth://app';
const INVOKE_BINDING = '__berthStandInInvoke';
const DELIVER = '__berthStandInDeliver';

export interface AppBridge {
  /** http://127.0.0.1:PORT: the page's origin, standing for berth://app. */
  url: string;
  /** The berth://app/ URL a page URL of the bridge stands for (others are returned unchanged). */
  appUrl(pageUrl: string): string;
  close(): Promise<void>;
}

/** Serves berth://app/ on loopback through the app's own protocol handler. */
export async function startAppBridge(app: DesktopApp): Promise<AppBridge> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const r = await app.fetch(`${APP_ORIGIN}${req.url ?? '/'}`, { method: req.method });
    if (r.netError) {
      res.destroy(); // as a failed load looks to the page
      return;
    }
    res.writeHead(r.status!, { ...r.headers, 'content-length': String(r.body!.length), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : r.body);
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  deferCleanup(`stop the berth://app bridge ${url}`, close);
  return {
    url,
    appUrl: (pageUrl) => (pageUrl === url || pageUrl.startsWith(`${url}/`) ? `${APP_ORIGIN}${pageUrl.slice(url.length) || '/'}` : pageUrl),
    close,
  };
}

/**
 * Gives `page` the app's preload and carries its IPC to `app`'s main process; call before the
 * first navigation. Like Electron, only the top frame of the app's own origin gets the preload.
 */
export async function installPreload(page: Page, app: DesktopApp, bridge: AppBridge): Promise<{ calls: () => number }> {
  let calls = 0;
  await page.exposeBinding(INVOKE_BINDING, (source, channel: string, args: unknown[]) => {
    calls++;
    return app.request('ipc.invoke', { frameUrl: bridge.appUrl(source.frame.url()), channel, args });
  });
  const preload = await readFile(PRELOAD_BUNDLE, 'utf8');
  // Plain script text (not a serialised function): the page's CSP allows no eval, and the
  // preload's source is inlined as the body of the CommonJS wrapper Electron's sandbox uses.
  await page.addInitScript({
    content: `(() => {
  if (location.origin !== ${JSON.stringify(bridge.url)} || window.top !== window) return;
  const listeners = new Map();
  const ipcRenderer = {
    invoke: (channel, ...args) => window[${JSON.stringify(INVOKE_BINDING)}](channel, args),
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (key in window) throw new Error('Cannot bind an API on top of an existing property on the window object');
      Object.defineProperty(window, key, { value: Object.freeze({ ...api }), enumerable: true });
    },
  };
  const require = (name) => {
    if (name === 'electron') return { ipcRenderer, contextBridge };
    throw new Error('module not found: ' + name);
  };
  Object.defineProperty(window, ${JSON.stringify(DELIVER)}, {
    value: (channel, args) => { for (const l of listeners.get(channel) ?? []) l({ sender: null, senderId: 0 }, ...args); },
  });
  const module = { exports: {} };
  (function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {
${preload}
  })(require, { platform: 'linux', type: 'renderer', sandboxed: true, contextIsolated: true, env: {} }, undefined, window, undefined, undefined, module.exports, module);
})();`,
  });
  // What the app sends its window reaches the page's listeners (the stand-in's window is the
  // one the app opened; events sent while the page is between documents are lost, as in Electron).
  const relay = (e: StandInEvent) => {
    if (e.event !== 'webContents.send') return;
    void page.evaluate(([fn, channel, args]) => (window as unknown as Record<string, ((c: string, a: unknown[]) => void) | undefined>)[fn]?.(channel, args),
      [DELIVER, e.channel as string, e.args as unknown[]] as const).catch(() => undefined);
  };
  const stop = app.onEvent(relay);
  page.once('close', stop);
  return { calls: () => calls };
}
