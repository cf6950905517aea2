// The proxy's first-client body (live-body.ts): sent straight to a real HTTP response on
// loopback, with `sent` counting only completed writes, and read as a plain stream; neither way
// may leave the download waiting once the client is gone.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, test } from 'node:test';
import { LiveBody } from '../../../../main/registry/proxy/live-body';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** A server whose one response is sent by `live.sendTo`; resolves with its URL and the result. */
async function serveOnce(live: LiveBody, length?: number): Promise<{ url: string; result: Promise<unknown> }> {
  let settle!: (v: unknown) => void;
  const result = new Promise((r) => (settle = r));
  const server = createServer((_req, res) => {
    if (length !== undefined) res.setHeader('Content-Length', length);
    live.sendTo(res).then(() => settle('ok'), (err: Error) => {
      // As the dispatcher does with a failed body: the client sees the connection cut.
      res.destroy();
      settle(err);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, result };
}

const piece = (n: number) => Buffer.alloc(1024 * 1024, n);

test('sendTo: chunks delivered before and after it go out in order; sent counts every byte once the body ends', async () => {
  const live = new LiveBody();
  live.deliver(piece(1));
  const { url, result } = await serveOnce(live, 3 * 1024 * 1024);
  const got = fetch(url).then(async (r) => Buffer.from(await r.arrayBuffer()));
  await new Promise((r) => setTimeout(r, 50));
  await live.deliver(piece(2));
  live.finish(piece(3));
  assert.equal(await result, 'ok');
  assert.deepEqual(await got, Buffer.concat([piece(1), piece(2), piece(3)]));
  assert.equal(live.sent, 3 * 1024 * 1024);
});

test('a client that stops reading holds the download back, and going away releases it', async () => {
  const live = new LiveBody();
  const { url, result } = await serveOnce(live);
  const controller = new AbortController();
  const answered = fetch(url, { signal: controller.signal });
  await new Promise((r) => setTimeout(r, 50));
  let wait: Promise<void> | undefined;
  for (let i = 0; i < 64 && !wait; i++) wait = live.deliver(piece(i));
  assert.equal((await answered).status, 200);
  assert.ok(wait, 'the download is told to wait for an unread client');
  controller.abort();
  await wait;
  assert.match(String(await result), /client went away/);
  assert.ok(live.sent < 64 * 1024 * 1024);
  assert.equal(live.deliver(piece(9)), undefined);
});

test('read as a plain stream: a reader that goes away releases a waiting download', async () => {
  const live = new LiveBody();
  let wait: Promise<void> | undefined;
  for (let i = 0; i < 4 && !wait; i++) wait = live.deliver(piece(i));
  assert.ok(wait);
  live.destroy();
  await wait;
  assert.equal(live.sent, 0, 'a plain reader counts nothing');
});

test('a download that failed before the handler took over: no unhandled error, and sendTo rejects instead of hanging', async () => {
  const live = new LiveBody();
  live.fail(new Error('upstream went away'));
  await new Promise((r) => setTimeout(r, 20));
  const { url, result } = await serveOnce(live, 10);
  void fetch(url).catch(() => undefined);
  assert.match(String(await result), /upstream went away/);
});
