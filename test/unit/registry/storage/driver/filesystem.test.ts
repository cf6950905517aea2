// The filesystem driver's large writes: past 16 MiB a syncing writer writes whole aligned blocks
// with direct I/O (O_DIRECT), the rest through the page cache. And its pulls: a file sent to a
// response is read directly while that is quick, through the thread pool once it is not. What
// every driver must do (every byte lands, in order) is in the conformance suite; this is how this
// one does it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bulkInUse, giveBack, POOL_BUFFERS, takePooled } from '../../../../../main/lib/bulk-buffers';
import { DirectApply } from '../../../../../main/registry/storage/driver/direct-apply';
import { DIRECT_AFTER, FilesystemDriver } from '../../../../../main/registry/storage/driver/filesystem';
import { isDirectBody, type FileWriter, type ReadRange } from '../../../../../main/registry/storage/driver/types';
import { tempDir } from '../../../../support/cleanup';

const MiB = 1024 * 1024;
const O_DIRECT = 0o40000; // x86-64 and arm64 Linux

/** Bytes the writer wrote directly (FsWriter counts them). */
const directBytes = (w: FileWriter) => (w as unknown as { directBytes: number }).directBytes;

/** The open flags of every descriptor this process has on `file`, from /proc. */
async function openFlags(file: string): Promise<number[]> {
  const out: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== file) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    const m = /^flags:\s+([0-7]+)$/m.exec(info);
    if (m) out.push(parseInt(m[1]!, 8));
  }
  return out;
}

async function driverIn(opts: { sync?: boolean; directReads?: DirectApply } = {}): Promise<{ driver: FilesystemDriver; root: string }> {
  const root = await tempDir('berth-fsdirect-');
  after(() => rm(root, { recursive: true, force: true }));
  const driver = new FilesystemDriver({ rootdirectory: root, ...opts });
  after(() => driver.close());
  return { driver, root };
}

async function writeInChunks(w: FileWriter, data: Buffer, chunk: number): Promise<void> {
  for (let off = 0; off < data.length; off += chunk) await w.write(data.subarray(off, off + chunk));
}

