// Maintenance endpoints on the debug listener: `POST /debug/gc?dryrun=&untagged=&grace=` and
// `POST /debug/fsck?repair=`, answering the JSON report. `berth gc` and `berth fsck` use them to
// run inside the serving process (online), where the caches and the GC guard live. The debug
// listener has no authentication (distribution's doesn't either), so these answer only
// loopback peers and refuse anything a browser sends cross-site (an Origin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '../config/duration';
import type { FsckOptions, FsckReport } from './storage/fsck';
import type { GcOptions, GcReport } from './storage/gc';
import { MaintenanceBusyError } from './storage/gc-guard';

export interface Maintenance {
  gc(opts: GcOptions): Promise<GcReport>;
  fsck(opts: FsckOptions): Promise<FsckReport>;
}

export const ADMIN_PATHS = new Set(['/debug/gc', '/debug/fsck']);

export function handleAdmin(req: IncomingMessage, res: ServerResponse, store: Maintenance | undefined): void {
  const url = new URL(req.url ?? '/', 'http://debug');
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return reply(405, { error: 'use POST' }, { Allow: 'POST' });
  if (!isLoopback(req.socket.remoteAddress) || req.headers.origin !== undefined) {
    return reply(403, { error: 'maintenance endpoints answer loopback clients only, and no browser pages' });
  }
  if (!store) return reply(503, { error: 'the registry is not running' });
  let run: () => Promise<unknown>;
  try {
    const q = url.searchParams;
    if (url.pathname === '/debug/gc') {
      const grace = q.get('grace');
      const opts: GcOptions = { dryRun: flag(q.get('dryrun')), deleteUntagged: flag(q.get('untagged')) };
      if (grace !== null) opts.gracePeriodMs = parseDuration(grace);
      run = () => store.gc(opts);
    } else {
      run = () => store.fsck({ repair: flag(q.get('repair')) });
    }
  } catch (err) {
    return reply(400, { error: (err as Error).message });
  }
  run().then((report) => reply(200, report), (err: unknown) => {
    reply(err instanceof MaintenanceBusyError ? 409 : 500, { error: err instanceof Error ? err.message : String(err) });
  });
}

function flag(v: string | null): boolean {
  if (v === null || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new Error(`expected true or false, got ${JSON.stringify(v)}`);
}

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return v4.startsWith('127.') || addr === '::1';
}
