// The filesystem driver's write journal, with real files and real crashes: a child process
// journals changes and is SIGKILLed before its checkpoint. A power loss is the one thing a test
// cannot cause; it is stood in for by undoing applied changes on disk (what a lost page cache
// would do) and marking the segment as written in an earlier boot of the machine.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FilesystemDriver, JOURNAL_DIR } from '../../../../../main/registry/storage/driver/filesystem';
import { decodeSegment, encodeSegment, keysOf, WriteJournal, type JournalOp } from '../../../../../main/registry/storage/driver/write-journal';
import { runCleanups, tempDir } from '../../../../support/cleanup';

after(runCleanups);

const DRIVER = join(import.meta.dirname, '../../../../../main/registry/storage/driver/filesystem.ts');

/** Runs `body` (driver calls on `d`) in a child process that then kills itself with SIGKILL. */
async function crashAfter(root: string, body: string): Promise<void> {
  const code = `
    const { FilesystemDriver } = await import(${JSON.stringify(DRIVER)});
    const d = new FilesystemDriver({ rootdirectory: ${JSON.stringify(root)} });
    ${body}
    process.kill(process.pid, 'SIGKILL');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'inherit', 'inherit'] });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  assert.equal(signal, 'SIGKILL', 'the child got through its changes and died before a checkpoint');
}

async function segments(root: string): Promise<string[]> {
  return (await readdir(join(root, JOURNAL_DIR))).filter((n) => n.endsWith('.log')).map((n) => join(root, JOURNAL_DIR, n));
}

/** Rewrites a segment as if written before the machine last started. */
async function fromEarlierBoot(file: string): Promise<void> {
  const { header, ops } = decodeSegment(await readFile(file));
  assert.ok(header);
  await writeFile(file, encodeSegment({ ...header, boot: 'an-earlier-boot' }, ops));
}

const text = (root: string, key: string) => readFile(join(root, key), 'utf8');
const CHANGES = `
  await d.putContent('/r/a/link', Buffer.from('new-a'));
  await d.putContent('/r/b/link', Buffer.from('new-b'));
  await d.move('/r/upload/data', '/r/blob/data');
  await d.delete('/r/gone');`;

async function seeded(): Promise<string> {
  const root = await tempDir('berth-journal-');
  await mkdir(join(root, 'r/b'), { recursive: true });
  await writeFile(join(root, 'r/b/link'), 'old-b');
  await mkdir(join(root, 'r/upload'), { recursive: true });
  await writeFile(join(root, 'r/upload/data'), 'blob bytes');
  await mkdir(join(root, 'r/gone/x'), { recursive: true });
  await writeFile(join(root, 'r/gone/x/link'), 'gone');
  return root;
}

/** A seeded store whose writer journaled CHANGES and was killed before its checkpoint: one segment. */
async function crashed(): Promise<{ root: string; segment: string }> {
  const root = await seeded();
  await crashAfter(root, CHANGES);
  const all = await segments(root);
  assert.equal(all.length, 1);
  return { root, segment: all[0]! };
}

describe('the write journal', () => {
  it('after a power loss, replays what a dead process acknowledged, in order, and removes its segment', async () => {
    const { root, segment } = await crashed();
    assert.equal(decodeSegment(await readFile(segment)).ops.length, 4);
    // What a lost page cache could leave: none of the four changes on disk.
    await rm(join(root, 'r/a'), { recursive: true });
    await writeFile(join(root, 'r/b/link'), 'old-b');
    await mkdir(join(root, 'r/upload'), { recursive: true });
    await rename(join(root, 'r/blob/data'), join(root, 'r/upload/data'));
    await mkdir(join(root, 'r/gone/x'), { recursive: true });
    await writeFile(join(root, 'r/gone/x/link'), 'gone');
    await fromEarlierBoot(segment);

    const d = new FilesystemDriver({ rootdirectory: root });
    assert.equal((await d.getContent('/r/a/link')).toString(), 'new-a');
    assert.equal(await text(root, 'r/b/link'), 'new-b');
    assert.equal(await text(root, 'r/blob/data'), 'blob bytes');
    assert.equal(existsSync(join(root, 'r/upload/data')), false);
    assert.equal(existsSync(join(root, 'r/gone')), false);
    assert.deepEqual(await segments(root), []);
    await d.close();
  });

  it('replays moves that had already happened without failing', async () => {
    const { root, segment } = await crashed();
    await fromEarlierBoot(segment);
    const d = new FilesystemDriver({ rootdirectory: root });
    assert.equal((await d.getContent('/r/blob/data')).toString(), 'blob bytes');
    await d.close();
  });

  it('after a process crash on the same boot, keeps the files as they are (no stale replay) and removes the segment', async () => {
    const { root } = await crashed();
    // Another writer moved on after the crash; replaying would put the old value back.
    await writeFile(join(root, 'r/a/link'), 'later-a');
    const d = new FilesystemDriver({ rootdirectory: root });
    assert.equal((await d.getContent('/r/a/link')).toString(), 'later-a');
    assert.deepEqual(await segments(root), []);
    await d.close();
  });

  it('stops at a torn or damaged frame: what came before it is replayed, nothing after', async () => {
    const { root, segment } = await crashed();
    await fromEarlierBoot(segment);
    const whole = await readFile(segment);
    // Cut the last frame (the delete) in half.
    const { ops } = decodeSegment(whole);
    assert.equal(ops.length, 4);
    await truncate(segment, whole.length - 10);
    await appendFile(segment, Buffer.from([1, 2, 3]));
    assert.equal(decodeSegment(await readFile(segment)).ops.length, 3);
    // Lost with the page cache: the first put and the delete.
    await rm(join(root, 'r/a'), { recursive: true });
    await mkdir(join(root, 'r/gone/x'), { recursive: true });
    await writeFile(join(root, 'r/gone/x/link'), 'gone');
    const d = new FilesystemDriver({ rootdirectory: root });
    assert.equal((await d.getContent('/r/a/link')).toString(), 'new-a');
    assert.equal(existsSync(join(root, 'r/gone/x/link')), true, 'the torn delete is not replayed');
    await d.close();
  });

  it('leaves the segment of a live journal alone, and removes its own on close', async () => {
    const root = await tempDir('berth-journal-');
    const first = new FilesystemDriver({ rootdirectory: root });
    await first.putContent('/k/link', Buffer.from('1'));
    assert.equal((await segments(root)).length, 1);
    const second = new FilesystemDriver({ rootdirectory: root });
    assert.deepEqual(await second.list('/'), ['k'], 'the journal folder is not part of the key space');
    assert.equal((await segments(root)).length, 1);
    await first.close();
    assert.deepEqual(await segments(root), []);
    await second.close();
    await assert.rejects(first.putContent('/k/link', Buffer.from('2')), /closed/);
  });

  it('applies concurrent changes in the order they were made, and checkpoints on its own', async () => {
    const root = await tempDir('berth-journal-');
    const d = new FilesystemDriver({ rootdirectory: root });
    await Promise.all(Array.from({ length: 200 }, (_, i) => d.putContent(i % 2 ? '/same/link' : `/many/${i}/link`, Buffer.from(String(i)))));
    assert.equal((await d.getContent('/same/link')).toString(), '199');
    // Quiet for longer than the checkpoint interval: the segment is synced and gone.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await segments(root), []);
    await d.close();
  });

  it('applies a later batch beside a slow earlier one, but after the earlier changes it overlaps', async () => {
    const dir = join(await tempDir('berth-journal-'), JOURNAL_DIR);
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let slowStarted!: () => void;
    const started = new Promise<void>((r) => (slowStarted = r));
    const target = {
      apply: async (op: JournalOp) => {
        const key = op.op === 'move' ? op.to : op.path;
        events.push(`start ${key}`);
        if (key === '/a/link') {
          slowStarted();
          await held;
        }
        events.push(`end ${key}`);
      },
      syncAll: async () => void events.push('checkpoint'),
      moveIntact: async () => true,
    };
    const journal = await WriteJournal.open(dir, target, { maxBytes: 1 << 20, idleMs: 60_000, maxMs: 60_000 });
    const first = journal.record([{ op: 'put', path: '/a/link', content: Buffer.from('1') }]);
    await started; // its batch is journaled and being applied
    // Another path, in a later batch: done while the first is still held.
    await journal.record([{ op: 'put', path: '/b/link', content: Buffer.from('2') }]);
    assert.deepEqual(events, ['start /a/link', 'start /b/link', 'end /b/link']);
    // The same file, and a folder holding it: each waits for the change journaled before it.
    const same = journal.record([{ op: 'put', path: '/a/link', content: Buffer.from('3') }]);
    const folder = journal.record([{ op: 'delete', path: '/a' }]);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, ['start /a/link', 'start /b/link', 'end /b/link'], 'nothing overlapping ran while /a/link was held');
    release();
    await Promise.all([first, same, folder]);
    await journal.close();
    assert.deepEqual(events.slice(3), ['end /a/link', 'start /a/link', 'end /a/link', 'start /a', 'end /a', 'checkpoint']);
  });

  it('puts its checkpoint off while changes keep coming, up to its time limit, and checkpoints once they pause', async () => {
    const dir = join(await tempDir('berth-journal-'), JOURNAL_DIR);
    const syncs: number[] = [];
    const t0 = Date.now();
    const target = { apply: async (_op: JournalOp) => undefined, syncAll: async () => void syncs.push(Date.now() - t0), moveIntact: async () => true };
    const journal = await WriteJournal.open(dir, target, { maxBytes: 1 << 20, idleMs: 300, maxMs: 1200 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // A change every 100 ms for 2 s: never quiet for 300 ms, so only the time limit seals.
    for (let i = 0; i < 20; i++) {
      await journal.record([{ op: 'put', path: `/k/${i}`, content: Buffer.from('x') }]);
      await sleep(100);
    }
    assert.equal(syncs.length, 1, `one checkpoint, at the time limit (checkpoints at ${syncs.join(', ')} ms)`);
    assert.ok(syncs[0]! >= 1200 && syncs[0]! < 1700, `at ${syncs[0]} ms`);
    // Then quiet: the second segment is checkpointed about idleMs after its last change.
    const quietFrom = Date.now() - t0;
    await sleep(600);
    assert.equal(syncs.length, 2);
    assert.ok(syncs[1]! - quietFrom < 500, `${syncs[1]! - quietFrom} ms after the last change`);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.log')), []);
    await journal.close();
  });

  it('journals a record while its `after` runs, applies it only once that is done, and not at all if it fails', async () => {
    const dir = join(await tempDir('berth-journal-'), JOURNAL_DIR);
    const applied: string[] = [];
    const target = { apply: async (op: JournalOp) => void applied.push(keysOf(op).join(' ')), syncAll: async () => undefined, moveIntact: async () => true };
    const journal = await WriteJournal.open(dir, target, { maxBytes: 1 << 20, idleMs: 60_000, maxMs: 60_000 });
    let release!: () => void;
    const synced = new Promise<void>((r) => (release = r));
    let done = false;
    const first = journal.record([{ op: 'move', from: '/u/data', to: '/b/data', sha256: `sha256:${'a'.repeat(64)}` }, { op: 'put', path: '/r/link', content: Buffer.from('l') }], synced)
      .then(() => (done = true));
    // Written and synced meanwhile: both frames are in the segment, the check with them.
    const seg = join(dir, (await readdir(dir)).find((n) => n.endsWith('.log'))!);
    for (let i = 0; i < 50 && decodeSegment(await readFile(seg)).ops.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const { ops } = decodeSegment(await readFile(seg));
    assert.deepEqual(ops.map((o) => ({ op: o.op, dependents: o.dependents })), [{ op: 'move', dependents: 1 }, { op: 'put', dependents: undefined }]);
    assert.deepEqual(applied, [], 'nothing is applied before `after` is done');
    assert.equal(done, false);
    release();
    await first;
    assert.deepEqual(applied, ['/u/data /b/data', '/r/link']);

    const failed = journal.record([{ op: 'put', path: '/r/other', content: Buffer.from('x') }], Promise.reject(new Error('EIO: the upload did not sync')));
    await assert.rejects(failed, /did not sync/);
    await journal.record([{ op: 'put', path: '/r/after', content: Buffer.from('y') }]);
    assert.deepEqual(applied.slice(2), ['/r/after'], 'the failed record was not applied');
    await journal.close();
  });

  it('after a power loss, replays a checked move only if its source holds its content, else drops it with the rest of its commit', async () => {
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const COMMIT = `
      await d.commit([
        { op: 'move', from: '/r/upload/data', to: '/r/blob/data', sha256: ${JSON.stringify(sha('blob bytes'))} },
        { op: 'put', path: '/r/layer/link', content: Buffer.from('linked') },
      ], { after: new Promise((r) => setTimeout(r, 20)) });
      await d.putContent('/r/a/link', Buffer.from('new-a'));`;
    /** After the crash, the store as a power loss left it: the move undone, `source` in the upload (or no upload). */
    const replay = async (source: string | undefined, destination = false) => {
      const root = await seeded();
      await crashAfter(root, COMMIT);
      const [segment] = await segments(root);
      await fromEarlierBoot(segment!);
      await rm(join(root, 'r/layer'), { recursive: true });
      await rm(join(root, 'r/a'), { recursive: true });
      await rm(join(root, 'r/blob'), { recursive: true });
      if (destination) {
        await mkdir(join(root, 'r/blob'));
        await writeFile(join(root, 'r/blob/data'), 'blob bytes');
      }
      if (source === undefined) await rm(join(root, 'r/upload/data'), { force: true });
      else await writeFile(join(root, 'r/upload/data'), source);
      const d = new FilesystemDriver({ rootdirectory: root });
      await d.list('/'); // the first call replays
      const state = { blob: existsSync(join(root, 'r/blob/data')), link: existsSync(join(root, 'r/layer/link')), later: await text(root, 'r/a/link') };
      assert.deepEqual(await segments(root), []);
      await d.close();
      return state;
    };
    assert.deepEqual(await replay('blob bytes'), { blob: true, link: true, later: 'new-a' }, 'the bytes reached the disk: replayed');
    assert.deepEqual(await replay('blob \0\0\0\0\0'), { blob: false, link: false, later: 'new-a' }, 'torn bytes: the move and its link dropped, later changes kept');
    assert.deepEqual(await replay(undefined), { blob: false, link: false, later: 'new-a' }, 'the upload lost: dropped');
    assert.deepEqual(await replay(undefined, true), { blob: true, link: true, later: 'new-a' }, 'moved before the power loss: its link replayed');
  });

  it('journals a checked move beside its `after` up to 4 MiB; a larger one only after it, unchecked (a replay hashes less)', async () => {
    const root = await tempDir('berth-journal-');
    const d = new FilesystemDriver({ rootdirectory: root });
    const journaledMoves = async (from: string) => {
      const all = await Promise.all((await segments(root)).map(async (f) => decodeSegment(await readFile(f)).ops));
      return all.flat().filter((o) => o.op === 'move' && o.from === from).map((o) => (o.op === 'move' ? o.sha256 : undefined));
    };
    for (const [name, size, beside] of [['small', 4 * 1024 * 1024, true], ['large', 4 * 1024 * 1024 + 1, false]] as const) {
      const bytes = Buffer.alloc(size, 1);
      await mkdir(join(root, name));
      await writeFile(join(root, name, 'data'), bytes);
      const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const committing = d.commit([{ op: 'move', from: `/${name}/data`, to: `/${name}/blob`, sha256 }], { after: held });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await journaledMoves(`/${name}/data`), beside ? [sha256] : [], `${name}: journaled while its sync runs`);
      release();
      await committing;
      assert.deepEqual(await journaledMoves(`/${name}/data`), [beside ? sha256 : undefined], `${name}: journaled`);
      assert.equal(existsSync(join(root, name, 'blob')), true);
    }
    await d.close();
  });

  it('refuses keys inside its own folder', async () => {
    const root = await tempDir('berth-journal-');
    const d = new FilesystemDriver({ rootdirectory: root });
    await assert.rejects(d.putContent(`/${JOURNAL_DIR}/1-x-000001.log`, Buffer.from('x')), /invalid path/);
    await d.close();
  });
});
