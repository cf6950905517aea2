// berth.http.maxconnections: connections beyond the cap are dropped as soon as they are
// accepted, the ones already open keep being served, and new clients are served again as soon
// as connections close.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { raw } from '../support/oci';
import { testRegistryYaml } from '../support/registry-yaml';
import { startTestRegistry, type TestRegistry } from '../support/registry';

const MAX = 20;
const PING = 'GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

interface Conn { sock: Socket; received: string; closed: Promise<void> }

/** A kept-alive connection that has sent `PING` and got its answer (or was dropped). */
function ping(url: string): Promise<Conn> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    let done: () => void;
    const c: Conn = { sock, received: '', closed: new Promise((r) => { done = r; }) };
    sock.on('error', () => undefined);
    sock.on('connect', () => sock.write(PING));
    sock.on('data', (d: Buffer) => {
      c.received += d.toString('latin1');
      if (c.received.includes('\r\n\r\n')) resolve(c);
    });
    sock.on('close', () => { done(); resolve(c); });
  });
}

describe('connection cap', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  http:', `    maxconnections: ${MAX}`] }) });
  });
  after(async () => { await reg.stop(); });

  const served = async () => (await raw(reg.url, { path: '/v2/', headers: { connection: 'close' } })).status;
  const open = () => new Promise<number>((r) => reg.registry.server.getConnections((_, n) => r(n)));

  it('drops connections beyond berth.http.maxconnections and serves again once some close', async () => {
    const held: Conn[] = [];
    for (let i = 0; i < MAX - 1; i++) {
      const c = await ping(reg.url);
      assert.match(c.received, /^HTTP\/1\.1 200 /, `connection ${i + 1} is served`);
      held.push(c);
    }
    // One place left: an ordinary client takes it and is served.
    assert.equal(await served(), 200);
    held.push(await ping(reg.url));
    assert.match(held.at(-1)!.received, /^HTTP\/1\.1 200 /);

    // At the cap: further connections are closed unanswered, and the count never goes above it.
    for (let i = 0; i < 5; i++) {
      const extra = await ping(reg.url);
      await extra.closed;
      assert.equal(extra.received, '', 'a connection beyond the cap gets no answer');
    }
    assert.ok((await open()) <= MAX, `${await open()} connections open`);
    // The connections already open keep being served.
    for (const c of held.slice(0, 3)) {
      c.received = '';
      const answer = new Promise<void>((r) => c.sock.once('data', () => r()));
      c.sock.write(PING);
      await answer;
      assert.match(c.received, /^HTTP\/1\.1 200 /);
    }

    // Some go away: new clients are served again at once.
    for (const c of held.splice(0, 5)) { c.sock.destroy(); await c.closed; }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await Promise.all([served(), served(), served()]), [200, 200, 200]);
    for (const c of held) { c.sock.destroy(); await c.closed; }
    await new Promise((r) => setTimeout(r, 50));
    const many = await Promise.all(Array.from({ length: MAX }, served));
    assert.ok(many.every((s) => s === 200), `after the held connections closed: ${many.join(',')}`);
  });
});