describe('filesystem driver: direct writes of large uploads', { skip: process.platform !== 'linux' && 'O_DIRECT is Linux-only' }, () => {
  it('past DIRECT_AFTER writes whole MiBs through an O_DIRECT descriptor, and the file holds every byte', async () => {
    const { driver, root } = await driverIn();
    const data = randomBytes(DIRECT_AFTER + 5 * MiB + 12_345);
    const w = await driver.writer('/big/data', { append: false });
    await writeInChunks(w, data.subarray(0, DIRECT_AFTER + 3 * MiB), 65_537);
    const flags = await openFlags(join(root, 'big/data'));
    assert.ok(flags.some((f) => (f & O_DIRECT) !== 0), `an O_DIRECT descriptor is open on the file (flags ${flags.map((f) => f.toString(8)).join(', ')})`);
    await writeInChunks(w, data.subarray(DIRECT_AFTER + 3 * MiB), 65_537);
    await w.commit();
    assert.ok(directBytes(w) >= 4 * MiB, `direct bytes ${directBytes(w)}`);
    assert.equal(directBytes(w) % MiB, 0);
    assert.deepEqual(await openFlags(join(root, 'big/data')), [], 'both descriptors closed');
    assert.ok((await readFile(join(root, 'big/data'))).equals(data));
    assert.equal(bulkInUse(), 0);
  });

  it('up to DIRECT_AFTER, and in a driver that does not sync, everything goes through the page cache', async () => {
    const { driver } = await driverIn();
    const small = await driver.writer('/small/data', { append: false });
    await writeInChunks(small, randomBytes(DIRECT_AFTER), 65_536);
    await small.commit();
    assert.equal(directBytes(small), 0);

    const { driver: unsynced } = await driverIn({ sync: false });
    const data = randomBytes(DIRECT_AFTER + 4 * MiB);
    const w = await unsynced.writer('/nosync/data', { append: false });
    await writeInChunks(w, data, 65_536);
    await w.commit();
    assert.equal(directBytes(w), 0);
    assert.ok((await unsynced.getContent('/nosync/data')).equals(data));
  });

  it('lends its aligned buffers back at every flush, close and cancel', async () => {
    const { driver } = await driverIn();
    const w = await driver.writer('/lend/data', { append: false });
    const first = randomBytes(DIRECT_AFTER + 2 * MiB + 5);
    const second = randomBytes(2 * MiB + 7);
    await writeInChunks(w, first, 100_000);
    assert.ok(bulkInUse() > 0, 'buffers held while the body streams');
    await w.flush!();
    assert.equal(bulkInUse(), 0, 'after flush');
    assert.equal((await driver.stat('/lend/data')).size, first.length, 'a flush writes the last partial buffer out');
    await writeInChunks(w, second, 100_000);
    assert.ok(bulkInUse() > 0);
    await w.close();
    assert.equal(bulkInUse(), 0, 'after close');
    assert.ok((await driver.getContent('/lend/data')).equals(Buffer.concat([first, second])));

    const c = await driver.writer('/lend/cancelled', { append: false });
    await writeInChunks(c, randomBytes(DIRECT_AFTER + 3 * MiB), 100_000);
    await c.cancel();
    assert.equal(bulkInUse(), 0, 'after cancel');
    await assert.rejects(driver.stat('/lend/cancelled'));
  });

  it('a large writer that finds every pool buffer lent out writes through the cache, and every byte lands', async () => {
    const { driver } = await driverIn();
    // Pulls and other large uploads hold the whole pool.
    const held = takePooled(POOL_BUFFERS);
    assert.equal(held.length, POOL_BUFFERS);
    try {
      const data = randomBytes(DIRECT_AFTER + 4 * MiB + 333);
      const late = await driver.writer('/late/data', { append: false });
      await writeInChunks(late, data, 65_536);
      await late.commit();
      assert.equal(directBytes(late), 0);
      assert.ok((await driver.getContent('/late/data')).equals(data));
    } finally {
      giveBack(...held);
    }
    assert.equal(bulkInUse(), 0);
  });
});

/** Counts the calls it made directly. */
class CountingReads extends DirectApply {
  direct = 0;
  override run(call: () => void): boolean {
    const made = super.run(call);
    if (made) this.direct++;
    return made;
  }
}

/** GETs `path` (a byte range of it) from a real HTTP server that sends it with `sendTo`. */
async function pull(driver: FilesystemDriver, path: string, range: ReadRange = {}): Promise<Buffer> {
  const server = createServer((_req, res) => {
    void (async () => {
      const body = await driver.reader(path, range);
      assert.ok(isDirectBody(body));
      await body.sendTo(res);
    })().catch((err: unknown) => res.destroy(err as Error));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const [res] = (await once(get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }), 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } finally {
    server.close();
  }
}

describe('filesystem driver: sending a file to a response', () => {
  const data = randomBytes(9 * MiB + 17);
  const ranges: ReadRange[] = [{}, { start: MiB - 5, end: 5 * MiB + 3 }, { start: data.length - 1 }];
  const expected = (r: ReadRange) => data.subarray(r.start ?? 0, (r.end ?? data.length - 1) + 1);

  it('reads a file in the page cache directly, and every byte of every range arrives', async () => {
    const reads = new CountingReads();
    const { driver } = await driverIn({ directReads: reads });
    await driver.putContent('/pull/data', data);
    for (const r of ranges) assert.ok((await pull(driver, '/pull/data', r)).equals(expected(r)), JSON.stringify(r));
    assert.ok(reads.direct >= 10, `${reads.direct} direct reads`);
  });

  it('reads through the thread pool once direct reads are slow on average, and every byte still arrives', async () => {
    // Any read is "slow" against a limit of 0 ms: after the first, reads pause being direct.
    const reads = new CountingReads(0);
    const { driver } = await driverIn({ directReads: reads });
    await driver.putContent('/pull/data', data);
    for (const r of ranges) assert.ok((await pull(driver, '/pull/data', r)).equals(expected(r)), JSON.stringify(r));
    assert.equal(reads.direct, 1);
  });
});
