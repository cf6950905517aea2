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
