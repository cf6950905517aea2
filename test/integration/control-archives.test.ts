// archives.* through the control service, over real registries on temp folders: an export read
// back in chunks is a valid archive (parsed with a real tar reader) holding the image; the same
// bytes uploaded in chunks to a second, empty registry import it (summary right, the image
// pullable over the registry API); an upload cut short, or a whole upload of a cut archive,
// is refused with INVALID_ARGUMENT naming the problem, and the store is left as it was.
// archives.exportToFile (the desktop app's save dialog, here a port answering as the user would)
// writes the archive at the path the dialog gave, with progress events, and nothing when the
// dialog is cancelled or the export fails; without a dialog (the console) it is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ArchiveProgress, ControlEvent } from '../../preload/contract';
import { startControl, type ControlFixture } from '../support/control';
import { fileTree } from '../support/file-tree';
import { expectStatus, pushImage, type PushedImage } from '../support/oci';
import { entryJson, readTarEntries } from '../support/tar-read';

/** Small chunks, so even a small archive travels in several. */
const CHUNK = 4096;

async function download(c: ControlFixture, refs: string[]): Promise<Buffer> {
  const ex = await c.ok('archives.export', { refs });
  const parts: Buffer[] = [];
  for (let offset = 0; offset < ex.bytes; offset += CHUNK) {
    parts.push(Buffer.from((await c.ok('archives.exportChunk', { id: ex.id, offset, length: CHUNK })).base64, 'base64'));
  }
  const all = Buffer.concat(parts);
  assert.equal(all.length, ex.bytes);
  return all;
}

async function upload(c: ControlFixture, bytes: Buffer, announced = bytes.length) {
  const { id } = await c.ok('archives.importBegin', { bytes: announced });
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    await c.ok('archives.importChunk', { id, offset, base64: bytes.subarray(offset, offset + CHUNK).toString('base64') });
  }
  return c.service.invoke('archives.importFinish', { id });
}

describe('archives through the control service', () => {
  let source: ControlFixture;
  let image: PushedImage;
  let archive: Buffer;

  before(async () => {
    source = await startControl();
    image = await pushImage(source.url(), 'team/app', 'v1', { layerCount: 2, layerSize: 20_000 });
    archive = await download(source, ['team/app:v1']);
  });
  after(async () => source.close());

  it('exports a tag as an archive that holds it, and removes the file after the last chunk', async () => {
    const file = join(source.dir, 'export.tar');
    await writeFile(file, archive);
    const entries = await readTarEntries(file);
    const index = entryJson<{ manifests: Array<{ digest: string; annotations?: Record<string, string> }> }>(entries, 'index.json');
    assert.ok(index.manifests.some((m) => m.digest === image.digest), 'index.json names the image');
    for (const d of [image.digest, image.config.digest, ...image.layers.map((l) => l.digest)]) {
      assert.ok(entries.some((e) => e.name === `blobs/sha256/${d.slice(7)}` && e.digest === d), `blob ${d} is in the archive`);
    }
    assert.deepEqual((await readdir(join(source.dir, 'archive-transfers'))).filter((f) => f.endsWith('.tar')), []);
  });

  it('refuses to export what is not there', async () => {
    const r = await source.service.invoke('archives.export', { refs: ['team/app:nope'] });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'INVALID_ARGUMENT');
    assert.match(!r.ok ? r.error.message : '', /nope/);
  });

  it('imports the archive into an empty registry: summary right, image pullable', async () => {
    const target = await startControl();
    try {
      const r = await upload(target, archive);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.value.images, [{ name: 'team/app', tag: 'v1', digest: image.digest }]);
      assert.equal(r.value.blobsStored, 3);
      assert.equal(r.value.blobsSkipped, 0);
      assert.equal(r.value.bytes, image.config.bytes.length + image.layers.reduce((n, l) => n + l.bytes.length, 0));
      const m = await expectStatus(await fetch(`${target.url()}/v2/team/app/manifests/v1`, { headers: { Accept: image.mediaType } }), 200);
      assert.ok(m.equals(image.manifest));
      const layer = await expectStatus(await fetch(`${target.url()}/v2/team/app/blobs/${image.layers[1]!.digest}`), 200);
      assert.ok(layer.equals(image.layers[1]!.bytes));
      // The same archive again stores nothing new.
      const again = await upload(target, archive);
      assert.ok(again.ok);
      assert.equal(again.value.blobsStored, 0);
      assert.equal(again.value.blobsSkipped, 3);
      assert.deepEqual(await readdir(join(target.dir, 'archive-transfers')), []);
    } finally {
      await target.close();
    }
  });

  it('refuses an upload cut short, and a whole upload of a cut archive, storing nothing', async () => {
    const target = await startControl();
    try {
      const data = join(target.dir, 'data');
      const before = await fileTree(data);
      const half = archive.subarray(0, Math.floor(archive.length / 2));

      const short = await upload(target, half, archive.length);
      assert.equal(short.ok, false);
      assert.equal(!short.ok && short.error.code, 'INVALID_ARGUMENT');
      assert.match(!short.ok ? short.error.message : '', new RegExp(`incomplete: ${half.length} of ${archive.length} bytes`));

      const cut = await upload(target, half);
      assert.equal(cut.ok, false);
      assert.equal(!cut.ok && cut.error.code, 'INVALID_ARGUMENT');
      assert.match(!cut.ok ? cut.error.message : '', /cannot be imported: the uploaded file is truncated/);
      assert.doesNotMatch(!cut.ok ? cut.error.message : '', /archive-transfers/, 'no internal path');

      assert.deepEqual(await fileTree(data), before);
      assert.deepEqual((await target.ok('catalog.repositories', {})).items, []);
      assert.deepEqual(await readdir(join(target.dir, 'archive-transfers')), []);
    } finally {
      await target.close();
    }
  });

  it('refuses chunks out of order and ids it never gave', async () => {
    const { id } = await source.ok('archives.importBegin', { bytes: 10 });
    const r = await source.service.invoke('archives.importChunk', { id, offset: 5, base64: 'AAAA' });
    assert.equal(!r.ok && r.error.field, 'offset');
    const unknown = await source.service.invoke('archives.exportChunk', { id: '00000000-0000-4000-8000-000000000000', offset: 0, length: 10 });
    assert.equal(!unknown.ok && unknown.error.code, 'NOT_FOUND');
  });
});

