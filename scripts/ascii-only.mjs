// Makes a built bundle pure ASCII. V8 keeps a script's whole source in memory for the life of
// the process, one byte per character only when every character is Latin-1: esbuild escapes
// non-ASCII in strings, regexps and identifiers, but writes comments as they are, so a single
// "→" in a comment made the headless bundle's source 5 MB of resident heap instead of 2.5
// (issue 15). Only comments are left to escape; a \uXXXX there changes nothing (the source map's
// columns after it on that line shift, which only comments' lines have).
import { readFileSync, writeFileSync } from 'node:fs';

export function escapeNonAscii(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(file, ascii);
}
