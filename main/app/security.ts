// Hardening of every window and the session, following Electron's security checklist
// (https://www.electronjs.org/docs/latest/tutorial/security); the numbers below are its items,
// and each comment says what the line guards against, so the checklist is not needed to read it.
import { APP_CSP } from './app-url';
import type { SessionPort, WebContentsPort } from './ports';

export interface HardenOptions {
  /** Opens a URL in the user's browser (shell.openExternal); only https links are passed on. */
  openExternal?: (url: string) => void;
}

export function hardenWebContents(contents: WebContentsPort, opts: HardenOptions = {}): void {
  // #13 Disable or limit navigation: the app is one page with hash routes (which do not fire
  // will-navigate), so every navigation is refused; https links go to the user's browser.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (opts.openExternal && /^https:\/\//i.test(url)) opts.openExternal(url);
  });
  // #12 Verify WebView options before creation: no <webview> at all.
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // #14 Disable or limit creation of new windows; #15 do not use openExternal with untrusted
  // content: only https URLs leave the app, to the user's browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (opts.openExternal && /^https:\/\//i.test(url)) opts.openExternal(url);
    return { action: 'deny' };
  });
}

export function hardenSession(session: SessionPort): void {
  // #5 Handle session permission requests: Berth needs none (camera, notifications, …).
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // #7 Define a Content Security Policy, as a header for anything served over a protocol the
  // session sees (berth://app/ sets the same header itself in app-protocol.ts).
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
}