describe('archives.exportToFile: the desktop app\'s save dialog', () => {
  let desk: ControlFixture;
  let image: PushedImage;
  let saveDir: string;
  /** What the user answers the next dialog (a path, or undefined: cancel), and the names offered. */
  const answers: Array<string | undefined> = [];
  const offered: string[] = [];

  before(async () => {
    desk = await startControl({
      saveFile: {
        choosePath: async ({ defaultName }) => {
          offered.push(defaultName);
          return answers.shift();
        },
      },
    });
    image = await pushImage(desk.url(), 'team/app', 'v1', { layerCount: 2, layerSize: 300_000 });
    saveDir = join(desk.dir, 'chosen');
    await mkdir(saveDir);
  });
  after(async () => desk.close());

  it('writes the archive where the dialog said, reporting progress up to the whole', async () => {
    const path = join(saveDir, 'mine.tar');
    answers.push(path);
    const progress: ArchiveProgress[] = [];
    const sub = desk.service.onEvent((e: ControlEvent) => {
      if (e.type === 'archive-progress' && e.progressId === 'p1') progress.push(e.progress);
    });
    const saved = await desk.ok('archives.exportToFile', { refs: ['team/app:v1'], progressId: 'p1' });
    sub.dispose();
    assert.ok(saved);
    assert.equal(saved.path, path);
    assert.deepEqual(saved.images, [{ reference: 'team/app:v1', digest: image.digest }]);
    assert.match(offered.at(-1)!, /^berth-export-\d{4}-\d\d-\d\d\.tar$/);
    assert.equal((await readFile(path)).length, saved.bytes);
    const entries = await readTarEntries(path);
    for (const d of [image.digest, image.config.digest, ...image.layers.map((l) => l.digest)]) {
      assert.ok(entries.some((e) => e.name === `blobs/sha256/${d.slice(7)}` && e.digest === d), `blob ${d} is in the file`);
    }
    assert.ok(progress.length >= 2, `progress was reported (${progress.length} events)`);
    const last = progress.at(-1)!;
    assert.equal(last.bytesDone, last.bytesTotal);
    assert.equal(last.bytesTotal, image.manifest.length + image.config.bytes.length + image.layers.reduce((n, l) => n + l.bytes.length, 0));
    assert.deepEqual([last.imagesDone, last.imagesTotal], [1, 1]);
    assert.deepEqual(await readdir(saveDir), ['mine.tar'], 'no temporary file is left');
  });

  it('writes nothing when the dialog is cancelled, or when the export fails after it', async () => {
    await rmAll(saveDir);
    answers.push(undefined);
    assert.equal(await desk.ok('archives.exportToFile', { refs: ['team/app:v1'], progressId: 'p2' }), null);
    answers.push(join(saveDir, 'broken.tar'));
    const r = await desk.service.invoke('archives.exportToFile', { refs: ['team/app'], progressId: 'p3' });
    assert.ok(r.ok, 'a bare repository name exports all its tags');
    await rmAll(saveDir);
    answers.push(join(saveDir, 'nope.tar'));
    const bad = await desk.service.invoke('archives.exportToFile', { refs: ['team/app:nope'], progressId: 'p4' });
    assert.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT');
    assert.match(!bad.ok ? bad.error.message : '', /nope/);
    assert.deepEqual(await readdir(saveDir), [], 'neither the file nor its .tmp');
  });

  it('takes no path from the caller, and only a dialog that exists', async () => {
    const named = await desk.service.call('archives.exportToFile', { refs: ['team/app:v1'], progressId: 'p5', path: join(saveDir, 'x.tar') });
    assert.equal(!named.ok && named.error.code, 'INVALID_ARGUMENT');
    assert.equal(await desk.ok('archives.savesToFile', {}), true);
    const consoleFace = await startControl();
    try {
      assert.equal(await consoleFace.ok('archives.savesToFile', {}), false);
      const r = await consoleFace.service.invoke('archives.exportToFile', { refs: ['team/app:v1'], progressId: 'p6' });
      assert.equal(!r.ok && r.error.code, 'UNAVAILABLE');
      assert.match(!r.ok ? r.error.message : '', /desktop app/);
    } finally {
      await consoleFace.close();
    }
    assert.ok(offered.every((n) => !isAbsolute(n)), 'the core offers a name, the dialog picks the folder');
  });
});

async function rmAll(dir: string): Promise<void> {
  for (const f of await readdir(dir)) await rm(join(dir, f), { force: true });
}
