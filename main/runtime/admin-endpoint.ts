// Where the maintenance channel of the Berth serving a configuration lives, so that `berth gc`,
// `berth fsck` and `berth users …`, given the same config (and the same data folder), find the
// server that serves it. A server is identified by what it listens on (net + host + port): two
// Berths cannot serve the same address, and the address is what the CLI reads from the config.
//
// Unix: `<data folder>/run/admin-<hash>.sock`, the socket mode 0600 in a 0700 directory owned by
// the user (admin-channel.ts). Windows: the named pipe `\\.\pipe\berth-admin-<hash>`; pipes share
// one machine-wide namespace, so the data folder (per user) is part of the hash.
import { createHash } from 'node:crypto';
import { join, resolve, win32 } from 'node:path';
import type { RegistryConfig } from '../config/types';
import { parseListenAddress } from '../config/listen-address';

/** sun_path holds 104 bytes on macOS and the BSDs (108 on Linux), NUL included: 103 fits everywhere. */
export const MAX_SOCKET_PATH_BYTES = 103;

/** The channel cannot exist for this config or data folder; the message says why and what to do. */
export class AdminChannelUnavailable extends Error {}

export interface AdminEndpoint {
  /** The socket path or pipe name to listen on and connect to. */
  path: string;
  /** The private directory holding the socket (unix); undefined for a Windows pipe. */
  dir: string | undefined;
}

/**
 * The identity of the server for a config: `tcp <host> <port>` or `unix <path>`. The server passes
 * the port it really bound (http.addr may ask for port 0); the CLI has only the config, so with
 * port 0 there is no way to find the server and this throws.
 */
export function serverIdentity(config: RegistryConfig, boundPort?: number): string {
  if (config.http.net === 'unix') return `unix ${resolve(config.http.addr)}`;
  const { host, port } = parseListenAddress(config.http.addr);
  const p = boundPort ?? port;
  if (p === 0) throw new AdminChannelUnavailable(`http.addr ${config.http.addr} asks for a random port, so no command can find the server serving it`);
  return `tcp ${(host ?? '').toLowerCase()} ${p}`;
}

export function adminEndpoint(dataDir: string, identity: string, platform: NodeJS.Platform = process.platform): AdminEndpoint {
  const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
  if (platform === 'win32') {
    return { path: `\\\\.\\pipe\\berth-admin-${hash(`${win32.resolve(dataDir).toLowerCase()}\n${identity}`)}`, dir: undefined };
  }
  const dir = join(resolve(dataDir), 'run');
  const path = join(dir, `admin-${hash(identity)}.sock`);
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new AdminChannelUnavailable(`the maintenance socket ${path} would be ${bytes} bytes long, over the ${MAX_SOCKET_PATH_BYTES}-byte limit of unix socket paths; set BERTH_DATA_DIR to a shorter folder (for the server and the commands alike)`);
  }
  return { path, dir };
}
