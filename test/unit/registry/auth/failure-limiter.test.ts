// Repeated failed logins from one address are slowed, then refused with 429 TOOMANYREQUESTS and
// Retry-After, while the same user still logs in from another address.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FailureLimiter } from '../../../../main/registry/auth/failure-limiter';
import { RegistryError } from '../../../../main/registry/errors';
import { hashPassword } from '../../../../main/users/htpasswd';
import { startTestRegistry, type TestRegistry } from '../../../support/registry';
import { errorCode, send } from '../../../support/auth-http';
import { testRegistryYaml } from '../../../support/registry-yaml';
import { tempDir } from '../../../support/cleanup';

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

describe('FailureLimiter', () => {
  it('free attempts cost nothing, then delays grow, then the client is blocked with Retry-After', async () => {
    const l = new FailureLimiter({ freeFailures: 2, blockAfter: 4, blockMs: 1500, maxDelayMs: 400 });
    const a = '192.0.2.1';
    assert.ok(await elapsed(() => l.begin(a)) < 50);
    assert.ok(await elapsed(() => l.begin(a)) < 50);
    const third = await elapsed(() => l.begin(a)); // 2 earlier attempts: 250 ms
    assert.ok(third >= 240 && third < 400, `${third} ms`);
    const fourth = await elapsed(() => l.begin(a)); // 3 earlier: min(500, 400); the block starts now
    assert.ok(fourth >= 390 && fourth < 600, `${fourth} ms`);
    await assert.rejects(l.begin(a), (e: unknown) => e instanceof RegistryError && e.kind === 'too-many-requests' && e.headers?.['Retry-After'] === '2');
    // Another client is not affected.
    assert.ok(await elapsed(() => l.begin('192.0.2.2')) < 50);
    // The block ends by itself; within the window the client stays slowed (not refused).
    await new Promise((r) => setTimeout(r, 1600));
    const afterBlock = await elapsed(() => l.begin(a));
    assert.ok(afterBlock >= 390 && afterBlock < 600, `${afterBlock} ms`);
  });

  it('attempts count when they start: parallel ones beyond the limit are refused before any is judged', async () => {
    const l = new FailureLimiter({ freeFailures: 100, blockAfter: 3 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => l.begin('p')));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('a success from the client clears its record; an attempt never judged can be given back', async () => {
    const l = new FailureLimiter({ freeFailures: 1, blockAfter: 10 });
    await l.begin('c');
    await l.begin('c');
    l.succeed('c');
    assert.ok(await elapsed(() => l.begin('c')) < 50);
    l.release('c');
    assert.ok(await elapsed(() => l.begin('c')) < 50, 'the released attempt does not count');
  });

  it('attempts are forgotten after the window', async () => {
    const l = new FailureLimiter({ freeFailures: 1, blockAfter: 3, blockMs: 10, windowMs: 100 });
    await l.begin('w');
    await l.begin('w');
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(await elapsed(() => l.begin('w')) < 50);
  });
});

describe('failure limiting over HTTP (127.0.0.2 guesses, 127.0.0.1 logs in)', () => {
  let dir: string;
  let reg: TestRegistry;
  before(async () => {
    dir = await tempDir('berth-limit-');
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, `alice:${await hashPassword('alice-pw')}\n`);
    reg = await startTestRegistry({
      yaml: (root) => testRegistryYaml(root, { extra: [
        'auth:',
        '  htpasswd:',
        '    realm: Limits',
        `    path: ${htpasswd}`,
      ] }),
    });
  });
  after(async () => {
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('slowed, then 429 TOOMANYREQUESTS with Retry-After; the legitimate user still gets in from elsewhere', { timeout: 60_000 }, async () => {
    const attacker = '127.0.0.2';
    const times: number[] = [];
    let last;
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      last = await send(reg.url, '/v2/', { auth: ['alice', `guess-${i}`], localAddress: attacker });
      times.push(performance.now() - t);
      assert.equal(last.status, 401, `guess ${i}`);
    }
    // The first five cost one bcrypt each; from the sixth on, each waits longer first.
    assert.ok(Math.max(...times.slice(0, 5)) < 240, `free failures: ${times.map((x) => x.toFixed(0)).join(', ')}`);
    assert.ok(times[5]! >= 240 && times[7]! >= 990 && times[9]! >= 1990, `slowed: ${times.map((x) => x.toFixed(0)).join(', ')}`);

    // Blocked now, even with the right password, and answered at once.
    const t = performance.now();
    const blocked = await send(reg.url, '/v2/', { auth: ['alice', 'alice-pw'], localAddress: attacker });
    assert.ok(performance.now() - t < 200, 'a blocked client gets its answer without a bcrypt or a delay');
    assert.equal(blocked.status, 429);
    assert.equal(errorCode(blocked), 'TOOMANYREQUESTS');
    const retry = Number(blocked.headers['retry-after']);
    assert.ok(retry > 200 && retry <= 300, `Retry-After ${String(blocked.headers['retry-after'])}`);

    // The same user from another address is not locked out.
    const ok = await send(reg.url, '/v2/', { auth: ['alice', 'alice-pw'], localAddress: '127.0.0.1' });
    assert.equal(ok.status, 200);
    // Anonymous probes from the blocked address still get the normal challenge (not a failure).
    assert.equal((await send(reg.url, '/v2/', { localAddress: attacker })).status, 401);
  });
});
