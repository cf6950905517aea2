// "Did you mean" hints for misspelled keys and values: the closest candidate by edit distance
// (swapped neighbours count as one edit, so `tsl` → `tls`), ignoring case, because Go's YAML
// decoder is case-sensitive and `Storage:` is a typo for `storage:`.

/** Optimal-string-alignment distance: insert, delete, substitute, swap adjacent. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate within a small distance (about a third of the word), or an abbreviation's expansion. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 1 ? 0 : Math.max(1, Math.min(3, Math.round(w.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  let prefixMatch: string | undefined;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = editDistance(w, lc);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
    if (w.length >= 4 && (lc.startsWith(w) || w.startsWith(lc))) prefixMatch ??= c;
  }
  return bestDistance <= limit ? best : prefixMatch;
}
