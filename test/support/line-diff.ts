/** The lines that differ between two texts: what was taken out and what was put in, in order. */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

/** Text from lines, each ending in a newline. */
export const lines = (...l: string[]): string => `${l.join('\n')}\n`;
