// The maintenance channel: a unix socket (a named pipe on Windows) on which the serving Berth runs
// gc, fsck, reload-users and warm-sync for `berth gc|fsck|users|sync` (admin-protocol.ts). It
// carries no credentials: who may connect is decided by the file system. The socket is mode 0600
// inside a 0700 directory owned by the user running Berth, so only that user (and root) can
// connect.
// Node offers no cheap way to read the peer's uid (SO_PEERCRED / getpeereid are not exposed),
// so the modes are the guard, not a check of the peer. On Windows Node cannot set a pipe's ACL:
// the pipe gets the default DACL of the server's token (on ordinary setups that user, SYSTEM and
// the administrators; see docs/security.md).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Logger } from '../lib/logger';
import { readJsonBody } from '../lib/read-json-body';
import { MaintenanceBusyError } from '../registry/storage/gc-guard';
import { AdminChannelUnavailable, type AdminEndpoint } from './admin-endpoint';
import { parseAdminRequest, type AdminCommand, type AdminCommands, type AdminHandlers } from './admin-protocol';

export interface AdminChannel {
  readonly path: string;
  /** Stops answering and removes the socket. */
  close(): Promise<void>;
}

const COMMANDS: readonly AdminCommand[] = ['gc', 'fsck', 'reload-users', 'warm-sync'];
const MAX_BODY = 64 * 1024;

export async function openAdminChannel(endpoint: AdminEndpoint, handlers: AdminHandlers, log: Logger): Promise<AdminChannel> {
  const { path, dir } = endpoint;
  if (dir) await privateDirectory(dir);
  if (await answers(path)) throw new AdminChannelUnavailable(`another process already answers on ${path}`);
  if (dir) await removeStale(path);
  const server = createServer((req, res) => void handle(req, res, handlers, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new AdminChannelUnavailable(`cannot listen on ${path}: ${err.message}`)));
    server.listen(path, resolve);
  });
  // listen() creates the socket with the umask's mode; the 0700 directory already keeps others
  // out in the moment before this chmod (changing the process umask would race other writes).
  if (dir) await chmod(path, 0o600);
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (dir) await unlink(path).catch(() => undefined); // libuv usually removed it already
    },
  };
}

/** Creates the directory 0700, or checks an existing one is ours and makes it 0700. */
async function privateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new AdminChannelUnavailable(`${dir} is not a directory (a symbolic link?); remove it so Berth can create its maintenance socket there`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new AdminChannelUnavailable(`${dir} belongs to uid ${st.uid}, not to this user (uid ${uid})`);
  if ((st.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

/** True when something accepts connections on the path (another live server: leave it alone). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const done = (up: boolean) => { sock.destroy(); resolve(up); };
    sock.setTimeout(2_000, () => done(true));
    sock.once('connect', () => done(true));
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
  });
}

/** Removes a socket left by a server that died (nothing answered on it); never any other file. */
async function removeStale(path: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw new AdminChannelUnavailable(`${path} exists and is not a socket; remove it so Berth can listen there`);
  await unlink(path);
}

async function handle(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers, log: Logger): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const command = (req.url ?? '/').split('?')[0]!.slice(1) as AdminCommand;
  if (!COMMANDS.includes(command)) return reply(404, { error: `no command ${JSON.stringify(command)}; the commands are ${COMMANDS.join(', ')}` });
  if (req.method !== 'POST') return reply(405, { error: 'use POST' });
  let request: AdminCommands[AdminCommand]['request'];
  try {
    request = parseAdminRequest(command, await readJsonBody(req, MAX_BODY));
  } catch (err) {
    return reply(400, { error: (err as Error).message });
  }
  log.info('maintenance command', { command, ...request });
  try {
    const handler = handlers[command] as (r: typeof request) => Promise<unknown>;
    reply(200, await handler(request));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof MaintenanceBusyError)) log.warn('maintenance command failed', { command, error: message });
    reply(err instanceof MaintenanceBusyError ? 409 : 500, { error: message });
  }
}

