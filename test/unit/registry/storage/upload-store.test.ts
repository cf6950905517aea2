// An upload's request chunks are freed as soon as the filesystem driver is done with them (when
// the handler says they are the request's own), and every byte still lands: through the page
// cache, and past 16 MiB through direct I/O. Large uploads are hashed on the hash thread, small
// ones in this one, and an upload whose thread hash was lost is checked against its file. Real
// HTTP requests on loopback, real files.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, beforeEach, describe, it } from 'node:test';
import { hashThread } from '../../../../main/lib/hash-thread';
import { RegistryError } from '../../../../main/registry/errors';
import { parseDigest } from '../../../../main/registry/reference';
import { BlobStore } from '../../../../main/registry/storage/blob-store';
import { CACHE_BUDGET } from '../../../../main/registry/storage/cache-budget';
import { DIRECT_AFTER, FilesystemDriver } from '../../../../main/registry/storage/driver/filesystem';
import { paths } from '../../../../main/registry/storage/paths';
import { UploadStore } from '../../../../main/registry/storage/upload-store';
import { runCleanups, tempDir } from '../../../support/cleanup';

after(runCleanups);

/**
 * Sends `body` in one request to a server that appends it to an upload; returns the chunks the
 * upload store saw, and the most bytes of earlier chunks still unfreed when it read one.
 */
