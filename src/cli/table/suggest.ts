/** The nearest name to a mistyped one, for "did you mean …?" (an edit distance, as commander uses). */

function distance(a: string, b: string): number {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent swaps.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidates closest to `typed` (case-insensitively), if any is close enough to be a typo. */
export function nearest(typed: string, candidates: readonly string[]): string[] {
  const wanted = typed.toLowerCase();
  let best = Number.POSITIVE_INFINITY;
  let found: string[] = [];
  for (const candidate of candidates) {
    const d = distance(wanted, candidate.toLowerCase());
    // At most a third of the word wrong, as commander allows for its own suggestions.
    if (d > Math.max(1, Math.floor(candidate.length / 3))) continue;
    if (d < best) {
      best = d;
      found = [candidate];
    } else if (d === best) found.push(candidate);
  }
  return found;
}
