// Reads the icon files scripts/make-icons.mjs writes, to check them pixel by pixel: its PNGs
// (8-bit RGBA, filter 0 on every row, which is all it writes) and its .ico files (32-bit BMP
// entries). Pixels come back as RGBA rows, top to bottom.
import { inflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  rgba: Buffer;
}

export function readPng(file: Buffer): Pixels {
  if (!file.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let width = 0, height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const len = file.readUInt32BE(at);
    const type = file.toString('ascii', at + 4, at + 8);
    const body = file.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 6) throw new Error('not 8-bit RGBA');
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    if (raw[row] !== 0) throw new Error(`row ${y} uses PNG filter ${raw[row]}`);
    raw.copy(rgba, y * width * 4, row + 1, row + 1 + width * 4);
  }
  return { width, height, rgba };
}

export function readIco(file: Buffer): Pixels[] {
  if (file.readUInt16LE(0) !== 0 || file.readUInt16LE(2) !== 1) throw new Error('not an .ico');
  return Array.from({ length: file.readUInt16LE(4) }, (_, i) => {
    const e = 6 + 16 * i;
    const size = file[e] || 256;
    const bmp = file.subarray(file.readUInt32LE(e + 12), file.readUInt32LE(e + 12) + file.readUInt32LE(e + 8));
    if (bmp.readUInt32LE(0) !== 40 || bmp.readInt32LE(4) !== size || bmp.readInt32LE(8) !== size * 2 || bmp.readUInt16LE(14) !== 32) {
      throw new Error(`entry ${i} is not a ${size} px 32-bit BMP`);
    }
    const rgba = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const from = 40 + ((size - 1 - y) * size + x) * 4, to = (y * size + x) * 4;
        rgba[to] = bmp[from + 2]!; rgba[to + 1] = bmp[from + 1]!; rgba[to + 2] = bmp[from]!; rgba[to + 3] = bmp[from + 3]!;
      }
    }
    const maskBytes = Math.ceil(size / 32) * 4 * size;
    if (bmp.length !== 40 + size * size * 4 + maskBytes) throw new Error(`entry ${i} has ${bmp.length} bytes`);
    return { width: size, height: size, rgba };
  });
}
