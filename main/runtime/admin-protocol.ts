// The maintenance channel's requests and replies, shared by the server (admin-channel.ts) and
// the commands (admin-client.ts): JSON over HTTP on the socket, `POST /<command>`, a JSON body,
// 200 with the result or an error status with `{ "error": "…" }`.
import type { FsckOptions, FsckReport } from '../registry/storage/maintenance/fsck';
import type { GcOptions, GcReport } from '../registry/storage/maintenance/gc';
import type { WarmList } from '../../preload/contract/warm';

export interface ReloadReport {
  /** Changed config keys that only a restart applies (the reload applies roles and auth limits). */
  pending: string[];
}

export interface AdminCommands {
  gc: { request: Pick<GcOptions, 'dryRun' | 'deleteUntagged' | 'gracePeriodMs'>; reply: GcReport };
  fsck: { request: Pick<FsckOptions, 'repair'>; reply: FsckReport };
  'reload-users': { request: Record<string, never>; reply: ReloadReport };
  /** The kept-warm list (berth sync); with `now`, refreshed first (one `image`, or all). */
  'warm-sync': { request: { now?: boolean; image?: string }; reply: WarmList };
}

export type AdminCommand = keyof AdminCommands;

export type AdminHandlers = { [C in AdminCommand]: (request: AdminCommands[C]['request']) => Promise<AdminCommands[C]['reply']> };

/** Checks a request body against its command; the message names the offending field. */
export function parseAdminRequest<C extends AdminCommand>(command: C, body: unknown): AdminCommands[C]['request'] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const allowed: Record<AdminCommand, string[]> = { gc: ['dryRun', 'deleteUntagged', 'gracePeriodMs'], fsck: ['repair'], 'reload-users': [], 'warm-sync': ['now', 'image'] };
  for (const key of Object.keys(b)) {
    if (!allowed[command].includes(key)) throw new Error(`${command} takes no ${JSON.stringify(key)}`);
    const v = b[key];
    if (key === 'gracePeriodMs') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error('gracePeriodMs must be a number of milliseconds');
      if (v < 0) throw new Error(`the grace period must not be negative (got ${v} ms)`);
    } else if (key === 'image') {
      if (typeof v !== 'string' || v.length === 0 || v.length > 512) throw new Error('image must be a name:tag from berth.proxy.warm.images');
    } else if (typeof v !== 'boolean') {
      throw new Error(`${key} must be true or false`);
    }
  }
  return b as AdminCommands[C]['request'];
}
