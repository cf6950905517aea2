// Draws Berth's tray and app icons with nothing but node:zlib, so they can be rebuilt anywhere:
// `node scripts/make-icons.mjs [DIR]` writes them to resources/ (where they are committed;
// test/unit/app/paths.test.ts checks they are this script's output).
//   tray-<state>.png (16 px) and tray-<state>@2x.png (32 px), state = running|stopped|starting|error,
//     for Linux (and Windows' fallback);
//   tray-<state>.ico (16 + 32 px, 32-bit BMP entries) for the Windows notification area, which
//     picks the size for the screen's scaling from the one file;
//   tray-<state>Template.png (+ @2x) for the macOS menu bar (black + alpha, recoloured by macOS);
//   icon.png (512 px), the application icon, from which electron-builder derives .icns and .ico.
// The states differ in shape as well as colour: a filled disc (running), a ring (stopped), a
// ring with a centre dot (starting), a disc with a bar cut out (error).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = process.argv[2] ?? 'resources';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** size×size RGBA pixels, rows top to bottom; `paint(x, y)` gives [r,g,b,a] in 0..1 coordinates, 4×4 supersampled. */
function pixels(size, paint) {
  const px = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const [pr, pg, pb, pa] = paint((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
        }
      }
      const o = (y * size + x) * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return px;
}

function png(size, paint) {
  const px = pixels(size, paint);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * An .ico holding one 32-bit BMP image per size (a BITMAPINFOHEADER with the height doubled for
 * the AND mask, BGRA rows bottom-up, then an all-zero mask: alpha does the masking).
 */
function ico(sizes, paint) {
  const images = sizes.map((size) => {
    const px = pixels(size, paint);
    const header = Buffer.alloc(40);
    header.writeUInt32LE(40, 0);
    header.writeInt32LE(size, 4);
    header.writeInt32LE(size * 2, 8);
    header.writeUInt16LE(1, 12); // planes
    header.writeUInt16LE(32, 14); // bits per pixel
    const xor = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const from = (y * size + x) * 4, to = ((size - 1 - y) * size + x) * 4;
        xor[to] = px[from + 2]; xor[to + 1] = px[from + 1]; xor[to + 2] = px[from]; xor[to + 3] = px[from + 3];
      }
    }
    const mask = Buffer.alloc(Math.ceil(size / 32) * 4 * size);
    return { size, data: Buffer.concat([header, xor, mask]) };
  });
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    dir[e] = size; dir[e + 1] = size; // (256 would be written as 0)
    dir.writeUInt16LE(1, e + 4); // planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(data.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([dir, ...images.map((i) => i.data)]);
}

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const COLOURS = { running: '#2da44e', stopped: '#8c959f', starting: '#d4a72c', error: '#cf222e' };
const NONE = [0, 0, 0, 0];

function trayShape(state) {
  return (x, y) => {
    const d = Math.hypot(x - 0.5, y - 0.5);
    const disc = d <= 0.44;
    const ring = d <= 0.44 && d >= 0.29;
    switch (state) {
      case 'running': return disc;
      case 'stopped': return ring;
      case 'starting': return ring || d <= 0.13;
      case 'error': return disc && !(Math.abs(y - 0.5) < 0.08 && Math.abs(x - 0.5) < 0.27);
    }
    return false;
  };
}

function appIcon(x, y) {
  // A rounded square in Berth blue, with a white mooring ring above a white quay.
  const r = 0.18, m = 0.06;
  const cx = Math.min(Math.max(x, m + r), 1 - m - r), cy = Math.min(Math.max(y, m + r), 1 - m - r);
  if (Math.hypot(x - cx, y - cy) > r) return NONE;
  const d = Math.hypot(x - 0.5, y - 0.42);
  const white = (d <= 0.22 && d >= 0.13) || (y >= 0.7 && y <= 0.78 && x >= 0.2 && x <= 0.8);
  return white ? [255, 255, 255, 1] : [...hex('#0b5cad'), 1];
}

mkdirSync(OUT, { recursive: true });
for (const state of Object.keys(COLOURS)) {
  const shape = trayShape(state);
  const colour = hex(COLOURS[state]);
  for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
    writeFileSync(join(OUT, `tray-${state}${suffix}.png`), png(size, (x, y) => (shape(x, y) ? [...colour, 1] : NONE)));
    writeFileSync(join(OUT, `tray-${state}Template${suffix}.png`), png(size, (x, y) => (shape(x, y) ? [0, 0, 0, 1] : NONE)));
  }
  writeFileSync(join(OUT, `tray-${state}.ico`), ico([16, 32], (x, y) => (shape(x, y) ? [...colour, 1] : NONE)));
}
writeFileSync(join(OUT, 'icon.png'), png(512, appIcon));
console.log(`make-icons: wrote tray and app icons to ${OUT}/`);
