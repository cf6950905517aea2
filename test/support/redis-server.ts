// A private Redis (Debian's redis-server) per caller: foreground child on a free loopback port,
// no persistence, so tests never meet a Redis the machine may run nor each other's data.
import { connect } from 'node:net';
import { tempDir } from './cleanup';
import { describeExit, freePort, outputTail, requireExecutable, sleep, spawnProcess, type ManagedProcess } from './processes';

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** SIGTERM (Redis exits at once without persistence), then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

export async function startRedis(opts: { readyTimeoutMs?: number } = {}): Promise<RedisServer> {
  const binary = requireExecutable('redis-server', 'redis-server');
  // Its working dir: with persistence off nothing is written, but a test's SAVE or BGSAVE
  // must land in a temp dir, not in the repository checkout.
  const dir = await tempDir('berth-redis-');
  const port = await freePort();
  const proc = spawnProcess(`redis-server 127.0.0.1:${port}`, binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning',
  ]);
  try {
    await waitForPong(proc, port, opts.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop: async () => void (await proc.stop(5_000)) };
}

/** Redis answers PING only once it serves commands (not while loading), unlike a bare connect. */
async function waitForPong(proc: ManagedProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt yet';
  while (Date.now() < deadline) {
    const exit = proc.exitStatus();
    if (exit) throw new Error(`${proc.name} ${describeExit(exit)} before answering PING; output:\n${outputTail(proc)}`);
    try {
      const reply = await ping(port);
      if (reply === '+PONG') return;
      last = `reply ${JSON.stringify(reply)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(25);
  }
  throw new Error(`${proc.name} did not answer PING within ${timeoutMs} ms (last: ${last}); output:\n${outputTail(proc)}`);
}

/** One inline PING over a raw socket: the first reply line, without a Redis client library. */
function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setTimeout(1_000, () => socket.destroy(new Error('no reply within 1 s')));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(received.slice(0, end));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed after ${JSON.stringify(received)}`)));
  });
}
