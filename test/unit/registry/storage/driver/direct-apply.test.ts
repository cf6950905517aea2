import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectApply, moveNow, putNow } from '../../../../../main/registry/storage/driver/direct-apply';
import { tempDir } from '../../../../support/cleanup';

describe('DirectApply', () => {
  it('applies directly while applies are quick, and past a lone slow one', () => {
    let clock = 0;
    const pacer = new DirectApply(1, 10_000, () => clock);
    for (let i = 0; i < 100; i++) assert.equal(pacer.run(() => { clock += 0.1; }), true);
    assert.equal(pacer.run(() => { clock += 12; }), true, 'a lone 12 ms apply (a GC pause inside it, say)');
    assert.equal(pacer.run(() => { clock += 0.1; }), true, 'is not enough to stop');
  });

  it('once applies are slow on average, uses the thread pool until the pause has passed, then tries again', () => {
    let clock = 0;
    const pacer = new DirectApply(1, 10_000, () => clock);
    const ran: number[] = [];
    let direct = 0;
    // A filesystem where each apply takes 3 ms (NFS): the average passes 1 ms after a few.
    while (pacer.run(() => { ran.push(clock); clock += 3; })) direct++;
    assert.ok(direct >= 5 && direct <= 10, `${direct} slow applies made directly before stopping`);
    const stoppedAt = clock;
    clock = stoppedAt + 9_999;
    assert.equal(pacer.run(() => ran.push(-1)), false, 'still inside the pause');
    clock = stoppedAt + 10_001;
    assert.equal(pacer.run(() => { clock += 0.1; }), true, 'after the pause');
    assert.equal(pacer.run(() => { clock += 0.1; }), true, 'and the average started afresh');
    assert.ok(!ran.includes(-1));
  });

  it('a failing apply throws to its caller and still counts', () => {
    let clock = 0;
    const pacer = new DirectApply(1, 10_000, () => clock);
    assert.throws(() => pacer.run(() => { clock += 100; throw new Error('EIO'); }), /EIO/);
    assert.equal(pacer.run(() => undefined), false, 'a 100 ms stall stops direct applies at once');
  });
});

describe('direct file calls', () => {
  it('put: makes the folders, writes through a temporary name, leaves nothing else', async () => {
    const dir = await tempDir('berth-direct-');
    const target = join(dir, 'a', 'b', 'link');
    putNow(target, `${target}.x.tmp`, Buffer.from('sha256:abc'));
    putNow(target, `${target}.y.tmp`, Buffer.from('sha256:def'));
    assert.equal(await readFile(target, 'utf8'), 'sha256:def');
    assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['link']);
  });

  it('put that fails: the error is thrown and no temporary file is left', async () => {
    const dir = await tempDir('berth-direct-');
    await writeFile(join(dir, 'file'), 'x');
    // A folder in the way of the rename: the temporary file was written, then must go.
    await mkdir(join(dir, 'taken', 'inside'), { recursive: true });
    assert.throws(() => putNow(join(dir, 'taken'), join(dir, 'taken.t.tmp'), Buffer.from('x')), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.equal(existsSync(join(dir, 'taken.t.tmp')), false);
    // A file where a folder should be.
    assert.throws(() => putNow(join(dir, 'file', 'link'), join(dir, 'file', 'link.t.tmp'), Buffer.from('x')), /ENOTDIR|EEXIST/);
  });

  it('move makes the destination folder, and fails on a missing source', async () => {
    const dir = await tempDir('berth-direct-');
    await writeFile(join(dir, 'upload'), 'data');
    moveNow(join(dir, 'upload'), join(dir, 'blobs', 'ab', 'data'));
    assert.equal(await readFile(join(dir, 'blobs', 'ab', 'data'), 'utf8'), 'data');
    assert.deepEqual(await readdir(dir), ['blobs']);
    assert.throws(() => moveNow(join(dir, 'missing'), join(dir, 'to')), /ENOENT/);
  });
});
