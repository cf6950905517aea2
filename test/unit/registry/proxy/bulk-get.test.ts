// The proxy's own framing of a plain-HTTP blob answer (bulk-get.ts), against raw TCP servers on
// loopback that write exactly the bytes each case needs: Content-Length and until-close bodies,
// the fallback to node:http for chunked answers, and every malformed or hostile answer failing
// with a clear error instead of a wrong body.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { bulkGet, unsupported, type BulkResponse } from '../../../../main/registry/proxy/bulk-get';
import { readAll, sendRequest } from '../../../../main/registry/proxy/http-request';
import { sleep } from '../../../support/processes';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A TCP server that hands each connection's request head to `answer`. */
async function rawServer(answer: (socket: Socket, head: string) => void): Promise<{ url: URL; heads: string[] }> {
  const heads: string[] = [];
  const server = createServer((socket) => {
    let head = '';
    socket.on('error', () => undefined);
    socket.on('data', function onData(d: Buffer) {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      heads.push(head);
      answer(socket, head);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: new URL(`http://127.0.0.1:${port}/v2/x/blobs/sha256:ab`), heads };
}

async function bulk(url: URL, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<BulkResponse> {
  const res = await bulkGet(url, headers, timeoutMs);
  assert.notEqual(res, unsupported);
  return res as BulkResponse;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a Content-Length body arrives whole and in order, written in uneven pieces; nothing past it is read', async () => {
  const body = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
  const { url, heads } = await rawServer((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nContent-Type: application/octet-stream\r\n\r\n`);
    for (let o = 0, i = 1; o < body.length; o += i * 7919, i++) socket.write(body.subarray(o, Math.min(body.length, o + i * 7919)));
    socket.end('TRAILING GARBAGE');
  });
  const res = await bulk(url, { Authorization: 'Bearer t' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assert.equal(sha(await readAll(res.stream)), sha(body));
  assert.match(heads[0]!, /^GET \/v2\/x\/blobs\/sha256:ab HTTP\/1\.1\r\n/);
  assert.match(heads[0]!, /\r\nAuthorization: Bearer t\r\n/);
  assert.match(heads[0]!, /\r\nConnection: close\r\n/);
});

test('a body without Content-Length ends with the connection; an empty 404 ends at once', async () => {
  const body = Buffer.from('x'.repeat(300_000));
  const { url } = await rawServer((socket, head) => {
    if (head.includes('missing')) socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    else socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), body]));
  });
  assert.deepEqual(await readAll((await bulk(url)).stream), body);
  const missing = await bulk(new URL('/v2/missing', url));
  assert.equal(missing.status, 404);
  assert.equal((await readAll(missing.stream)).length, 0);
});

test('a chunked answer is left to node:http: bulkGet says unsupported, sendRequest asks again and decodes it', async () => {
  const { url, heads } = await rawServer((socket) => {
    socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
  });
  assert.equal(await bulkGet(url, {}, 5000), unsupported);
  const res = await sendRequest(url, 'GET', {}, 5000, true);
  assert.equal((await readAll(res.stream)).toString(), 'hello world');
  assert.equal(heads.length, 3);
});

test('malformed or hostile answers fail with a clear error', async () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['a head without end', Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.alloc(70 * 1024, 'a')]), /response head longer than 65536 bytes/],
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', /malformed status line/],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /malformed header line/],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', /invalid Content-Length/],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['closed before a head', 'HTTP/1.1 200', /connection closed before a response head/],
  ];
  for (const [what, answer, error] of cases) {
    const { url } = await rawServer((socket) => socket.end(answer));
    await assert.rejects(bulkGet(url, {}, 5000), error, what);
  }
  // Repeats that agree are one length (RFC 9110).
  const { url } = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'));
  assert.equal((await readAll((await bulk(url)).stream)).toString(), 'hello');
});

test('a body cut short fails the stream; a silent server fails the request after the timeout', async () => {
  const { url } = await rawServer((socket, head) => {
    if (head.includes('silent')) return;
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this');
  });
  const res = await bulk(url);
  await assert.rejects(readAll(res.stream), /connection closed with 991 bytes of the body missing/);
  const t0 = performance.now();
  await assert.rejects(bulkGet(new URL('/silent', url), {}, 300), /no answer within 300 ms/);
  assert.ok(performance.now() - t0 < 3000);
});

test('a header value cannot add lines to the request: nothing is sent', async () => {
  const { url, heads } = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  assert.throws(() => bulkGet(url, { Authorization: 'Bearer x\r\nX-Evil: 1' }, 5000), /invalid request header "Authorization"/);
  assert.throws(() => bulkGet(url, { 'Bad Name': 'v' }, 5000), /invalid request header/);
  await sleep(100);
  assert.equal(heads.length, 0);
});

test('a slow reader holds the upstream back instead of buffering the whole body', async () => {
  const body = Buffer.alloc(32 * 1024 * 1024, 7);
  let written = 0;
  const { url } = await rawServer((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
    const go = () => {
      while (written < body.length) {
        const piece = body.subarray(written, written + 65536);
        written += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', go);
      }
      socket.end();
    };
    go();
  });
  const res = await bulk(url);
  const first = await new Promise<Buffer>((r) => res.stream.once('data', r));
  res.stream.pause();
  await sleep(300);
  // The reader took one chunk: the rest waits in its 1 MiB buffer and the two kernels' socket buffers.
  assert.ok(written < 24 * 1024 * 1024, `the server wrote ${written} bytes while nobody read`);
  res.stream.resume();
  const rest = await readAll(res.stream);
  assert.equal(first.length + rest.length, body.length);
});
