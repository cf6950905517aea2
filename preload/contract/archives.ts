// Import and export of image archives from a face of Berth (the window, the console). The bytes
// travel in chunks of base64, because every transport carries JSON and each call is kept
// small (ARCHIVE_CHUNK_BYTES); the core keeps them in a temporary file under its data folder, never in memory.

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
}
