// The one grammar for the registry addresses the Docker wizard writes into daemon.json and
// hosts.toml paths: `insecure-registries` entries (host[:port] or a CIDR) and `registry-mirrors`
// URLs. Shared by the backend (which enforces it) and the renderer (which explains it early), so
// it is plain TypeScript with no imports. The grammar is deliberately narrower than what a URL
// parser accepts: these strings end up in root-owned files, shell commands shown to the user and
// certs.d folder names, so only host names (RFC 1123), IPv4, bracketed IPv6 (RFC 3986) and a
// decimal port 1-65535 get through: never a quote, `;`, `$`, a backtick, whitespace or a `/`.

/** A host name: dot-separated labels of letters, digits and inner hyphens (RFC 1123). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PORT = /^[1-9][0-9]{0,4}$/;

export function isIPv4(v: string): boolean {
  const parts = v.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** An IPv6 address without brackets or zone (RFC 4291 text form, optional trailing IPv4). */
export function isIPv6(v: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(v)) return false;
  let body = v;
  let groups = 0;
  const tail = v.slice(v.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    body = v.slice(0, v.length - tail.length);
    if (!body.endsWith('::')) body = body.slice(0, -1);
    groups = 2; // the IPv4 part counts as two groups
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const counts = halves.map(hexGroups);
  if (counts.some((c) => c === undefined)) return false;
  groups += counts.reduce<number>((a, c) => a + c!, 0);
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

function hexGroups(s: string): number | undefined {
  if (s === '') return 0;
  const g = s.split(':');
  return g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)) ? g.length : undefined;
}

export function isHostName(v: string): boolean {
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // All-numeric names are IPv4 or nothing ("999.1.1.1", "10.0.0" are typos, not names).
  return !labels.every((l) => /^[0-9]+$/.test(l)) || isIPv4(name);
}

/**
 * Why `v` is not host[:port] (hostname, IPv4 or [IPv6], port 1-65535), or undefined when it is.
 * `portRequired`: a certs.d folder or a snippet names host:port exactly.
 */
export function hostPortProblem(v: string, portRequired = false): string | undefined {
  if (v === '') return 'the host is empty';
  if (/[^A-Za-z0-9.:[\]-]/.test(v)) return 'not a valid host name: only letters, digits, "." and "-" are allowed (and [ ] and ":" around an IPv6 address), no spaces, paths or credentials';
  let host: string;
  let port: string | undefined;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0) return 'an IPv6 address needs a closing "]"';
    host = v.slice(1, end);
    const rest = v.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return 'expected ":port" after the IPv6 address';
    port = rest === '' ? undefined : rest.slice(1);
    if (!isIPv6(host)) return `"${host}" is not an IPv6 address`;
  } else {
    const parts = v.split(':');
    if (parts.length > 2) return 'an IPv6 address goes in brackets, e.g. [fd00::1]:5000';
    host = parts[0]!;
    port = parts[1];
    if (/[[\]]/.test(host) || !isHostName(host)) return `"${host}" is not a valid host name or IPv4 address`;
  }
  if (port === undefined) return portRequired ? 'add the port, e.g. host:5000' : undefined;
  if (/^[0-9]+$/.test(port) && (Number(port) === 0 || Number(port) > 65535)) return `port ${port} is out of range (1-65535)`;
  if (!PORT.test(port)) return `the port "${port}" must be a number from 1 to 65535, without leading zeros`;
  return undefined;
}

/** An IPv4 or IPv6 network in CIDR notation, as dockerd accepts in insecure-registries. */
export function isCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return false;
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  if (isIPv4(addr)) return Number(bits) <= 32;
  return isIPv6(addr) && Number(bits) <= 128;
}

/** Why `v` is not an insecure-registries entry (host[:port] or a CIDR, no scheme), or undefined. */
export function insecureRegistryProblem(v: string): string | undefined {
  if (v === '') return 'the host is empty';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) return 'insecure-registries takes host:port without a scheme';
  if (v.includes('/')) return isCidr(v) ? undefined : 'only host:port (or a network such as 10.1.0.0/16) is allowed: no path';
  return hostPortProblem(v);
}

export interface MirrorParts {
  scheme: 'http' | 'https';
  /** host[:port] as written (brackets kept for IPv6). */
  hostPort: string;
  /** "" or "/a/b", without a trailing slash. */
  path: string;
}

/**
 * Splits a registry-mirrors URL, http(s)://host[:port][/path], with no credentials, query,
 * fragment, whitespace or other characters; returns the reason when it is not one.
 */
export function parseMirrorUrl(v: string): MirrorParts | { problem: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(v);
  if (!m) return { problem: 'registry-mirrors entries are URLs with a scheme, e.g. http://host:5000' };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { problem: 'registry-mirrors entries need http:// or https://' };
  const authority = m[2]!;
  const rest = m[3]!;
  if (authority.includes('@')) return { problem: 'credentials are not allowed in a mirror URL (use docker login)' };
  if (rest.includes('?')) return { problem: 'a query string is not allowed in a mirror URL' };
  if (rest.includes('#')) return { problem: 'a fragment is not allowed in a mirror URL' };
  const hp = hostPortProblem(authority);
  if (hp) return { problem: hp };
  if (rest !== '' && !/^(\/[A-Za-z0-9._~-]+)*\/?$/.test(rest)) return { problem: 'the path of a mirror URL may hold only letters, digits and . _ ~ - between slashes' };
  const path = rest.replace(/\/+$/, '');
  // Docker appends /v2/ itself: a mirror written with it is asked for /v2/v2/… and never answers.
  if (/(^|\/)v2$/i.test(path)) return { problem: `a path ("${rest}") is not allowed here: Docker adds /v2/ itself` };
  return { scheme, hostPort: authority, path };
}

export function mirrorUrlProblem(v: string): string | undefined {
  const p = parseMirrorUrl(v);
  return 'problem' in p ? p.problem : undefined;
}
