// Password guesses sent all at once: the limiter counts each attempt when it starts, so only the
// first ten ever reach bcrypt and the rest are refused at once; and bcrypt runs on worker
// threads, so a burst of guesses does not stall other clients (a logged-in client's requests,
// answered from its proven credential, keep their usual speed).
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../../main/lib/logger';
import { HtpasswdController } from '../../../../main/registry/auth/htpasswd-controller';
import { BcryptPool } from '../../../../main/users/bcrypt-pool';
import { hashPassword } from '../../../../main/users/htpasswd';
import { startTestRegistry, type TestRegistry } from '../../../support/registry';
import { testRegistryYaml } from '../../../support/registry-yaml';
import { errorCode, send } from '../../../support/auth-http';
import { tempDir } from '../../../support/cleanup';

describe('parallel password guesses', () => {
  let dir: string;
  let reg: TestRegistry;
  const pool = new BcryptPool(2);
  before(async () => {
    dir = await tempDir('berth-guesses-');
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, `alice:${await hashPassword('alice-pw')}\n`);
    const access = new HtpasswdController({
      realm: 'Guesses', path: htpasswd, roles: {}, defaultRole: 'admin', anonymousPull: false, log: silentLogger, bcrypt: pool,
    });
    reg = await startTestRegistry({
      access,
      yaml: (root) => testRegistryYaml(root, { extra: ['auth:', '  htpasswd:', '    realm: Guesses', `    path: ${htpasswd}`] }),
    });
  });
  after(async () => {
    await reg.stop();
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('40 wrong passwords at once: 10 are judged (401), 30 get 429 with Retry-After, and bcrypt runs at most 10 times', { timeout: 30_000 }, async () => {
    const before = pool.started;
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      send(reg.url, '/v2/', { auth: ['alice', `guess-${i}`], localAddress: '127.0.0.2' })));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 10, `statuses: ${statuses.join(' ')}`);
    const refused = replies.filter((r) => r.status === 429);
    assert.equal(refused.length, 30, `statuses: ${statuses.join(' ')}`);
    for (const r of refused) {
      assert.equal(errorCode(r), 'TOOMANYREQUESTS');
      assert.ok(Number(r.headers['retry-after']) > 0, `Retry-After ${String(r.headers['retry-after'])}`);
    }
    assert.ok(pool.started - before <= 10, `bcrypt ran ${pool.started - before} times`);
    // The user is not locked out from elsewhere.
    assert.equal((await send(reg.url, '/v2/', { auth: ['alice', 'alice-pw'], localAddress: '127.0.0.1' })).status, 200);
  });

  it('while 50 guesses are in flight, a logged-in client is answered promptly and the event loop does not stall', { timeout: 30_000 }, async () => {
    const auth: [string, string] = ['alice', 'alice-pw'];
    assert.equal((await send(reg.url, '/v2/', { auth, localAddress: '127.0.0.1' })).status, 200); // proven once
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let inFlight = true;
    const guesses = Promise.all(Array.from({ length: 50 }, (_, i) =>
      send(reg.url, '/v2/', { auth: ['alice', `attack-${i}`], localAddress: '127.0.0.3' }))).finally(() => { inFlight = false; });
    const times: number[] = [];
    while (inFlight || times.length < 20) {
      const t = performance.now();
      assert.equal((await send(reg.url, '/v2/_catalog', { auth, localAddress: '127.0.0.1' })).status, 200);
      times.push(performance.now() - t);
    }
    const replies = await guesses;
    delay.disable();
    assert.ok(replies.every((r) => r.status === 401 || r.status === 429));
    // bcrypt (cost 10) is ~60-70 ms of CPU per compare: run on the event loop, 50 of them
    // hold every other request for seconds. The bounds leave room for a slow, shared machine.
    const worst = Math.max(...times);
    assert.ok(worst < 300, `slowest logged-in request while guesses were in flight: ${worst.toFixed(0)} ms (${times.length} requests)`);
    assert.ok(delay.max / 1e6 < 150, `event loop delay max ${(delay.max / 1e6).toFixed(0)} ms`);
  });
});
