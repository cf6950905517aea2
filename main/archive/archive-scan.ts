// The importer's first pass: every file of the archive is hashed as it streams by, and only
// small JSON files (index.json, manifest.json, manifests, configs) are kept. The plan is then
// checked against these hashes, so a tampered or truncated archive is refused before a single
// byte is written to the store.
import type { Hash } from 'node:crypto';
import { digestOfBlobPath } from './archive-format';
import type { ArchiveSource } from './archive-source';
import { ImportError } from './import-error';
import { hashFor } from '../registry/digest';
import type { Digest } from '../registry/reference';

/** Larger than any manifest or config Berth accepts (berth.manifestmaxbytes defaults to 4 MiB). */
export const SMALL_FILE_MAX = 8 * 1024 * 1024;
/** All small files kept at once: an archive with more JSON than this is refused rather than filling memory. */
const SMALL_TOTAL_MAX = 256 * 1024 * 1024;

export interface ScannedFile {
  path: string;
  size: number;
  /** `sha256:<hex>` of the bytes. */
  sha256: string;
  /** For `blobs/<alg>/<hex>` with another algorithm: the bytes' digest by that algorithm. */
  named?: string;
}

export interface ScannedArchive {
  label: string;
  files: Map<string, ScannedFile>;
  /** Symlinks and hard links: path → target path. */
  links: Map<string, string>;
  /** Contents of the small JSON files, by path. */
  small: Map<string, Buffer>;
}

export interface ScanProgress { files: number; bytes: number }

export async function scanArchive(source: ArchiveSource, onProgress?: (p: ScanProgress) => void): Promise<ScannedArchive> {
  const out: ScannedArchive = { label: source.label, files: new Map(), links: new Map(), small: new Map() };
  let kept = 0;
  let bytes = 0;
  for await (const entry of source.entries()) {
    if (entry.kind === 'symlink') {
      out.links.set(entry.path, entry.target ?? '');
      continue;
    }
    const sha = hashFor('sha256');
    const alg = otherAlgorithm(entry.path);
    const other: Hash | undefined = alg ? hashFor(alg) : undefined;
    const keep: Buffer[] | undefined = entry.size <= SMALL_FILE_MAX ? [] : undefined;
    let looksJson: boolean | undefined;
    let size = 0;
    for await (const chunk of entry.open()) {
      const buf = chunk as Buffer;
      sha.update(buf);
      other?.update(buf);
      size += buf.length;
      bytes += buf.length;
      if (keep) {
        // Only JSON is worth keeping: a layer never starts with `{` or `[` (gzip or tar header).
        looksJson ??= buf.length > 0 ? firstNonSpace(buf) : undefined;
        if (looksJson) keep.push(buf);
      }
    }
    if (size !== entry.size) throw new ImportError(`${source.label} is truncated: ${entry.path} has ${size} of its ${entry.size} bytes`);
    out.files.set(entry.path, { path: entry.path, size, sha256: `sha256:${sha.digest('hex')}`, ...(other ? { named: `${alg}:${other.digest('hex')}` } : {}) });
    if (keep && looksJson) {
      kept += size;
      if (kept > SMALL_TOTAL_MAX) throw new ImportError(`${source.label} holds more than ${SMALL_TOTAL_MAX / 1024 / 1024} MiB of JSON files: not an image archive Berth can import`);
      out.small.set(entry.path, Buffer.concat(keep));
    }
    onProgress?.({ files: out.files.size, bytes });
  }
  return out;
}

/** Whether a chunk starts (after whitespace) like a JSON object or array. */
function firstNonSpace(buf: Buffer): boolean | undefined {
  for (const b of buf) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b || b === 0x5b;
  }
  return undefined;
}

function otherAlgorithm(path: string): Exclude<Digest['algorithm'], 'sha256'> | undefined {
  const d = digestOfBlobPath(path);
  const alg = d?.slice(0, d.indexOf(':'));
  return alg === 'sha384' || alg === 'sha512' ? alg : undefined;
}

/** The file at `path`, following links (docker save links a repeated layer to its first copy). */
export function resolveFile(scan: ScannedArchive, path: string): ScannedFile | undefined {
  let p = path;
  for (let hops = 0; hops < 16; hops++) {
    const f = scan.files.get(p);
    if (f) return f;
    const next = scan.links.get(p);
    if (next === undefined) return undefined;
    p = next;
  }
  return undefined;
}