async function appendOverHttp(uploads: UploadStore, id: string, body: Buffer, ownedChunks: boolean): Promise<{ seen: Buffer[]; maxHeld: number }> {
  const seen: Buffer[] = [];
  let maxHeld = 0;
  let done!: Promise<unknown>;
  const server = createServer((req, res) => {
    // The same chunk objects the store reads, recorded on their way.
    const iterator = req.iterator.bind(req);
    (req as IncomingMessage & { iterator: typeof iterator }).iterator = (opts) => {
      const inner = iterator(opts);
      return (async function* () {
        for await (const c of inner) {
          maxHeld = Math.max(maxHeld, seen.reduce((n, b) => n + b.length, 0));
          seen.push(c as Buffer);
          yield c;
        }
      })() as ReturnType<typeof iterator>;
    };
    done = uploads.append('team/app', id, req, { ownedChunks }).then(() => res.end('ok'), (err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const req = request({ port: (server.address() as AddressInfo).port, method: 'PATCH', host: '127.0.0.1' });
    for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    res.resume();
    await once(res, 'end');
    assert.equal(res.statusCode, 200);
    await done;
  } finally {
    server.close();
  }
  return { seen, maxHeld };
}

describe('upload store: request chunks', () => {
  for (const sync of [true, false]) {
    it(`frees each chunk once written, and the blob is intact (sync ${sync})`, async () => {
      const driver = new FilesystemDriver({ rootdirectory: await tempDir('berth-upload-'), sync });
      const uploads = new UploadStore(driver, new BlobStore(driver, CACHE_BUDGET));
      const id = await uploads.create('team/app');
      const body = randomBytes(DIRECT_AFTER + 5 * 1024 * 1024 + 77);
      const { seen, maxHeld } = await appendOverHttp(uploads, id, body, true);
      assert.ok(seen.length > 10, `${seen.length} chunks`);
      // Freed as the body streams, not only at its end: the writer holds at most a few MiB.
      assert.ok(maxHeld <= 4 * 1024 * 1024, `${maxHeld} bytes held at most`);
      assert.deepEqual(seen.filter((c) => c.length > 0).map((c) => c.length), [], 'every chunk freed');
      const digest = parseDigest(`sha256:${createHash('sha256').update(body).digest('hex')}`)!;
      await uploads.commit('team/app', id, digest);
      assert.ok((await driver.getContent(paths.blobData(digest))).equals(body));
    });
  }

  it('keeps the chunks of a body it was not told are its own', async () => {
    const driver = new FilesystemDriver({ rootdirectory: await tempDir('berth-upload-'), sync: true });
    const uploads = new UploadStore(driver, new BlobStore(driver, CACHE_BUDGET));
    const id = await uploads.create('team/app');
    const body = randomBytes(3 * 1024 * 1024);
    const { seen } = await appendOverHttp(uploads, id, body, false);
    assert.ok(Buffer.concat(seen).equals(body), 'every chunk still holds its bytes');
  });
});

describe('upload store: hashing', () => {
  const MiB = 1024 * 1024;
  const digestOf = (b: Buffer) => parseDigest(`sha256:${createHash('sha256').update(b).digest('hex')}`)!;
  async function store() {
    const driver = new FilesystemDriver({ rootdirectory: await tempDir('berth-upload-'), sync: true });
    return { driver, uploads: new UploadStore(driver, new BlobStore(driver, CACHE_BUDGET)) };
  }
  beforeEach(() => hashThread.stop());

  for (const [what, size, thread] of [['1 MiB', MiB, false], ['1 MiB + 1', MiB + 1, true], ['12 MiB', 12 * MiB, true]] as const) {
    it(`a body announced as ${what} is hashed ${thread ? 'on the hash thread' : 'here'}`, async () => {
      const { driver, uploads } = await store();
      const body = randomBytes(size);
      const id = await uploads.create('team/app');
      await uploads.append('team/app', id, Readable.from([body.subarray(0, 100), body.subarray(100)]), { length: size });
      assert.equal(hashThread.running, thread);
      await uploads.commit('team/app', id, digestOf(body));
      assert.ok((await driver.getContent(paths.blobData(digestOf(body)))).equals(body));
    });
  }

  for (const [size, thread] of [[200 * 1024, false], [3 * MiB, true]] as const) {
    it(`a body of unknown length (chunked transfer) of ${size} bytes is hashed ${thread ? 'on the hash thread' : 'here'}`, async () => {
      const { driver, uploads } = await store();
      const body = randomBytes(size);
      const id = await uploads.create('team/app');
      await appendOverHttp(uploads, id, body, true);
      assert.equal(hashThread.running, thread);
      await uploads.commit('team/app', id, digestOf(body));
      assert.ok((await driver.getContent(paths.blobData(digestOf(body)))).equals(body));
    });
  }

  it('bodies after the first go on where the first went (a final PUT body included)', async () => {
    const { driver, uploads } = await store();
    const parts = [randomBytes(2 * MiB), randomBytes(300 * 1024), randomBytes(5 * MiB)];
    const body = Buffer.concat(parts);
    const id = await uploads.create('team/app');
    await uploads.append('team/app', id, Readable.from([parts[0]!]), { length: parts[0]!.length });
    await appendOverHttp(uploads, id, parts[1]!, true);
    await uploads.commit('team/app', id, digestOf(body), Readable.from([parts[2]!]), parts[2]!.length);
    assert.ok((await driver.getContent(paths.blobData(digestOf(body)))).equals(body));
  });

  it('when the hash thread is lost mid-upload, the commit checks the file instead: right digests land, wrong ones are refused', async () => {
    const { driver, uploads } = await store();
    const body = randomBytes(6 * MiB);
    const good = await uploads.create('team/app');
    const bad = await uploads.create('team/app');
    await appendOverHttp(uploads, good, body, true);
    await appendOverHttp(uploads, bad, body, true);
    assert.ok(hashThread.running);
    await hashThread.stop();
    await uploads.commit('team/app', good, digestOf(body));
    assert.ok((await driver.getContent(paths.blobData(digestOf(body)))).equals(body));
    const wrong = digestOf(Buffer.from('something else'));
    await assert.rejects(uploads.commit('team/app', bad, wrong), (err: unknown) => err instanceof RegistryError && err.kind === 'digest-invalid');
    await assert.rejects(uploads.size('team/app', bad), (err: unknown) => err instanceof RegistryError && err.kind === 'blob-upload-unknown');
  });
});
