// An upload's request chunks are freed as soon as the filesystem driver is done with them (when
// the handler says they are the request's own), and every byte still lands: through the page
// cache, and past 16 MiB through direct I/O. Real HTTP requests on loopback, real files.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
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
