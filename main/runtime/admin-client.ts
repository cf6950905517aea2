// The commands' side of the maintenance channel (admin-channel.ts): one JSON request over HTTP on
// the socket or pipe. "Nothing answers" (no socket, or a stale one) is an answer of its own,
// undefined, so callers can fall back to working offline or say nothing.
import { request } from 'node:http';
import type { AdminCommand, AdminCommands } from './admin-protocol';

export interface AskOptions {
  /** Give up after this long; gc and fsck on a large store take minutes, so none by default. */
  timeoutMs?: number;
}

export function askAdmin<C extends AdminCommand>(path: string, command: C, body: AdminCommands[C]['request'], opts: AskOptions = {}): Promise<AdminCommands[C]['reply'] | undefined> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: path, method: 'POST', path: `/${command}`,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return reject(new Error(`the maintenance channel ${path} answered something that is not Berth's (HTTP ${res.statusCode})`));
        }
        if (res.statusCode === 200) return resolve(parsed as AdminCommands[C]['reply']);
        const why = (parsed as { error?: unknown }).error;
        reject(new Error(`the running Berth refused ${command} (HTTP ${res.statusCode}): ${typeof why === 'string' ? why : text}`));
      });
    });
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`the running Berth did not answer ${command} within ${opts.timeoutMs} ms (${path})`)));
    }
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') return resolve(undefined);
      if (err.code === 'EACCES' || err.code === 'EPERM') {
        return reject(new Error(`permission denied on the maintenance channel ${path}: the Berth serving this config runs as another user; run the command as that user`));
      }
      reject(err.code ? new Error(`cannot reach the maintenance channel ${path}: ${err.message}`) : err);
    });
    req.end(payload);
  });
}
