// The console half of `berth serve --console [ADDR]`: the core's control service over HTTP on a
// loopback address (anything else needs --console-public), and the token URL printed once. The
// registry's own start failure does not end the process here: the console stays up so the user
// can fix the settings that stopped it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isLoopbackHost } from '../config/listen-address';
import type { ControlService } from '../control/service';
import { startConsoleServer, type ConsoleServer } from '../console/console-server';
import { newConsoleToken, writeConsoleToken } from '../console/token';
import type { Logger } from '../lib/logger';

export const DEFAULT_CONSOLE_ADDR = '127.0.0.1:5080';

export interface ConsoleAddress { host: string; port: number }

/** Parses ADDR ("host:port", "[::1]:port", ":port", "port"); refuses non-loopback unless public. */
export function parseConsoleAddress(addr: string, allowPublic: boolean): ConsoleAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr) ?? /^()()(\d+)$/.exec(addr);
  if (!m || Number(m[3]) > 65535) throw new Error(`--console ${addr}: expected host:port, e.g. ${DEFAULT_CONSOLE_ADDR}`);
  const host = m[1] ?? (m[2] || '127.0.0.1');
  if (!isLoopbackHost(host) && !allowPublic) {
    throw new Error(`--console ${addr} is not a loopback address; the console controls the whole registry, so serving it on the network needs --console-public (and TLS in front of it)`);
  }
  return { host, port: Number(m[3]) };
}

/** dist/renderer next to the bundle (dist/berth.cjs), or under the working folder from source. */
export function rendererDir(): string {
  const env = process.env;
  if (env.BERTH_RENDERER_DIR) return resolve(env.BERTH_RENDERER_DIR);
  const besideBundle = typeof __dirname === 'string' ? join(__dirname, 'renderer') : undefined;
  return besideBundle && existsSync(besideBundle) ? besideBundle : resolve('dist', 'renderer');
}

export interface ConsoleModeOptions {
  address: ConsoleAddress;
  /** The core's control service; the core owns it, so closing the console leaves it running. */
  service: ControlService;
  /** Where the token file is written. */
  dataDir: string;
  log: Logger;
  out: (line: string) => void;
}

export async function startConsoleMode(o: ConsoleModeOptions): Promise<{ close(): Promise<void> }> {
  const { service } = o;
  const token = newConsoleToken();
  const tokenPath = await writeConsoleToken(o.dataDir, token);
  let server: ConsoleServer;
  try {
    server = await startConsoleServer({ service, token, rendererDir: rendererDir(), host: o.address.host, port: o.address.port, log: o.log });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot serve the console on ${o.address.host}:${o.address.port}: ${code === 'EADDRINUSE' ? 'the address is already in use' : (err as Error).message}`);
  }
  o.out(`Berth console on ${server.url}#token=${token}\n`);
  o.out(`(open that address in a browser; the token is also in ${tokenPath})\n`);
  return {
    close: () => server.close(),
  };
}
