// Turns distribution's http.addr ("host:port", ":port", "[::1]:port") into listen options.
export interface ListenAddress { host: string | undefined; port: number }

export function parseListenAddress(addr: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new Error(`http.addr ${JSON.stringify(addr)} is not host:port`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`http.addr ${JSON.stringify(addr)}: port out of range`);
  return { host: host ? host : undefined, port };
}

/** host:port for display, with IPv6 brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Two questions about the host of a listen address, each answered here only:
// - isLoopbackHost: does it name this machine's loopback, so only local clients can connect?
// - isWildcardHost: does it stand for every interface (":5000", 0.0.0.0, ::)?
// A wildcard listener accepts loopback connections too, but is not "on loopback": other machines
// reach it as well.

/** localhost, 127.0.0.0/8 or ::1 (with or without brackets, IPv4-mapped too): only this machine connects. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\./.test(h);
}

/** No host, 0.0.0.0 or ::: the listener takes connections on every interface. */
export function isWildcardHost(host: string | undefined): boolean {
  return host === undefined || host === '' || host === '0.0.0.0' || host === '::';
}

/** True when a listen address (host:port) accepts loopback connections only; ":port" and 0.0.0.0 do not. */
export function listensOnLoopback(addr: string): boolean {
  try {
    const { host } = parseListenAddress(addr);
    return host !== undefined && isLoopbackHost(host);
  } catch {
    return false; // a unix socket path: not a TCP listener at all
  }
}
