// The names a workstation registry is reached by: its hostname, localhost, the loopback
// addresses and every address of a non-internal interface (what clients on the LAN will use).
import { hostname, networkInterfaces } from 'node:os';

export interface SubjectNames { dns: string[]; ips: string[] }

export function defaultSubjectNames(): SubjectNames {
  const dns = [...new Set([hostname().toLowerCase(), 'localhost'])].filter(Boolean);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) ips.add(a.address.split('%')[0]!);
  }
  return { dns, ips: [...ips] };
}

/** Splits user-given names into DNS names and IP addresses. */
export function classifyNames(names: readonly string[]): SubjectNames {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const raw of names) {
    const n = raw.trim().replace(/^\[|\]$/g, '');
    if (!n) continue;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(n) || n.includes(':')) ips.push(n);
    else dns.push(n.toLowerCase());
  }
  return { dns, ips };
}
