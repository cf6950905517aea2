// A driver that keeps everything in a Map: for unit tests and throwaway registries.
// Directories are implied by the keys below them, as in distribution's inmemory driver.
import { Readable } from 'node:stream';
import { checkPath } from './check-path';
import { InvalidOffsetError, PathNotFoundError } from './errors';
import type { CommitOptions, FileInfo, FileWriter, ReadRange, StorageChange, StorageDriver } from './types';

const NAME = 'inmemory';

interface Entry { data: Buffer; modTime: Date }

export class InMemoryDriver implements StorageDriver {
  readonly name = NAME;
  private readonly files = new Map<string, Entry>();

  private key(path: string): string {
    return '/' + checkPath(path, NAME).join('/');
  }

  private entry(path: string): Entry {
    const e = this.files.get(this.key(path));
    if (!e) throw new PathNotFoundError(path, NAME);
    return e;
  }

  private isDir(key: string): boolean {
    const prefix = key === '/' ? '/' : key + '/';
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  async getContent(path: string): Promise<Buffer> {
    return Buffer.from(this.entry(path).data);
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    this.files.set(this.key(path), { data: Buffer.from(content), modTime: new Date() });
  }

  async reader(path: string, range: ReadRange = {}): Promise<Readable> {
    const { data } = this.entry(path);
    const start = range.start ?? 0;
    if (start < 0 || start > data.length) throw new InvalidOffsetError(path, start, NAME);
    const end = range.end === undefined ? data.length : range.end + 1;
    return Readable.from([data.subarray(start, end)]);
  }

  async writer(path: string, opts: { append: boolean }): Promise<FileWriter> {
    const key = this.key(path);
    const files = this.files;
    const chunks: Buffer[] = opts.append && files.has(key) ? [files.get(key)!.data] : [];
    let size = chunks[0]?.length ?? 0;
    let done = false;
    const flush = () => files.set(key, { data: Buffer.concat(chunks), modTime: new Date() });
    flush();
    return {
      get size() { return size; },
      async write(chunk) {
        if (done) throw new Error(`writer for ${path} is closed`);
        chunks.push(Buffer.from(chunk));
        size += chunk.byteLength;
      },
      async close() { if (!done) { flush(); done = true; } },
      async commit() { if (!done) { flush(); done = true; } },
      async cancel() { done = true; files.delete(key); },
    };
  }

  async stat(path: string): Promise<FileInfo> {
    const key = this.key(path);
    const e = this.files.get(key);
    if (e) return { path, size: e.data.length, modTime: e.modTime, isDir: false };
    if (this.isDir(key)) return { path, size: 0, modTime: new Date(0), isDir: true };
    throw new PathNotFoundError(path, NAME);
  }

  async list(path: string): Promise<string[]> {
    const key = this.key(path);
    const prefix = key === '/' ? '/' : key + '/';
    const names = new Set<string>();
    for (const k of this.files.keys()) {
      if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
    }
    if (names.size === 0 && !this.files.has(key) && key !== '/') throw new PathNotFoundError(path, NAME);
    return [...names];
  }

  async move(from: string, to: string): Promise<void> {
    // Check both keys before changing anything, so a refused destination loses nothing.
    const dest = this.key(to);
    const e = this.entry(from);
    this.files.delete(this.key(from));
    this.files.set(dest, e);
  }

  async commit(changes: readonly StorageChange[], opts: CommitOptions = {}): Promise<void> {
    opts.after?.catch(() => undefined); // waited for below, unless a key is refused first
    // Every key is checked before anything changes.
    for (const c of changes) for (const p of c.op === 'move' ? [c.from, c.to] : [c.path]) this.key(p);
    await opts.after;
    for (const c of changes) {
      if (c.op === 'put') await this.putContent(c.path, c.content);
      else if (c.op === 'move') await this.move(c.from, c.to);
      else await this.delete(c.path).catch((err: unknown) => {
        if (!(err instanceof PathNotFoundError)) throw err;
      });
    }
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    const prefix = key + '/';
    let found = this.files.delete(key);
    for (const k of [...this.files.keys()]) {
      if (k.startsWith(prefix)) { this.files.delete(k); found = true; }
    }
    if (!found) throw new PathNotFoundError(path, NAME);
  }
}
