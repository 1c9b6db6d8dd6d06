/**
 * A compact picture of a series in one line of text (pure): `▁▂▃▅▇█`, eight levels from the lowest
 * value to the highest, for chat messages where no image goes. At most `width` characters: a longer
 * series is averaged into that many equal runs of samples, oldest first.
 */
const BARS = '▁▂▃▄▅▆▇█';

export const SPARK_WIDTH = 24;

/** The sparkline of the finite values, oldest first; empty when there are none. */
export function sparkline(values: readonly number[], width = SPARK_WIDTH): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0 || width < 1) return '';
  const n = Math.min(width, finite.length);
  // Run i holds samples [floor(i L / n), floor((i + 1) L / n)): every sample in exactly one run.
  const runs = Array.from({ length: n }, (_, i) => {
    const part = finite.slice(Math.floor((i * finite.length) / n), Math.floor(((i + 1) * finite.length) / n));
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
  const lo = Math.min(...runs);
  const hi = Math.max(...runs);
  // A flat series sits at the bottom: nothing rose.
  if (!(hi > lo)) return BARS[0]!.repeat(n);
  return runs.map((v) => BARS[Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8))]!).join('');
}

/** What a trend is drawn from: a breached trigger and its series (policy Evidence has both). */
interface Trended {
  trigger: string;
  breached: boolean;
  series?: { candidate: readonly { v: number }[] } | undefined;
}

/**
 * The sparkline of each breached trigger's candidate series, by trigger name (a notification's
 * `trends`); undefined when no breached trigger has a series.
 */
export function trendsOf(evidence: readonly Trended[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const e of evidence) {
    if (!e.breached || !e.series) continue;
    const line = sparkline(e.series.candidate.map((s) => s.v));
    if (line) out[e.trigger] = line;
  }
  return Object.keys(out).length ? out : undefined;
}
