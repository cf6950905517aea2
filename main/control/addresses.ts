// The addresses clients should put in image references: one per non-internal interface, the
// host name, then localhost. A registry bound to one address has only that one.
import { hostname as osHostname, networkInterfaces as osInterfaces } from 'node:os';
import type { ClientAddress } from '../../preload/contract';
import { formatHostPort, isLoopbackHost, isWildcardHost, parseListenAddress } from '../config/listen-address';

export interface AddressSources {
  interfaces?: () => ReturnType<typeof osInterfaces>;
  hostname?: () => string;
}

export function clientAddresses(bound: { host: string; port: number }, tls: boolean, src: AddressSources = {}): ClientAddress[] {
  const scheme = tls ? 'https' : 'http';
  const make = (host: string, source: string): ClientAddress => {
    const hostPort = formatHostPort(host, bound.port);
    return { hostPort, url: `${scheme}://${hostPort}`, source };
  };
  if (!isWildcardHost(bound.host)) return [make(bound.host, isLoopbackHost(bound.host) ? 'loopback' : 'listen address')];

  const out: ClientAddress[] = [];
  for (const [name, list] of Object.entries((src.interfaces ?? osInterfaces)())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      // An IPv4-only listener (0.0.0.0) cannot be reached over IPv6; link-local IPv6 needs a
      // zone id that image references cannot carry.
      if (a.family === 'IPv6' && (bound.host === '0.0.0.0' || a.address.toLowerCase().startsWith('fe80'))) continue;
      out.push(make(a.address, name));
    }
  }
  const host = (src.hostname ?? osHostname)().toLowerCase();
  if (host && host !== 'localhost') out.push(make(host, 'hostname'));
  out.push(make('localhost', 'loopback'));
  return out;
}

/** The addresses a registry listening on `http` will have; none for a unix socket or port 0 (chosen at start). */
export function configuredAddresses(http: { addr: string; net: 'tcp' | 'unix'; tls?: unknown }, src: AddressSources = {}): ClientAddress[] {
  if (http.net !== 'tcp') return [];
  let listen;
  try {
    listen = parseListenAddress(http.addr);
  } catch {
    return [];
  }
  if (listen.port === 0) return [];
  return clientAddresses({ host: listen.host ?? '', port: listen.port }, http.tls !== undefined, src);
}
