// Parses WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` or
// `Basic realm="…"`. Quoted values may contain commas, so this is a small tokenizer, not a split.
// A token followed by `=` is a parameter even with spaces around the `=` (RFC 7235's BWS).
export interface Challenge { scheme: string; params: Record<string, string> }

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const re = /([A-Za-z][A-Za-z0-9._~+/-]*)(?!\s*=)(?:\s+|$)|([A-Za-z0-9._~+/-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/y;
  let i = 0;
  let current: Challenge | undefined;
  while (i < header.length) {
    if (header[i] === ',' || header[i] === ' ') { i++; continue; }
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m) break;
    i = re.lastIndex;
    if (m[2] !== undefined && current) {
      current.params[m[2].toLowerCase()] = (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1');
    } else if (m[1] !== undefined) {
      current = { scheme: m[1].toLowerCase(), params: {} };
      out.push(current);
    } else {
      break;
    }
  }
  return out;
}
