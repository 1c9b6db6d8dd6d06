/**
 * A plot as Mermaid `xychart-beta` text (pure), in the subset every Mermaid since 10.6 parses
 * (GitHub renders it in issues, comments and job summaries):
 *
 *   xychart-beta
 *     title "…"                          one quoted line
 *     x-axis "…" FROM --> TO             numeric: a line's values spread evenly from FROM to TO
 *     y-axis "…" LO --> HI
 *     bar "…" [v, v, …]                  the events: full height at their points, below the axis elsewhere
 *     line "…" [v, v, …]                 one per series, as many values as there are points
 *
 * What breaks it, and is never written: a `"` inside a quoted text (it ends the text), a backtick
 * after the opening quote (Markdown text), `%%` (a comment outside quotes; `%%{` a directive
 * anywhere), `#…;` (read as an HTML entity), `;` (a statement end outside quotes), a line break in a
 * text; unquoted words (keywords such as `line` match inside them); numbers with an exponent, NaN or
 * Infinity (the grammar has `[+-]?digits[.digits]` only); lines of different lengths. Mermaid has no
 * legend and no vertical marker: the colours are fixed by an init directive so that a caption can
 * name them, and the events are a bar series.
 */
import type { Plot } from './plot.js';

/** The colours, by what they draw: the caption names them (`colourNames`). */
export const COLOURS = {
  events: '#f2c14e',
  candidate: '#d62728',
  baseline: '#1f77b4',
  limit: '#7f7f7f',
} as const;

export type Role = keyof typeof COLOURS;

export const COLOUR_NAMES: Record<Role, string> = {
  events: 'amber',
  candidate: 'red',
  baseline: 'blue',
  limit: 'grey',
};

/**
 * A text as Mermaid reads it inside quotes: letters, digits, spaces and `. , : / + - _ ( ) = @ '`
 * only (whatever else becomes a space), one line, at most `max` characters.
 */
export function label(value: string, max = 60): string {
  const plain = value
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} .,:/+\-_()=@']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
  return `"${cut || '-'}"`;
}

/** A number as the grammar reads it: digits, an optional sign and fraction; never an exponent. */
export function number(v: number, decimals: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  const fixed = v.toFixed(Math.min(20, Math.max(0, decimals)));
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/** Decimals that print the binary fraction `v` exactly (x positions are multiples of 1/4). */
const exact = (v: number) => number(v, 2);

const list = (values: readonly number[], decimals: number) =>
  `[${values.map((v) => number(v, decimals)).join(', ')}]`;

export interface ChartText {
  title: string;
  xTitle: string;
  yTitle: string;
  /** The name of each line of the plot, and what it is (for its colour). */
  lines: { name: string; role: Role }[];
  /** Names the bar series of events. */
  eventsName: string;
  /** One sentence for screen readers (`accDescr`). */
  description: string;
}

/** The chart's Mermaid source, without the fence. */
export function xyChart(p: Plot, t: ChartText): string {
  const n = p.lines[0]!.values.length;
  const { lo, hi, decimals } = p.y;
  const roles: Role[] = [];
  const series: string[] = [];
  const marked = new Set(p.events.flatMap((e) => (e.index === undefined ? [] : [e.index])));
  if (marked.size) {
    // Below the axis the bar is not drawn; at the top it spans the plot: a band at each event.
    const off = lo - (hi - lo);
    const bars = Array.from({ length: n }, (_, i) => (marked.has(i) ? hi : off));
    series.push(`  bar ${label(t.eventsName)} ${list(bars, decimals)}`);
    roles.push('events');
  }
  p.lines.forEach((l, i) => {
    series.push(`  line ${label(t.lines[i]?.name ?? l.name)} ${list(l.values, decimals)}`);
    roles.push(t.lines[i]?.role ?? 'candidate');
  });
  if (p.limit !== undefined) {
    series.push(`  line ${label('limit')} ${list(Array<number>(n).fill(p.limit), decimals)}`);
    roles.push('limit');
  }
  const palette = roles.map((r) => COLOURS[r]).join(', ');
  const xTo = p.xFrom + (n - 1) * p.every;
  return [
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title ${label(t.title)}`,
    `  accTitle: ${label(t.title).slice(1, -1)}`,
    `  accDescr: ${label(t.description, 400).slice(1, -1)}`,
    `  x-axis ${label(t.xTitle)} ${exact(p.xFrom)} --> ${exact(xTo)}`,
    `  y-axis ${label(t.yTitle)} ${number(lo, decimals)} --> ${number(hi, decimals)}`,
    ...series,
  ].join('\n');
}
