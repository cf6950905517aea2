// Checks of single values the schema's types cannot express: URLs, and the grammar of each kind
// of list entry the setting table names. Each reports a problem at its path and returns the value
// as the registry uses it (trimmed, normalised), or undefined when it was refused.
import { parseAddressBlock } from '../lib/client-address';
import { hostNameOf } from '../lib/host-name';
import { isValidName } from '../../preload/contract/repository-name';
import type { ListItem } from '../../preload/contract/setting-table';
import type { Report } from './report';

export function httpUrl(path: string, value: string, report: Report): boolean {
  try {
    const u = new URL(value);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host) return true;
  } catch {
    // reported below
  }
  report.error(path, `${JSON.stringify(value)} is not an absolute http(s) URL`, 'e.g. https://registry.example.com:5000');
  return false;
}

/** Each entry checked by its grammar; refused and repeated entries are reported and left out. */
export function checkList(path: string, list: readonly string[], item: ListItem, report: Report): string[] {
  const out: string[] = [];
  list.forEach((raw, i) => {
    const value = ITEMS[item](raw);
    if (typeof value !== 'string') report.error(`${path}.${i}`, `${JSON.stringify(raw)} ${value.problem}`, value.hint);
    else if (out.includes(value)) report.error(`${path}.${i}`, `${JSON.stringify(raw)} is listed twice`);
    else out.push(value);
  });
  return out;
}

/** Why `raw` is not an entry of an `item` list, as a sentence; undefined when it is one. */
export function listItemProblem(item: ListItem, raw: string): string | undefined {
  const value = ITEMS[item](raw);
  return typeof value === 'string' ? undefined : `${JSON.stringify(raw)} ${value.problem} (${value.hint})`;
}

type Refused = { problem: string; hint: string };

const ITEMS: Record<ListItem, (raw: string) => string | Refused> = {
  /** A reverse proxy for X-Forwarded-For: checked here so the matcher never sees a bad one. */
  'address-block': (raw) => parseAddressBlock(raw) ? raw.trim() : { problem: 'is not an IP address or CIDR block', hint: 'e.g. 10.0.0.5, 10.0.0.0/8 or fd00::/64' },
  /** An exact origin, as browsers send it (scheme://host[:port]). */
  origin: (raw) => originOf(raw) ?? { problem: 'is not an origin', hint: 'write scheme://host[:port] with nothing after it, e.g. https://ui.example.com' },
  /** A Host header name (a port is ignored), or "*" for any. */
  host: (raw) => (raw.trim() === '*' ? '*' : hostNameOf(raw)) || { problem: 'is not a host name', hint: 'e.g. registry.example.com, or "*" to accept any Host header' },
  /** A repository-name prefix: the grammar of any repository name, so it can always match one. */
  repository: (raw) => {
    const value = raw.trim().replace(/\/+$/, '');
    return isValidName(value) ? value : { problem: 'is not a repository name prefix', hint: 'lower-case letters, digits and separators (. _ -), components joined by "/", e.g. team or ci/builds' };
  },
};

function originOf(raw: string): string | undefined {
  try {
    const u = new URL(raw.trim());
    const bare = u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password && !raw.trim().endsWith('#');
    if ((u.protocol === 'http:' || u.protocol === 'https:') && bare) return u.origin;
  } catch {
    // not a URL
  }
  return undefined;
}
