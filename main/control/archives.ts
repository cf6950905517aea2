// archives.*: `berth import` and `berth export` for the window and the console. The bytes come
// and go in base64 chunks (preload/contract/archives.ts) through a temporary file in a private
// folder under the data folder, so no archive is ever held in memory.
//
// An import goes through the registry's own HTTP API, as `berth import` does (import-archive.ts
// says why), but the API is served for this import alone: a dispatcher over the running
// registry's store — the one writer of that storage — on a unix socket in the private folder,
// with no login, closed when the import ends. The public listener's login is not needed (the
// UI is the administrator's own tool), and nobody but this user can reach the socket.
//
// The desktop app saves an export straight to the file the user picks in its save dialog
// (archives.exportToFile): exportImages streams it to FILE.tmp and renames it when whole.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { ControlEvent } from '../../preload/contract';
import { ARCHIVE_CHUNK_BYTES, type ArchiveImportSummary, type ArchiveProgress } from '../../preload/contract/archives';
import { exportImages } from '../archive/export';
import { ExportError } from '../archive/export-error';
import { parseExportRef } from '../archive/export-ref';
import { parseAsOption } from '../archive/image-names';
import { storeArchive, verifyArchive, type ImportSummary } from '../archive/import-archive';
import { ImportError } from '../archive/import-error';
import { RegistryPush } from '../archive/registry-push';
import type { RegistryConfig } from '../config/types';
import { silentLogger, type Logger } from '../lib/logger';
import { allowAll } from '../registry/auth/access';
import { createDispatcher } from '../registry/http/dispatcher';
import { createApiServer } from '../registry/http/server';
import type { RunningRegistry } from '../registry/registry';
import { ControlFailure, invalid, notRunning } from './errors';
import type { ControlDeps, Handlers } from './types';

/** An unfinished transfer is removed after this long without a call. */
const IDLE_MS = 15 * 60_000;
/** Progress events of an export to a file at most this often (each chunk written would flood the window). */
const PROGRESS_EVERY_MS = 100;

interface Transfer { file: string; bytes: number; received: number; busy: boolean; timer: NodeJS.Timeout }

