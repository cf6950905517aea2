// The storage driver: a tiny, filesystem-shaped interface that knows nothing about OCI
// (distribution's storagedriver.StorageDriver, trimmed). Paths are absolute-style keys
// ("/docker/registry/v2/…") checked by `checkPath` before any driver touches them.
import type { Readable } from 'node:stream';

export interface FileInfo {
  readonly path: string;
  readonly size: number;
  readonly modTime: Date;
  readonly isDir: boolean;
}

/** An appending writer. Writes may be buffered; `commit` makes them durable. */
export interface FileWriter {
  /** Bytes accepted so far, including what was in the file before an append. */
  readonly size: number;
  /**
   * Optional: the size up to which the writer holds no reference to the chunks it was given any
   * more (written to the file, or copied into buffers of its own), so their memory may be
   * reused; a writer without it keeps every chunk's memory from being reused early.
   */
  readonly writtenSize?: number;
  /** Resolves when the writer can take more; it may still hold the chunk (see writtenSize). */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Optional: hands what is buffered to the file (not necessarily to stable storage) and keeps
   * the writer open, so an upload's next chunk appends without reopening the file.
   */
  flush?(): Promise<void>;
  /** Flushes and releases the file, keeping its content for a later append. */
  close(): Promise<void>;
  /** Flushes, syncs to stable storage and releases the file. */
  commit(): Promise<void>;
  /** Releases the file and removes it. */
  cancel(): Promise<void>;
}

export interface ReadRange {
  /** First byte, default 0. */
  start?: number;
  /** Last byte, inclusive; default the end of the file. */
  end?: number;
}

export interface WriteOptions {
  /**
   * False for scratch data that may be lost in a power cut (an upload's start time, the removal
   * of a finished upload's folder): the write is still atomic but skips the sync. Default true.
   */
  durable?: boolean;
}

/** One change of a `commit`. */
export type StorageChange =
  | { op: 'put'; path: string; content: Uint8Array }
  /**
   * `sha256` (`sha256:<hex>`), when given, is the source's content. A driver that lets the move
   * reach stable storage before the source's bytes (see CommitOptions.after) checks it after a
   * power loss, and drops the move, and the changes after it in the same commit, on a mismatch.
   */
  | { op: 'move'; from: string; to: string; sha256?: string }
  | { op: 'delete'; path: string };

export interface CommitOptions {
  /**
   * Work the changes depend on: the sync of an upload they move into place. The commit resolves
   * only after it, fails if it fails, and none of its changes becomes visible before it is done;
   * a driver may write and sync the changes meanwhile, so the two waits for the disk overlap.
   * A commit that fails before it waits for `after` leaves its rejection handled.
   */
  after?: Promise<void>;
}

/** Options for scratch data (see WriteOptions.durable). */
export const SCRATCH: WriteOptions = Object.freeze({ durable: false });

export interface StorageDriver {
  readonly name: string;
  /** Small objects (links, manifests), read whole. */
  getContent(path: string): Promise<Buffer>;
  /** Replaces the object atomically: a reader sees the old or the new content, never a mix. */
  putContent(path: string, content: Uint8Array, opts?: WriteOptions): Promise<void>;
  reader(path: string, range?: ReadRange): Promise<Readable>;
  writer(path: string, opts: { append: boolean }): Promise<FileWriter>;
  stat(path: string): Promise<FileInfo>;
  /** Names of the direct children of a directory. */
  list(path: string): Promise<string[]>;
  /** Moves an object, replacing the destination if present. */
  move(from: string, to: string): Promise<void>;
  /** Removes an object or a whole directory tree. */
  delete(path: string, opts?: WriteOptions): Promise<void>;
  /**
   * Makes `changes` in order and durable together, with one sync where the driver can: what a
   * store writes for one request (a manifest, its links, a tag) costs one wait for the disk.
   * Readers see the changes land one by one, in order; a crash leaves a prefix of them made.
   * A delete of something missing is no error here; a move of something missing is.
   */
  commit(changes: readonly StorageChange[], opts?: CommitOptions): Promise<void>;
  /** Removes `path` and then each empty parent up to (not including) `stopAt`. */
  pruneEmptyDirs?(path: string, stopAt: string): Promise<void>;
  /** Makes everything written durable and releases what the driver holds open. */
  close?(): Promise<void>;
}

/**
 * A body a driver can write to an HTTP response itself, faster than piping the Readable (the
 * filesystem driver reads into two reused buffers instead of a fresh one per chunk). Only
 * valid before the stream has been read from.
 */
export interface DirectBody {
  sendTo(res: import('node:http').ServerResponse): Promise<void>;
}

export function isDirectBody(s: Readable): s is Readable & DirectBody {
  return typeof (s as Partial<DirectBody>).sendTo === 'function';
}
