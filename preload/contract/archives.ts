// Import and export of image archives from a face of Berth (the window, the console). The bytes
// travel in chunks of base64, because every transport carries JSON and each call is kept
// small (ARCHIVE_CHUNK_BYTES); the core keeps them in a temporary file under its data folder, never in memory.
// The desktop app saves an export without that detour: the core asks where in a native save
// dialog and writes the archive there itself (archives.exportToFile), so the window never names a
// path and no byte of the archive crosses to it.

/** The largest chunk a call carries, before base64: 1 MiB, so its JSON stays under the console's 2 MiB body limit. */
export const ARCHIVE_CHUNK_BYTES = 1024 * 1024;
/** The largest archive the UI may upload (a CLI `berth import` has no such limit). */
export const ARCHIVE_UPLOAD_MAX_BYTES = 64 * 1024 * 1024 * 1024;

export interface ArchiveImportSummary {
  /** One row per tag stored (a tagless image has no `tag`). */
  images: Array<{ name: string; tag?: string; digest: string }>;
  blobsStored: number;
  blobsSkipped: number;
  /** Bytes of the blobs stored. */
  bytes: number;
}

export interface ArchiveExport {
  /** Passed to archives.exportChunk; valid until the last chunk is read or a while passes. */
  id: string;
  bytes: number;
  images: Array<{ reference: string; digest: string }>;
}

/** How far an archives.exportToFile has got, sent as the ControlEvent 'archive-progress'. */
export interface ArchiveProgress {
  /** Bytes of blob content written, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  /** Images whose every blob is written, of `imagesTotal`. */
  imagesDone: number;
  imagesTotal: number;
}

export interface ArchiveSaved {
  /** Where the user chose to save it. */
  path: string;
  bytes: number;
  images: Array<{ reference: string; digest: string }>;
}

export interface ArchivesMethods {
  /** Starts an upload of `bytes` bytes; the id names it in the calls that follow. */
  'archives.importBegin': { args: { bytes: number }; result: { id: string } };
  /** Writes `base64` at `offset`; chunks must come in order. */
  'archives.importChunk': { args: { id: string; offset: number; base64: string }; result: { received: number } };
  /** Checks the upload is whole, imports it like `berth import` (`as` renames its one image), removes the file. */
  'archives.importFinish': { args: { id: string; as?: string }; result: ArchiveImportSummary };
  /** Writes `refs` (`name:tag`, `name@digest`, `name`) to an archive and says how big it is. */
  'archives.export': { args: { refs: string[] }; result: ArchiveExport };
  /** Reads `length` bytes of the archive at `offset`; the last chunk read removes it. */
  'archives.exportChunk': { args: { id: string; offset: number; length: number }; result: { base64: string } };
  /** Whether this face saves exports to a file the user picks (archives.exportToFile): the desktop app only. */
  'archives.savesToFile': { args: Record<string, never>; result: boolean };
  /**
   * Desktop app only: asks where to save in a native dialog, then writes `refs` there, sending
   * 'archive-progress' events tagged `progressId`. Null when the user cancelled (nothing written).
   */
  'archives.exportToFile': { args: { refs: string[]; progressId: string }; result: ArchiveSaved | null };
}
