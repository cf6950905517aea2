// The one conformance suite every storage driver must pass (after distribution's
// storagedriver/testsuites): what the stores above the driver rely on, stated as tests.
// Each test gets a fresh driver from `makeDriver` and cleans it up afterwards.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { InvalidOffsetError, InvalidPathError, PathNotFoundError } from '../../main/registry/storage/driver/errors';
import type { StorageDriver } from '../../main/registry/storage/driver/types';

export interface DriverUnderTest {
  driver: StorageDriver;
  cleanup: () => Promise<void>;
}

const MiB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** Every byte value, several times: not valid UTF-8, so a driver that decodes text breaks it. */
function nonUtf8(): Buffer {
  const b = Buffer.alloc(256 * 4);
  for (let i = 0; i < b.length; i++) b[i] = i % 256;
  return Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]), b]);
}

// Paths the registry can never produce; every driver method must refuse them before any I/O.
const INVALID_PATHS = [
  'relative/path',
  '',
  '/a/../b',
  '/..',
  '/a/..',
  '/a/./b',
  '/.',
  '/a//b',
  '/a/b/',
  '/a\\b',
  '/a/..\\..\\b',
  '/a/b\u0000c',
];

export function describeStorageDriver(name: string, makeDriver: () => Promise<DriverUnderTest>): void {
  /** Runs `fn` with a fresh driver and always cleans up. */
  const withDriver = (fn: (d: StorageDriver) => Promise<void>) => async () => {
    const { driver, cleanup } = await makeDriver();
    try {
      await fn(driver);
    } finally {
      await cleanup();
    }
  };

  describe(`storage driver conformance: ${name}`, () => {
    it('round-trips small content', withDriver(async (d) => {
      await d.putContent('/a/b/small', Buffer.from('hello'));
      assert.deepEqual(await d.getContent('/a/b/small'), Buffer.from('hello'));
      const info = await d.stat('/a/b/small');
      assert.equal(info.size, 5);
      assert.equal(info.isDir, false);
      assert.equal(info.path, '/a/b/small');
    }));

    it('round-trips empty content', withDriver(async (d) => {
      await d.putContent('/empty', new Uint8Array(0));
      assert.equal((await d.getContent('/empty')).length, 0);
      assert.equal((await d.stat('/empty')).size, 0);
      assert.equal((await readAll(await d.reader('/empty'))).length, 0);
    }));

    it('round-trips large content (12 MiB) through putContent and reader', withDriver(async (d) => {
      const big = randomBytes(12 * MiB);
      await d.putContent('/big/data', big);
      assert.ok((await d.getContent('/big/data')).equals(big));
      assert.ok((await readAll(await d.reader('/big/data'))).equals(big));
      assert.equal((await d.stat('/big/data')).size, big.length);
    }));

    it('round-trips non-UTF-8 bytes unchanged', withDriver(async (d) => {
      const bytes = nonUtf8();
      await d.putContent('/bin/x', bytes);
      assert.ok((await d.getContent('/bin/x')).equals(bytes));
      const w = await d.writer('/bin/y', { append: false });
      await w.write(bytes);
      await w.commit();
      assert.ok((await readAll(await d.reader('/bin/y'))).equals(bytes));
    }));

    it('does not keep a reference to the caller\'s buffer', withDriver(async (d) => {
      const buf = Buffer.from('original');
      await d.putContent('/copy', buf);
      buf.fill(0x41);
      assert.equal((await d.getContent('/copy')).toString(), 'original');
    }));

    it('putContent replaces atomically: readers see the old or the new content, never a mix', withDriver(async (d) => {
      const a = Buffer.alloc(2 * MiB, 0x61);
      const b = Buffer.alloc(3 * MiB, 0x62);
      await d.putContent('/atomic/link', a);
      const reads: Promise<Buffer>[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 6; i++) {
        writes.push(d.putContent('/atomic/link', i % 2 ? a : b));
        reads.push(d.getContent('/atomic/link'));
      }
      await Promise.all(writes);
      for (const r of await Promise.all(reads)) {
        assert.ok(r.equals(a) || r.equals(b), `torn read of ${r.length} bytes`);
      }
      const final = await d.getContent('/atomic/link');
      assert.ok(final.equals(b) || final.equals(a));
      // No temporary files are left beside the key.
      assert.deepEqual(await d.list('/atomic'), ['link']);
    }));

    it('putContent over an existing key replaces it, shorter content included', withDriver(async (d) => {
      await d.putContent('/r/k', Buffer.from('a long first value'));
      await d.putContent('/r/k', Buffer.from('short'));
      assert.equal((await d.getContent('/r/k')).toString(), 'short');
      assert.equal((await d.stat('/r/k')).size, 5);
    }));

    it('writer appends across reopen and reports the size including earlier content', withDriver(async (d) => {
      const w1 = await d.writer('/up/data', { append: false });
      assert.equal(w1.size, 0);
      await w1.write(Buffer.from('abc'));
      await w1.write(Buffer.from('def'));
      assert.equal(w1.size, 6);
      await w1.close();
      assert.equal((await d.stat('/up/data')).size, 6);

      const w2 = await d.writer('/up/data', { append: true });
      assert.equal(w2.size, 6, 'size after reopen counts what is already there');
      await w2.write(Buffer.from('ghij'));
      assert.equal(w2.size, 10);
      await w2.commit();
      assert.equal((await d.getContent('/up/data')).toString(), 'abcdefghij');
      assert.equal((await d.stat('/up/data')).size, 10);
    }));

    it('writer with append: true on a missing path creates it', withDriver(async (d) => {
      const w = await d.writer('/fresh/dir/data', { append: true });
      assert.equal(w.size, 0);
      await w.write(Buffer.from('x'));
      await w.commit();
      assert.equal((await d.getContent('/fresh/dir/data')).toString(), 'x');
    }));

    it('writer with append: false truncates an existing file', withDriver(async (d) => {
      await d.putContent('/t/data', Buffer.from('old content'));
      const w = await d.writer('/t/data', { append: false });
      assert.equal(w.size, 0);
      await w.write(Buffer.from('new'));
      await w.commit();
      assert.equal((await d.getContent('/t/data')).toString(), 'new');
    }));

    it('writer handles many chunks and large totals (buffered writes flushed on commit)', withDriver(async (d) => {
      const parts: Buffer[] = [];
      const w = await d.writer('/many/data', { append: false });
      for (let i = 0; i < 40; i++) {
        const p = randomBytes(100_000 + i);
        parts.push(p);
        await w.write(p);
      }
      await w.commit();
      const all = Buffer.concat(parts);
      assert.equal(w.size, all.length);
      assert.ok((await d.getContent('/many/data')).equals(all));
    }));

    it('writer keeps every byte of a large upload in odd-sized chunks, across flushes and a reopen', withDriver(async (d) => {
      // Odd sizes put the flushes, the reopen and the chunk ends off any block or buffer boundary;
      // 19 MiB before the reopen, so a driver that writes large files differently (the
      // filesystem's direct writes past 16 MiB) flushes, closes and reopens in that mode too.
      const sizes = [9 * MiB + 1, 1, 65_537, 5 * MiB + 4095, 4097, 4 * MiB + 3, 777_777];
      const parts = sizes.flatMap((n) => { const p = randomBytes(n); return [p.subarray(0, 12_345), p.subarray(12_345)]; });
      const w = await d.writer('/odd/data', { append: false });
      for (const [i, p] of parts.entries()) {
        await w.write(p);
        if (i % 4 === 3) await w.flush?.();
      }
      await w.close();
      const more = Array.from({ length: 40 }, (_, i) => randomBytes(100_003 + i));
      const w2 = await d.writer('/odd/data', { append: true });
      for (const p of more) await w2.write(p);
      await w2.commit();
      const all = Buffer.concat([...parts, ...more]);
      assert.equal(w2.size, all.length);
      assert.equal((await d.stat('/odd/data')).size, all.length);
      assert.equal(createHash('sha256').update(await d.getContent('/odd/data')).digest('hex'), createHash('sha256').update(all).digest('hex'));
    }));

    it('writtenSize (where a writer keeps it) only passes chunks the writer no longer reads', withDriver(async (d) => {
      const originals: Buffer[] = [];
      const handed: Buffer[] = [];
      const w = await d.writer('/reuse/data', { append: false });
      let end = 0;
      const ends: number[] = [];
      let reused = 0;
      for (let i = 0; i < 30; i++) {
        const p = randomBytes(300_000);
        originals.push(Buffer.from(p));
        handed.push(p);
        end += p.length;
        ends.push(end);
        await w.write(p);
        // Whoever fed the writer reuses a chunk's memory as soon as writtenSize says it may.
        for (let j = reused; j < ends.length && ends[j]! <= (w.writtenSize ?? 0); j++, reused++) handed[j]!.fill(0);
        assert.ok((w.writtenSize ?? 0) <= w.size);
      }
      await w.commit();
      if (w.writtenSize !== undefined) assert.ok(reused > 0, 'some chunks were passed before the commit');
      assert.ok((await d.getContent('/reuse/data')).equals(Buffer.concat(originals)));
    }));

    it('writer refuses writes after close', withDriver(async (d) => {
      const w = await d.writer('/closed/data', { append: false });
      await w.close();
      await assert.rejects(w.write(Buffer.from('late')));
    }));

    it('writer cancel removes the file', withDriver(async (d) => {
      const w = await d.writer('/c/data', { append: false });
      await w.write(Buffer.from('doomed'));
      await w.cancel();
      await assert.rejects(d.stat('/c/data'), PathNotFoundError);
    }));

    it('reader honours start and end (inclusive)', withDriver(async (d) => {
      const bytes = Buffer.from('0123456789');
      await d.putContent('/range/x', bytes);
      const read = async (range: { start?: number; end?: number }) => (await readAll(await d.reader('/range/x', range))).toString();
      assert.equal(await read({}), '0123456789');
      assert.equal(await read({ start: 3 }), '3456789');
      assert.equal(await read({ start: 3, end: 5 }), '345');
      assert.equal(await read({ end: 0 }), '0');
      assert.equal(await read({ start: 9, end: 9 }), '9');
      assert.equal(await read({ start: 0, end: 9 }), '0123456789');
    }));

    it('reader at offset == size yields nothing; beyond the end is InvalidOffsetError', withDriver(async (d) => {
      await d.putContent('/range/y', Buffer.from('abc'));
      assert.equal((await readAll(await d.reader('/range/y', { start: 3 }))).length, 0);
      await assert.rejects(d.reader('/range/y', { start: 4 }), InvalidOffsetError);
      await assert.rejects(d.reader('/range/y', { start: -1 }), InvalidOffsetError);
    }));

    it('reader streams a large file in order from an offset', withDriver(async (d) => {
      const big = randomBytes(5 * MiB + 17);
      const w = await d.writer('/bigread/data', { append: false });
      await w.write(big);
      await w.commit();
      const got = await readAll(await d.reader('/bigread/data', { start: MiB + 3 }));
      assert.ok(got.equals(big.subarray(MiB + 3)));
    }));

    it('missing paths are PathNotFoundError for every operation', withDriver(async (d) => {
      await d.putContent('/present/file', Buffer.from('x'));
      for (const p of ['/missing', '/present/missing', '/nope/deeper/still']) {
        await assert.rejects(d.getContent(p), PathNotFoundError, `getContent ${p}`);
        await assert.rejects(d.reader(p), PathNotFoundError, `reader ${p}`);
        await assert.rejects(d.stat(p), PathNotFoundError, `stat ${p}`);
        await assert.rejects(d.list(p), PathNotFoundError, `list ${p}`);
        await assert.rejects(d.delete(p), PathNotFoundError, `delete ${p}`);
        await assert.rejects(d.move(p, '/elsewhere'), PathNotFoundError, `move ${p}`);
      }
      // A path "through" a file does not exist either.
      await assert.rejects(d.getContent('/present/file/child'), PathNotFoundError);
      await assert.rejects(d.stat('/present/file/child'), PathNotFoundError);
    }));

    it('invalid paths are InvalidPathError for every operation, before any I/O', withDriver(async (d) => {
      for (const p of INVALID_PATHS) {
        const label = JSON.stringify(p);
        await assert.rejects(d.getContent(p), InvalidPathError, `getContent ${label}`);
        await assert.rejects(d.putContent(p, Buffer.from('x')), InvalidPathError, `putContent ${label}`);
        await assert.rejects(d.reader(p), InvalidPathError, `reader ${label}`);
        await assert.rejects(d.writer(p, { append: true }), InvalidPathError, `writer ${label}`);
        await assert.rejects(d.stat(p), InvalidPathError, `stat ${label}`);
        await assert.rejects(d.list(p), InvalidPathError, `list ${label}`);
        await assert.rejects(d.delete(p), InvalidPathError, `delete ${label}`);
        await assert.rejects(d.move(p, '/ok'), InvalidPathError, `move from ${label}`);
      }
      await d.putContent('/ok', Buffer.from('x'));
      for (const p of INVALID_PATHS) {
        await assert.rejects(d.move('/ok', p), InvalidPathError, `move to ${JSON.stringify(p)}`);
      }
      // Nothing was created by the refused calls.
      assert.deepEqual((await d.list('/')).sort(), ['ok']);
    }));

    it('list returns the direct children of a directory', withDriver(async (d) => {
      await d.putContent('/l/a/link', Buffer.from('1'));
      await d.putContent('/l/b/c/link', Buffer.from('2'));
      await d.putContent('/l/file', Buffer.from('3'));
      assert.deepEqual((await d.list('/l')).sort(), ['a', 'b', 'file']);
      assert.deepEqual(await d.list('/l/b'), ['c']);
      assert.ok((await d.list('/')).includes('l'));
      const dir = await d.stat('/l/b');
      assert.equal(dir.isDir, true);
    }));

    it('move replaces an existing destination and removes the source', withDriver(async (d) => {
      await d.putContent('/m/src', Buffer.from('new bytes'));
      await d.putContent('/m/dst/data', Buffer.from('old bytes that are longer'));
      await d.move('/m/src', '/m/dst/data');
      assert.equal((await d.getContent('/m/dst/data')).toString(), 'new bytes');
      await assert.rejects(d.stat('/m/src'), PathNotFoundError);
    }));

    it('move creates missing parent directories of the destination', withDriver(async (d) => {
      await d.putContent('/mv/upload/data', Buffer.from('blob'));
      await d.move('/mv/upload/data', '/mv/blobs/sha256/ab/abcd/data');
      assert.equal((await d.getContent('/mv/blobs/sha256/ab/abcd/data')).toString(), 'blob');
      assert.deepEqual(await d.list('/mv/upload').catch(() => []), []);
    }));

    it('delete removes a whole tree and leaves its siblings', withDriver(async (d) => {
      await d.putContent('/del/keep/link', Buffer.from('k'));
      await d.putContent('/del/gone/a/link', Buffer.from('a'));
      await d.putContent('/del/gone/b/c/link', Buffer.from('b'));
      await d.delete('/del/gone');
      await assert.rejects(d.stat('/del/gone'), PathNotFoundError);
      await assert.rejects(d.getContent('/del/gone/b/c/link'), PathNotFoundError);
      assert.deepEqual(await d.list('/del'), ['keep']);
      assert.equal((await d.getContent('/del/keep/link')).toString(), 'k');
      // A single file too.
      await d.delete('/del/keep/link');
      await assert.rejects(d.getContent('/del/keep/link'), PathNotFoundError);
    }));

    it('concurrent writers to different keys do not interfere', withDriver(async (d) => {
      const contents = Array.from({ length: 12 }, (_, i) => Array.from({ length: 8 }, () => randomBytes(50_000 + i)));
      await Promise.all(contents.map(async (parts, i) => {
        const w = await d.writer(`/conc/${i}/data`, { append: false });
        for (const p of parts) {
          await w.write(p);
          await new Promise((r) => setImmediate(r));
        }
        await w.commit();
      }));
      await Promise.all(contents.map(async (parts, i) => {
        assert.ok((await d.getContent(`/conc/${i}/data`)).equals(Buffer.concat(parts)), `key ${i}`);
      }));
      assert.equal((await d.list('/conc')).length, contents.length);
    }));

    it('concurrent putContent to different keys all land', withDriver(async (d) => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => d.putContent(`/pc/${i % 5}/${i}/link`, Buffer.from(`sha256:${i}`))));
      for (let i = 0; i < 50; i++) {
        assert.equal((await d.getContent(`/pc/${i % 5}/${i}/link`)).toString(), `sha256:${i}`);
      }
    }));

    it('commit makes its changes in order: puts, a move of what an earlier change put, deletes', withDriver(async (d) => {
      await d.putContent('/cm/old/link', Buffer.from('old'));
      await d.commit([
        { op: 'put', path: '/cm/upload/data', content: Buffer.from('bytes') },
        { op: 'move', from: '/cm/upload/data', to: '/cm/blob/data' },
        { op: 'put', path: '/cm/tag/link', content: Buffer.from('first') },
        { op: 'put', path: '/cm/tag/link', content: Buffer.from('second') },
        { op: 'delete', path: '/cm/old' },
        { op: 'delete', path: '/cm/never-there' },
      ]);
      assert.equal((await d.getContent('/cm/blob/data')).toString(), 'bytes');
      assert.equal((await d.getContent('/cm/tag/link')).toString(), 'second');
      await assert.rejects(d.getContent('/cm/upload/data'), PathNotFoundError);
      await assert.rejects(d.stat('/cm/old'), PathNotFoundError);
    }));

    it('commit refuses a move of something missing, and an invalid key before changing anything', withDriver(async (d) => {
      await assert.rejects(d.commit([{ op: 'move', from: '/cm2/missing', to: '/cm2/there' }]), PathNotFoundError);
      await assert.rejects(d.commit([
        { op: 'put', path: '/cm2/first', content: Buffer.from('x') },
        { op: 'put', path: INVALID_PATHS[0]!, content: Buffer.from('x') },
      ]), InvalidPathError);
      await assert.rejects(d.stat('/cm2/first'), PathNotFoundError);
    }));

    it('commit with `after` (an upload\'s sync) changes nothing before it is done, and fails with it', withDriver(async (d) => {
      const w = await d.writer('/ca/upload/data', { append: false });
      await w.write(Buffer.from('blob bytes'));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const sha256 = `sha256:${createHash('sha256').update('blob bytes').digest('hex')}`;
      const committing = d.commit([
        { op: 'move', from: '/ca/upload/data', to: '/ca/blob/data', sha256 },
        { op: 'put', path: '/ca/link', content: Buffer.from('linked') },
      ], { after: held.then(() => w.commit()) });
      await new Promise((r) => setTimeout(r, 100));
      await assert.rejects(d.stat('/ca/blob/data'), PathNotFoundError);
      await assert.rejects(d.stat('/ca/link'), PathNotFoundError);
      release();
      await committing;
      assert.equal((await d.getContent('/ca/blob/data')).toString(), 'blob bytes');
      assert.equal((await d.getContent('/ca/link')).toString(), 'linked');
      await assert.rejects(d.stat('/ca/upload/data'), PathNotFoundError);

      await assert.rejects(d.commit([{ op: 'put', path: '/ca/other', content: Buffer.from('x') }], { after: Promise.reject(new Error('the upload did not sync')) }), /did not sync/);
      await assert.rejects(d.commit([{ op: 'put', path: INVALID_PATHS[0]!, content: Buffer.from('x') }], { after: Promise.reject(new Error('never waited for')) }), InvalidPathError);
      await assert.rejects(d.stat('/ca/other'), PathNotFoundError);
    }));

    it('concurrent commits each land whole', withDriver(async (d) => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => d.commit([
        { op: 'put', path: `/cc/${i}/a`, content: Buffer.from(`a${i}`) },
        { op: 'put', path: `/cc/${i}/b`, content: Buffer.from(`b${i}`) },
        { op: 'put', path: '/cc/last', content: Buffer.from(String(i)) },
      ])));
      for (let i = 0; i < 40; i++) {
        assert.equal((await d.getContent(`/cc/${i}/a`)).toString(), `a${i}`);
        assert.equal((await d.getContent(`/cc/${i}/b`)).toString(), `b${i}`);
      }
      // Concurrent writers of one key are ordered by the stores (a tag's lock), not the driver.
      assert.match((await d.getContent('/cc/last')).toString(), /^\d+$/);
    }));
  });
}
