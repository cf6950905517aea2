// Electron's protocol and session modules (https://www.electronjs.org/docs/latest/api/protocol,
// .../api/session): privileged schemes can only be registered before 'ready', and once; the
// session (and so its protocol) exists only after 'ready'; a scheme has one handler at a time.
// A request reaches a protocol.handle handler as a real Request whose URL Chromium has
// canonicalised: like http for a standard scheme (host lower-cased, dot segments and their
// %2e forms resolved, backslashes as slashes), as an opaque path otherwise.
'use strict';

const { app } = require('./app.cjs');
const control = require('./control.cjs');

const privileged = new Map(); // scheme → privileges
let privilegedRegistered = false;

function registerSchemesAsPrivileged(customSchemes) {
  if (app.isReady()) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
  if (privilegedRegistered) throw new Error('protocol.registerSchemesAsPrivileged can be called only once');
  privilegedRegistered = true;
  for (const { scheme, privileges = {} } of customSchemes) privileged.set(scheme, { ...privileges });
  control.report('protocol.registerSchemesAsPrivileged', { schemes: customSchemes });
}

const isStandard = (scheme) => ['http', 'https', 'file'].includes(scheme) || privileged.get(scheme)?.standard === true;

/** The URL as Chromium hands it to the handler. */
function canonicalUrl(url) {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (!isStandard(scheme) || ['http', 'https', 'file'].includes(scheme)) return new URL(url).href;
  const asHttp = new URL(`http:${url.slice(scheme.length + 1)}`);
  return `${scheme}:${asHttp.href.slice('http:'.length)}`;
}

/** Resolves a link in a page as Chromium would: relative links work only under a standard scheme. */
function resolveLink(ref, base) {
  const scheme = base.slice(0, base.indexOf(':')).toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return canonicalUrl(ref);
  if (!isStandard(scheme)) throw new Error(`cannot resolve "${ref}" against ${base}: ${scheme}: is not a standard scheme`);
  const asHttp = new URL(ref, `http:${base.slice(scheme.length + 1)}`);
  return `${scheme}:${asHttp.href.slice('http:'.length)}`;
}

class Protocol {
  constructor() { this.handlers = new Map(); }
  handle(scheme, handler) {
    if (this.handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    this.handlers.set(scheme, handler);
    control.report('protocol.handle', { scheme });
  }
  unhandle(scheme) {
    if (!this.handlers.delete(scheme)) throw new Error(`Failed to unregister protocol: ${scheme}`);
  }
  isProtocolHandled(scheme) { return Promise.resolve(this.handlers.has(scheme)); }

  /**
   * What Chromium does with a request for a handled scheme: a real Request to the handler, and
   * its Response read back. A handler that throws or returns something else is a net error.
   */
  async fetch(url, init = {}) {
    const href = canonicalUrl(url);
    const scheme = href.slice(0, href.indexOf(':'));
    const handler = this.handlers.get(scheme);
    if (!handler) return { url: href, netError: 'ERR_UNKNOWN_URL_SCHEME' };
    let request;
    try {
      request = new Request(href, { method: init.method ?? 'GET', headers: init.headers ?? {} });
    } catch (err) {
      return { url: href, netError: 'ERR_FAILED', error: String(err) }; // as in Electron: no Request, no handler call
    }
    let res;
    try {
      res = await handler(request);
    } catch (err) {
      return { url: href, netError: 'ERR_UNEXPECTED', error: String(err) };
    }
    if (!(res instanceof Response)) return { url: href, netError: 'ERR_UNEXPECTED', error: 'the handler did not return a Response' };
    if (res.type === 'error') return { url: href, netError: 'ERR_FAILED' };
    const body = Buffer.from(await res.arrayBuffer());
    return { url: href, status: res.status, headers: Object.fromEntries(res.headers), body };
  }
}

class Session {
  constructor() {
    this.protocol = new Protocol();
    this.permissionRequestHandler = null;
    this.permissionCheckHandler = null;
    this.headersReceived = null;
    this.webRequest = { onHeadersReceived: (filter, listener) => { this.headersReceived = listener ?? filter; } };
  }
  setPermissionRequestHandler(handler) { this.permissionRequestHandler = handler; }
  setPermissionCheckHandler(handler) { this.permissionCheckHandler = handler; }
  /** Asks the session's handlers, as Chromium does when a page wants `permission`. */
  requestPermission(webContents, permission) {
    if (this.permissionCheckHandler && !this.permissionCheckHandler(webContents, permission, 'berth://app', {})) return Promise.resolve(false);
    if (!this.permissionRequestHandler) return Promise.resolve(true); // Electron's default: granted
    return new Promise((resolve) => this.permissionRequestHandler(webContents, permission, resolve, {}));
  }
}

let defaultSession;
const session = {
  get defaultSession() {
    if (!app.isReady()) throw new Error('session module can only be used when app is ready');
    defaultSession ??= new Session();
    return defaultSession;
  },
  fromPartition() { throw new Error('electron stand-in: only the default session is modelled'); },
};

/** The global protocol module: the default session's protocol, plus the before-ready registration. */
const protocol = {
  registerSchemesAsPrivileged,
  handle: (scheme, handler) => session.defaultSession.protocol.handle(scheme, handler),
  unhandle: (scheme) => session.defaultSession.protocol.unhandle(scheme),
  isProtocolHandled: (scheme) => session.defaultSession.protocol.isProtocolHandled(scheme),
};

module.exports = { protocol, session, privileged, canonicalUrl, resolveLink, currentSession: () => defaultSession };
