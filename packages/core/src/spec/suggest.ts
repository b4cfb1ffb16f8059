/** Edit distance, case-insensitive: `SampleRateHz` and `samplerateHz` are typos of `sampleRateHz`, not strangers. */
function levenshtein(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

/** The candidate a typo most likely meant, or undefined when nothing is close (a third of the word may differ). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(word, candidate);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` — did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closest(word, candidates);
  return guess === undefined ? '' : ` — did you mean "${guess}"?`;
}

/** `unknown dataset "sisfal" — did you mean "sisfall"? known datasets: a, b` (`;` instead when no guess). */
export function unknownName(noun: string, value: string, known: readonly string[], plural = `${noun}s`): string {
  const guess = didYouMean(value, known);
  const list = known.length > 0 ? known.join(', ') : '(none)';
  return `unknown ${noun} "${value}"${guess === '' ? ';' : guess} known ${plural}: ${list}`;
}
