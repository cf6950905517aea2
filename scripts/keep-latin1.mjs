// Rewrites the few characters above U+00FF left in a bundle as \uXXXX escapes. V8 keeps a
// script's source for the life of the process, one byte per character if every character fits
// in Latin-1 and two bytes for all of it otherwise: dist/berth.cjs is 2.5 MB, and a dozen arrows
// and dashes in comments (esbuild escapes code, not the comments it keeps) made it 5 MB of idle
// memory. An escape means the same character in a string, regex, template or identifier, and
// only these comment lines change length, so the source map stays right.
import { readFileSync, writeFileSync } from 'node:fs';

export function keepLatin1(file) {
  const text = readFileSync(file, 'utf8');
  // Without the u flag each half of a surrogate pair matches on its own: \uD83D\uDE00 stays one character.
  const out = text.replace(/[\u0100-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (out !== text) writeFileSync(file, out);
}
