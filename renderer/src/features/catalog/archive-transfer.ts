// Moves an archive between the browser and the core in ARCHIVE_CHUNK_BYTES pieces of base64
// (preload/contract/archives.ts), one call at a time, reporting the bytes moved so far: the
// progress bar shows the transfer itself, not a guess. The desktop app saves an export without
// that detour: the core writes it where the user says and reports how far it has got.
import { ARCHIVE_CHUNK_BYTES, type ArchiveExport, type ArchiveImportSummary, type ArchiveProgress, type ArchiveSaved } from '../../../../preload/contract/archives';
import { invoke } from '../../api/control';
import { transport } from '../../api/transport';

export type Progress = (done: number, total: number) => void;

export async function uploadArchive(file: File, onProgress: Progress): Promise<ArchiveImportSummary> {
  const { id } = await invoke('archives.importBegin', { bytes: file.size });
  for (let offset = 0; offset < file.size; offset += ARCHIVE_CHUNK_BYTES) {
    const base64 = await toBase64(file.slice(offset, offset + ARCHIVE_CHUNK_BYTES));
    await invoke('archives.importChunk', { id, offset, base64 });
    onProgress(Math.min(offset + ARCHIVE_CHUNK_BYTES, file.size), file.size);
  }
  return invoke('archives.importFinish', { id });
}

export async function downloadArchive(refs: string[], onProgress: Progress): Promise<{ blob: Blob; archive: ArchiveExport }> {
  const archive = await invoke('archives.export', { refs });
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let offset = 0; offset < archive.bytes; offset += ARCHIVE_CHUNK_BYTES) {
    const { base64 } = await invoke('archives.exportChunk', { id: archive.id, offset, length: ARCHIVE_CHUNK_BYTES });
    parts.push(fromBase64(base64));
    onProgress(Math.min(offset + ARCHIVE_CHUNK_BYTES, archive.bytes), archive.bytes);
  }
  return { blob: new Blob(parts, { type: 'application/x-tar' }), archive };
}

/** Desktop app: the core asks where to save and writes there; null when the user cancelled. */
export async function saveArchive(refs: string[], onProgress: (p: ArchiveProgress) => void): Promise<ArchiveSaved | null> {
  // Names this export's progress events; random, so two exports at once do not mix.
  const progressId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  const stop = transport().onEvent((e) => {
    if (e.type === 'archive-progress' && e.progressId === progressId) onProgress(e.progress);
  });
  try {
    return await invoke('archives.exportToFile', { refs, progressId });
  } finally {
    stop();
  }
}

/** The browser's own encoder (a data: URL), which handles a megabyte faster than a JS loop. */
function toBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = reader.result as string;
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the file'));
    reader.readAsDataURL(blob);
  });
}

function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
