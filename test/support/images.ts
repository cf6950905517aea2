// Test images built without a network: a single-layer busybox image (`docker import` of a
// rootfs holding the static /bin/busybox), multi-layer images built FROM it with COPY, and an
// image carrying a big layer of incompressible random data for the large-push test.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './cleanup';
import type { Dockerd } from './dockerd';
import { requireExecutable } from './processes';
import { tarArchive } from './tar';
import { hexOf, sha256 } from './oci';

/** A root filesystem tar with just /bin/busybox (Debian's busybox-static), for import. */
export async function writeBusyboxRootfsTar(file: string): Promise<void> {
  const busybox = requireExecutable('busybox', 'busybox-static');
  const bytes = readFileSync(busybox);
  // A dynamically linked busybox would not run in an otherwise empty image: fail clearly.
  if (hasElfInterpreter(bytes)) throw new Error(`${busybox} is dynamically linked; install the Debian package "busybox-static"`);
  await writeFile(file, tarArchive([
    { name: 'bin/' },
    { name: 'bin/busybox', data: bytes, mode: 0o755 },
    { name: 'tmp/', mode: 0o1777 },
  ]));
}

/** True if a 64-bit little-endian ELF file has a PT_INTERP program header (needs ld.so). */
function hasElfInterpreter(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    if (elf.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return true;
  }
  return false;
}

/** `docker import` of the busybox rootfs: a one-layer image that runs /bin/busybox. */
export async function importBusyboxImage(d: Dockerd, tag: string): Promise<void> {
  const dir = await tempDir('berth-img-');
  const tar = join(dir, 'rootfs.tar');
  await writeBusyboxRootfsTar(tar);
  await d.docker(['import', '--change', 'CMD ["/bin/busybox", "sh"]', tar, tag]);
}

export interface BuiltFile {
  /** Absolute path inside the image. */
  path: string;
  /** Hex sha256 of its content, as `busybox sha256sum` prints it. */
  sha256: string;
}

/**
 * `docker build` FROM base with one COPY per file, so the image has base's layers plus one
 * layer per file. The legacy builder (DOCKER_BUILDKIT=0, set by dockerd.ts) needs no network.
 */
export async function buildImageWithFiles(
  d: Dockerd,
  opts: { base: string; tag: string; files: Array<{ name: string; data?: Buffer; randomBytes?: number }> },
): Promise<BuiltFile[]> {
  const context = await tempDir('berth-ctx-');
  const built: BuiltFile[] = [];
  const lines = [`FROM ${opts.base}`];
  for (const f of opts.files) {
    const file = join(context, f.name);
    const sha256 = f.data ? await writeAndHash(file, f.data) : await writeRandomFile(file, f.randomBytes ?? 1024);
    lines.push(`COPY ${f.name} /data/${f.name}`);
    built.push({ path: `/data/${f.name}`, sha256 });
  }
  await writeFile(join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
  await d.docker(['build', '--network', 'none', '--tag', opts.tag, context], { timeoutMs: 300_000 });
  return built;
}

/** A multi-layer image: base + a small text layer + a 1 MiB random layer. */
export function buildMultiLayerImage(d: Dockerd, base: string, tag: string): Promise<BuiltFile[]> {
  return buildImageWithFiles(d, {
    base,
    tag,
    files: [
      { name: 'hello.txt', data: Buffer.from(`hello from ${tag}\n`) },
      { name: 'noise.bin', randomBytes: 1024 * 1024 },
    ],
  });
}

/** An image whose top layer is one file of `mib` MiB of random (incompressible) bytes. */
export async function buildBigImage(d: Dockerd, base: string, tag: string, mib = 210): Promise<BuiltFile> {
  const [file] = await buildImageWithFiles(d, { base, tag, files: [{ name: 'big.bin', randomBytes: mib * 1024 * 1024 }] });
  return file!;
}

/** Writes `size` random bytes in 1 MiB chunks (never all in memory); returns the hex sha256. */
export async function writeRandomFile(file: string, size: number): Promise<string> {
  await mkdir(join(file, '..'), { recursive: true });
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    for (let left = size; left > 0; ) {
      const chunk = randomBytes(Math.min(left, 1024 * 1024));
      hash.update(chunk);
      await handle.write(chunk);
      left -= chunk.length;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function writeAndHash(file: string, data: Buffer): Promise<string> {
  await writeFile(file, data);
  return hexOf(sha256(data));
}

/** "digest: sha256:… size: N" from `docker push` / "Digest: sha256:…" from `docker pull`. */
export function digestFromOutput(output: string): string {
  const m = /digest: (sha256:[0-9a-f]{64})/i.exec(output);
  if (!m) throw new Error(`no digest in docker output:\n${output}`);
  return m[1]!;
}