export function archivesHandlers(deps: ControlDeps, emit: (e: ControlEvent) => void): Handlers<'archives'> {
  const folder = join(deps.filesDir, 'archive-transfers');
  let cleared = false;
  const uploads = new Map<string, Transfer>();
  const downloads = new Map<string, Transfer>();

  /** The private folder; what an earlier run left in it (a crash mid-transfer) is removed first. */
  const ready = async () => {
    if (!cleared) {
      await rm(folder, { recursive: true, force: true });
      cleared = true;
    }
    await mkdir(folder, { recursive: true, mode: 0o700 });
    return folder;
  };
  const running = (): RunningRegistry => {
    const r = deps.runtime.registry;
    if (!r) throw notRunning();
    return r;
  };
  const track = (map: Map<string, Transfer>, id: string, t: Omit<Transfer, 'timer'>) => {
    map.set(id, { ...t, timer: idle(map, id) });
  };
  const idle = (map: Map<string, Transfer>, id: string) => setTimeout(() => void drop(map, id), IDLE_MS).unref();
  const drop = async (map: Map<string, Transfer>, id: string) => {
    const t = map.get(id);
    if (!t) return;
    map.delete(id);
    clearTimeout(t.timer);
    await rm(t.file, { force: true });
  };
  const find = (map: Map<string, Transfer>, id: string, what: string): Transfer => {
    const t = map.get(id);
    if (!t) throw new ControlFailure('NOT_FOUND', `No ${what} ${JSON.stringify(id.slice(0, 40))}: it finished, failed or expired; start again.`);
    clearTimeout(t.timer);
    t.timer = idle(map, id);
    return t;
  };

  return {
    'archives.importBegin': async ({ bytes }) => {
      running();
      const id = randomUUID();
      const file = join(await ready(), `${id}.upload`);
      await writeFile(file, '', { mode: 0o600, flag: 'wx' });
      track(uploads, id, { file, bytes, received: 0, busy: false });
      return { id };
    },
    'archives.importChunk': async ({ id, offset, base64 }) => {
      const t = find(uploads, id, 'upload');
      if (t.busy) throw new ControlFailure('CONFLICT', 'The previous chunk of this upload is still being written; send chunks one at a time.');
      if (offset !== t.received) throw invalid('offset', `This chunk starts at byte ${offset}, but the upload has ${t.received} bytes; send the chunks in order.`);
      const buf = Buffer.from(base64, 'base64');
      if (t.received + buf.length > t.bytes) throw invalid('base64', `The upload is longer than the ${t.bytes} bytes announced.`);
      t.busy = true;
      try {
        await appendFile(t.file, buf);
        t.received += buf.length;
      } finally {
        t.busy = false;
      }
      return { received: t.received };
    },
    'archives.importFinish': async ({ id, as }) => {
      const t = find(uploads, id, 'upload');
      if (t.busy) throw new ControlFailure('CONFLICT', 'A chunk of this upload is still being written.');
      uploads.delete(id);
      clearTimeout(t.timer);
      try {
        if (t.received !== t.bytes) throw invalid('id', `The upload is incomplete: ${t.received} of ${t.bytes} bytes arrived, so nothing was imported.`);
        const r = running();
        const target = as !== undefined ? parseAsOption(as) : undefined;
        // Verified whole before anything is stored, as `berth import` does.
        const verified = await verifyArchive(t.file, target ? { as: target } : {});
        return shape(await withPrivateApi(r, deps.runtime.config, deps.log, folder, (push) => storeArchive(verified, push)));
      } catch (err) {
        if (err instanceof ImportError) throw invalid(as !== undefined && err.message.startsWith('--as') ? 'as' : 'archive', `The archive cannot be imported: ${err.message.replaceAll(t.file, 'the uploaded file').replace(/\.$/, '')}.`);
        throw err;
      } finally {
        await rm(t.file, { force: true });
      }
    },
    'archives.export': async ({ refs }) => {
      const r = running();
      const id = randomUUID();
      const file = join(await ready(), `${id}.tar`);
      try {
        const summary = await exportImages(r.store, { refs: refs.map(parseExportRef), file });
        track(downloads, id, { file, bytes: summary.bytes, received: 0, busy: false });
        return { id, bytes: summary.bytes, images: summary.images };
      } catch (err) {
        await rm(file, { force: true });
        if (err instanceof ExportError) throw invalid('refs', `Cannot export: ${err.message}.`);
        throw err;
      }
    },
    'archives.exportChunk': async ({ id, offset, length }) => {
      const t = find(downloads, id, 'export');
      if (offset > t.bytes) throw invalid('offset', `The archive has ${t.bytes} bytes.`);
      const n = Math.min(length, ARCHIVE_CHUNK_BYTES, t.bytes - offset);
      const buf = Buffer.alloc(n);
      const fh = await open(t.file, 'r');
      try {
        await fh.read(buf, 0, n, offset);
      } finally {
        await fh.close();
      }
      // The last chunk read ends the export: its file is removed at once.
      if (offset + n >= t.bytes) await drop(downloads, id);
      return { base64: buf.toString('base64') };
    },
    'archives.savesToFile': async () => deps.saveFile !== undefined,
    'archives.exportToFile': async ({ refs, progressId }) => {
      if (!deps.saveFile) throw new ControlFailure('UNAVAILABLE', 'Saving to a file chosen in a dialog is for the desktop app; here the export comes as a download.');
      const r = running();
      try {
        const parsed = refs.map(parseExportRef); // a bad reference fails before the dialog opens
        const path = await deps.saveFile.choosePath({ defaultName: `berth-export-${new Date().toISOString().slice(0, 10)}.tar` });
        if (path === undefined) return null;
        const summary = await exportImages(r.store, { refs: parsed, file: path, onProgress: throttled((progress) => emit({ type: 'archive-progress', progressId, progress })) });
        return { path, bytes: summary.bytes, images: summary.images };
      } catch (err) {
        if (err instanceof ExportError) throw invalid('refs', `Cannot export: ${err.message}.`);
        throw err;
      }
    },
  };
}

/** Passes on the first report, then at most one per PROGRESS_EVERY_MS, and always the last (all done). */
function throttled(report: (p: ArchiveProgress) => void): (p: ArchiveProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const done = p.bytesDone === p.bytesTotal && p.imagesDone === p.imagesTotal;
    if (!done && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    report(p);
  };
}

/** Runs `work` with a push client on a private API over the running registry's store. */
async function withPrivateApi<T>(r: RunningRegistry, config: RegistryConfig, log: Logger, folder: string, work: (push: RegistryPush) => Promise<T>): Promise<T> {
  const socketPath = join(folder, `${randomUUID().slice(0, 8)}.sock`);
  const privateConfig: RegistryConfig = {
    ...config,
    http: { ...config.http, net: 'unix', addr: socketPath, host: undefined, prefix: '/', tls: undefined, debug: undefined, relativeurls: true },
  };
  const api = await createApiServer(privateConfig, createDispatcher({ store: r.store, config: privateConfig, log, access: allowAll }), silentLogger);
  await listenOn(api.server, socketPath);
  const push = new RegistryPush({ base: new URL('http://localhost/'), socketPath });
  try {
    return await work(push);
  } finally {
    push.close();
    await api.close();
    await rm(socketPath, { force: true });
  }
}

function listenOn(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function shape(s: ImportSummary): ArchiveImportSummary {
  return {
    images: s.images.flatMap((i) => (i.tags.length > 0 ? i.tags.map((tag) => ({ name: i.repository, tag, digest: i.digest })) : [{ name: i.repository, digest: i.digest }])),
    blobsStored: s.blobsStored,
    blobsSkipped: s.blobsSkipped,
    bytes: s.bytesStored,
  };
}
