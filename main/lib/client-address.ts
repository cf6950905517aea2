// Who a request comes from, for per-client limits: the socket peer, or — only when the peer is
// a configured reverse proxy — the address that proxy reports in X-Forwarded-For. Anything to
// the left of the entry a trusted proxy appended was written by the client and proves nothing,
// so the list is read from the right and the first address not in the trusted set wins.
import { BlockList, isIP } from 'node:net';

/** An address or CIDR block as written in config (`10.0.0.1`, `10.0.0.0/8`, `fd00::/8`); undefined when invalid. */
export function parseAddressBlock(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [addr = '', bits, ...rest] = text.trim().split('/');
  const version = isIP(addr);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address: addr, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A matcher for validated address blocks; undefined when the list is empty. */
export function addressSet(blocks: readonly string[]): BlockList | undefined {
  if (blocks.length === 0) return undefined;
  const list = new BlockList();
  for (const b of blocks) {
    const p = parseAddressBlock(b);
    if (p) list.addSubnet(p.address, p.prefix, p.family);
  }
  return list;
}

/** `::ffff:192.0.2.1` → `192.0.2.1` (a dual-stack listener reports IPv4 peers that way). */
export function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function contains(set: BlockList, address: string): boolean {
  const v = isIP(address);
  return v !== 0 && set.check(address, v === 4 ? 'ipv4' : 'ipv6');
}

/** The client's address: the peer, or the right-most untrusted X-Forwarded-For entry behind a trusted proxy. */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: BlockList | undefined): string {
  let address = unmapIPv4(peer ?? '');
  if (!trusted || !contains(trusted, address) || forwardedFor === undefined) return address || 'unknown';
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapIPv4(hops[i]!.trim().replace(/^\[(.*)\]$/, '$1'));
    // Not an address: the header is garbled past this point; keep the last hop we could trust.
    if (isIP(hop) === 0) break;
    address = hop;
    if (!contains(trusted, hop)) break;
  }
  return address;
}

/**
 * The key a per-client limit counts under: IPv4 addresses as they are, IPv6 by /64 — one
 * host usually holds a whole /64, so counting single IPv6 addresses would give it 2^64 tries.
 */
export function clientKey(address: string): string {
  const a = unmapIPv4(address);
  if (isIP(a) !== 6) return a;
  const groups = expandIPv6(a.replace(/%.*$/, ''));
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : a;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] | undefined {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16).toString(16)) : undefined;
}
