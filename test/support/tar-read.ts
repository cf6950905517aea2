// Reads a tar back with a real tar parser (tar-stream): every entry in order, with the sha256
// and size of its content. Bodies are kept only for small entries, so a big layer never sits in
// memory; archive tests check blobs by digest and read the JSON files from `body`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { extract } from 'tar-stream';

export interface ReadEntry { name: string; size: number; digest: string; body: Buffer | undefined }

const KEEP = 1 << 20;

export async function readTarEntries(file: string): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); });
  ex.on('entry', (header, stream, next) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      const c = data as Buffer;
      hash.update(c);
      size += c.length;
      if (size <= KEEP) chunks.push(c);
    });
    stream.on('end', () => {
      out.push({ name: header.name, size, digest: `sha256:${hash.digest('hex')}`, body: size <= KEEP ? Buffer.concat(chunks) : undefined });
      next();
    });
  });
  const input = createReadStream(file);
  input.on('error', (err) => ex.destroy(err));
  input.pipe(ex);
  await done;
  return out;
}

/** The parsed JSON of entry `name`. */
export function entryJson<T>(entries: ReadEntry[], name: string): T {
  const e = entries.find((x) => x.name === name);
  if (!e?.body) throw new Error(`no ${name} in the archive`);
  return JSON.parse(e.body.toString('utf8')) as T;
}
