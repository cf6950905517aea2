// An archive to import, read as a sequence of entries: a tar file (gzip-compressed or not, as
// `docker save | gzip` writes it) streamed with tar-stream, or a directory (an OCI image layout,
// or an unpacked `docker save`). The importer reads it twice (once to verify, once to store), so
// both are read straight from disk each time and nothing large is kept in memory.
import { createReadStream } from 'node:fs';
import { open, readdir, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { ImportError } from './import-error';

export interface ArchiveEntry {
  /** The path inside the archive, normalised: no leading `./` or `/`. */
  path: string;
  kind: 'file' | 'symlink';
  size: number;
  /** For a symlink (docker save links repeated layers): the target, resolved to an archive path. */
  target?: string;
  /** The file's bytes; each entry must be read to its end (or skipped) before the next one. */
  open(): AsyncIterable<Buffer>;
}

export interface ArchiveSource {
  /** For messages: the file or directory. */
  label: string;
  /** Every regular file and symlink, in the archive's order (a directory's: sorted). */
  entries(): AsyncIterable<ArchiveEntry>;
}

export async function openArchive(path: string): Promise<ArchiveSource> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ImportError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (info.isDirectory()) return directorySource(path);
  if (!info.isFile()) throw new ImportError(`${path} is neither a file nor a directory`);
  return tarSource(path, await isGzip(path));
}

export function normalisePath(p: string): string {
  const n = posix.normalize(p.replace(/^(\.\/|\/)+/, ''));
  return n === '.' ? '' : n;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function tarSource(file: string, gzip: boolean): ArchiveSource {
  return {
    label: file,
    async *entries() {
      const tar = extract();
      const input = createReadStream(file);
      const gunzip = gzip ? createGunzip() : undefined;
      // A read error or a cut gzip stream fails the tar stream, which ends the loop below with it.
      input.once('error', (err) => tar.destroy(err));
      gunzip?.once('error', (err) => tar.destroy(err));
      (gunzip ? input.pipe(gunzip) : input).pipe(tar);
      let current = '';
      try {
        for await (const entry of tar) {
          const h = entry.header;
          const path = normalisePath(h.name);
          current = path;
          if (h.type === 'file' || h.type === 'contiguous-file') {
            let opened = false;
            yield { path, kind: 'file', size: h.size ?? 0, open: () => { opened = true; return mapErrors(entry, file, path); } };
            // tar-stream yields the next entry once this one is read to its end or resumed.
            if (!opened) entry.resume();
          } else if (h.type === 'symlink' || h.type === 'link') {
            // A symlink's target is relative to its folder, a hard link's to the archive's root.
            const target = h.type === 'symlink' ? posix.join(posix.dirname(path), h.linkname ?? '') : (h.linkname ?? '');
            yield { path, kind: 'symlink', size: 0, target: normalisePath(target), open: () => { throw new Error('a link has no content'); } };
            entry.resume();
          } else {
            entry.resume();
          }
          current = '';
        }
      } catch (err) {
        throw tarProblem(file, err, current);
      } finally {
        input.destroy();
        gunzip?.destroy();
      }
    },
  };
}

/** An entry's bytes; a failure while reading them (the archive ends) is said as tarProblem says it. */
async function* mapErrors(entry: AsyncIterable<unknown>, file: string, path: string): AsyncIterable<Buffer> {
  try {
    for await (const chunk of entry) yield chunk as Buffer;
  } catch (err) {
    throw tarProblem(file, err, path);
  }
}

function tarProblem(file: string, err: unknown, inside: string): ImportError {
  if (err instanceof ImportError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/unexpected end of (data|file)/i.test(msg) || (err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
    return new ImportError(`${file} is truncated: it ends ${inside ? `inside ${inside}` : 'in the middle of a tar header'}`);
  }
  if (/invalid tar header|unknown format|checksum/i.test(msg)) return new ImportError(`${file} is not a tar archive (or is damaged): ${msg}`);
  return new ImportError(`cannot read ${file}: ${msg}`);
}

function directorySource(dir: string): ArchiveSource {
  return {
    label: dir,
    async *entries() {
      for (const path of await walk(dir, '')) {
        const full = join(dir, path);
        const info = await stat(full).catch(() => undefined);
        if (!info) {
          // A dangling symlink: report it as a link so a reference to it names the problem.
          yield { path, kind: 'symlink', size: 0, target: normalisePath(posix.join(posix.dirname(path), await readlink(full).catch(() => ''))), open: () => { throw new Error('a link has no content'); } };
          continue;
        }
        if (!info.isFile()) continue;
        let stream: ReturnType<typeof createReadStream> | undefined;
        yield { path, kind: 'file', size: info.size, open: () => (stream = createReadStream(full)) as AsyncIterable<Buffer> };
        stream?.destroy();
        stream = undefined;
      }
    },
  };
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const items = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of items) {
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await walk(root, path)));
    else out.push(path);
  }
  return out;
}
