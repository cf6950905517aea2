// Writes an export plan as one tar, streaming: each blob goes from its reader through a digest
// check into a tar entry whose size the descriptor already gave, so no layer is ever held in
// memory and the file never contains a blob other than the one its name promises. The tar is
// written to FILE.tmp and renamed when complete (fsynced first), so FILE is either absent, the
// previous file, or a whole archive.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import {
  blobPath, DOCKER_MANIFEST_FILE, DOCKER_REPOSITORIES_FILE, OCI_INDEX_FILE, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE,
} from './archive-format';
import { syncDir } from '../lib/atomic-file';
import { ExportError } from './export-error';
import type { ExportPlan, PlannedBlob } from './export-plan';

export interface ExportProgress {
  /** Bytes of blob content written so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  /** References whose every blob is written, of `imagesTotal`. */
  imagesDone: number;
  imagesTotal: number;
}

export type OpenBlob = (blob: PlannedBlob) => Promise<Readable>;

type Sink = ReturnType<Pack['entry']>;

// A fixed time for every entry: the same content exports to the same bytes.
const MTIME = new Date(0);

/** Where an archive is written until it is whole. */
export function partialArchivePath(file: string): string {
  return `${file}.tmp`;
}

export async function writeArchive(plan: ExportPlan, openBlob: OpenBlob, file: string, onProgress?: (p: ExportProgress) => void): Promise<{ bytes: number }> {
  const tmp = partialArchivePath(file);
  const progress: ExportProgress = {
    bytesDone: 0,
    bytesTotal: plan.blobs.reduce((n, b) => n + b.size, 0),
    imagesDone: 0,
    imagesTotal: plan.images.length,
  };
  let written = 0;
  try {
    const pack = tarPack();
    // flush: fsync before close, so the rename below publishes bytes that are on disk.
    const out = createWriteStream(tmp, { mode: 0o644, flush: true });
    const done = pipeline(pack, async function* (source: AsyncIterable<unknown>) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        written += chunk.length;
        yield chunk;
      }
    }, out);
    // A failed write ends the pipeline early; entries then wait on a stream no one reads.
    let failed: unknown;
    done.catch((err: unknown) => { failed = err ?? new Error('archive write failed'); });
    try {
      await small(pack, OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT);
      await small(pack, OCI_INDEX_FILE, plan.index);
      await small(pack, DOCKER_MANIFEST_FILE, plan.dockerManifest);
      await small(pack, DOCKER_REPOSITORIES_FILE, plan.repositories);
      onProgress?.({ ...progress });
      for (let i = 0; i < plan.blobs.length; i++) {
        const blob = plan.blobs[i]!;
        await copyBlob(pack, blob, await openBlob(blob), (n) => {
          progress.bytesDone += n;
          onProgress?.({ ...progress });
        }, () => failed);
        const before = progress.imagesDone;
        progress.imagesDone = plan.images.filter((img) => img.lastBlob <= i).length;
        if (progress.imagesDone !== before) onProgress?.({ ...progress });
      }
      progress.imagesDone = plan.images.length;
      pack.finalize();
      await done;
    } catch (err) {
      // Without an error: the caller reports `err`; the pack's own error would have no listener.
      pack.destroy();
      await done.catch(() => undefined);
      throw failed && !(err instanceof ExportError) ? failed : err;
    }
    await rename(tmp, file);
    await syncDir(dirname(file));
    onProgress?.({ ...progress });
    return { bytes: written };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function small(pack: Pack, name: string, value: unknown): Promise<void> {
  const data = Buffer.from(JSON.stringify(value));
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: data.length, mode: 0o644, mtime: MTIME }, data, (err) => (err ? reject(err) : resolve()));
  });
}

/** Streams one blob into its entry, checking its length and digest on the way. */
async function copyBlob(pack: Pack, blob: PlannedBlob, source: Readable, onBytes: (n: number) => void, failed: () => unknown): Promise<void> {
  const algorithm = blob.digest.slice(0, blob.digest.indexOf(':'));
  const hash = createHash(algorithm);
  let settle!: (err?: Error | null) => void;
  const entryDone = new Promise<void>((res, rej) => { settle = (err) => (err ? rej(err) : res()); });
  entryDone.catch(() => undefined); // awaited below, unless the copy fails first
  const entry = pack.entry({ name: blobPath(blob.digest), size: blob.size, mode: 0o644, mtime: MTIME }, (err) => settle(err));
  entry.on('error', () => undefined); // reported through the entry's callback
  let n = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > blob.size) break;
      hash.update(chunk);
      if (!entry.write(chunk)) await drained(entry, failed);
      onBytes(chunk.length);
    }
  } finally {
    source.destroy();
  }
  if (n !== blob.size || `${algorithm}:${hash.digest('hex')}` !== blob.digest) {
    throw new ExportError(`blob ${blob.digest} in the store is ${n !== blob.size ? `not ${blob.size} bytes long` : 'corrupt (its bytes have another digest)'}; run berth fsck`);
  }
  entry.end(undefined);
  await entryDone;
}

function drained(entry: Sink, failed: () => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const f = failed();
    if (f) return reject(f);
    const off = () => { entry.off('drain', ok); entry.off('error', bad); entry.off('close', closed); };
    const ok = () => { off(); resolve(); };
    const bad = (err: unknown) => { off(); reject(err); };
    const closed = () => { off(); reject(failed() ?? new Error('archive stream closed')); };
    entry.on('drain', ok);
    entry.on('error', bad);
    entry.on('close', closed);
  });
}
