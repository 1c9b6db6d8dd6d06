function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** The closest known word, when it is close enough to be what was meant. */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of known) {
    const d = distance(word.toLowerCase(), w.toLowerCase());
    if (d <= Math.max(1, Math.floor(w.length / 3)) && (!best || d < best.d)) best = { w, d };
  }
  return best?.w;
}
