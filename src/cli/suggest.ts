/**
 * "Did you mean" for mistyped commands and options: the closest known word
 * by edit distance, counting a swap of two neighbouring letters as one edit
 * (`--jsno` is one edit from `--json`), when it is close enough to be a typo.
 */

/** Edits a typo may have: one for short words, two from five letters on (`publsh` → `publish`, `cmapaigns` → `campaigns`). */
const maxEdits = (word: string): number => (word.length < 5 ? 1 : 2);

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` if it is within a typo's reach, else undefined (ties: the first listed). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= maxEdits(word) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
