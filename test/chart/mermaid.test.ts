import { describe, expect, it } from 'vitest';
import { COLOURS, type ChartText, label, number, xyChart } from '../../src/chart/mermaid.js';
import { type Plot, plot } from '../../src/chart/plot.js';
import { parseXyChart } from '../support/mermaid.js';

const DEPLOY = 1_764_547_200;

function aPlot(o: { events?: number[]; limit?: number; lines?: number } = {}): Plot {
  const samples = (f: (i: number) => number) =>
    Array.from({ length: 12 }, (_, i) => ({ t: DEPLOY + (i + 1) * 60, v: f(i) }));
  const lines = [
    { name: 'candidate', samples: samples((i) => (i < 3 ? 0.01 : 0.08)) },
    { name: 'stable', samples: samples(() => 0.01) },
  ].slice(0, o.lines ?? 2);
  return plot({
    lines,
    limit: o.limit,
    origin: DEPLOY,
    events: (o.events ?? []).map((at, i) => ({ label: `e${i}`, at })),
    stepSec: 60,
  })!;
}

const TEXT: ChartText = {
  title: 'api errors',
  xTitle: 'minutes after the deploy',
  yTitle: 'bad / total per 1m step',
  lines: [
    { name: 'candidate 2.4.0', role: 'candidate' },
    { name: 'stable 2.3.3', role: 'baseline' },
  ],
  eventsName: 'the deploy, the rollback',
  description: 'api errors around the deploy',
};

describe('label: text Mermaid reads inside quotes', () => {
  it.each([
    ['plain', 'api errors', '"api errors"'],
    ['a version and a time', 'candidate 2.4.0+build.1 at 10:00', '"candidate 2.4.0+build.1 at 10:00"'],
    ['a double quote would end the text', 'say "hi"', '"say hi"'],
    ['a backtick after the quote makes Markdown text', '`code`', '"code"'],
    ['%% starts a comment, %%{ a directive', 'a %%{init: {}}%% b', '"a init: b"'],
    ['#…; is read as an entity', 'x #amp; y', '"x amp y"'],
    ['; ends a statement', 'a; b', '"a b"'],
    ['line breaks', 'one\ntwo\r\nthree', '"one two three"'],
    ['markup', '<script>alert(1)</script>', '"script alert(1) /script"'],
    ['brackets and braces', '[a] {b}', '"a b"'],
    ['letters of any script stay', 'Grüße 日本', '"Grüße 日本"'],
    ['control characters', 'a\u0000b\u2028c', '"a b c"'],
    ['nothing left', '"""', '"-"'],
    ['empty', '', '"-"'],
  ])('%s', (_, value, expected) => {
    expect(label(value)).toBe(expected);
  });

  it('cuts a long text at 60 characters', () => {
    const l = label('x'.repeat(100));
    expect(l).toHaveLength(62);
    expect(l.endsWith('…"')).toBe(true);
  });
});

describe('number: what the grammar reads ([+-]digits[.digits], no exponent)', () => {
  it.each([
    [0.05, 4, '0.05'],
    [1e-7, 8, '0.0000001'],
    [1e-7, 4, '0'],
    [-0.00001, 3, '0'],
    [1.5e10, 0, '15000000000'],
    [-3.25, 2, '-3.25'],
    [2, 3, '2'],
    [123.456, 1, '123.5'],
  ])('%d with %i decimals is %s', (v, decimals, expected) => {
    expect(number(v, decimals)).toBe(expected);
    expect(expected).toMatch(/^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (v) => {
    expect(() => number(v, 2)).toThrow(RangeError);
  });
});

describe('xyChart', () => {
  it('writes one line per series, then the limit, all as long as the x-axis', () => {
    const text = xyChart(aPlot({ limit: 0.05 }), TEXT);
    const lines = text.split('\n');
    expect(lines.slice(1, 7)).toEqual([
      'xychart-beta',
      '  title "api errors"',
      '  accTitle: api errors',
      '  accDescr: api errors around the deploy',
      '  x-axis "minutes after the deploy" 1 --> 12',
      '  y-axis "bad / total per 1m step" 0 --> 0.084',
    ]);
    const series = lines.filter((l) => /^ {2}(line|bar) /.test(l));
    expect(series.map((l) => l.split(' [')[0])).toEqual([
      '  line "candidate 2.4.0"',
      '  line "stable 2.3.3"',
      '  line "limit"',
    ]);
    for (const l of series) expect(l.split('[')[1]!.split(',')).toHaveLength(12);
  });

  it('marks events with a bar series drawn first: full height at their points, below the axis elsewhere', () => {
    const text = xyChart(aPlot({ events: [DEPLOY, DEPLOY + 12 * 60 + 20] }), TEXT);
    const bar = text.split('\n').find((l) => l.startsWith('  bar '))!;
    const values = bar.split('[')[1]!.replace(']', '').split(', ');
    expect(values[0]).toBe('0.084');
    expect(values[11]).toBe('0.084');
    expect(new Set(values.slice(1, 11))).toEqual(new Set(['-0.084']));
    expect(text.indexOf('  bar ')).toBeLessThan(text.indexOf('  line '));
  });

  it('draws no bar when no event falls on the plot', () => {
    expect(xyChart(aPlot({ events: [DEPLOY - 86_400] }), TEXT)).not.toContain('  bar ');
  });

  it('fixes the colours in the order of the series drawn, so that the caption can name them', () => {
    const palette = (text: string) => /"plotColorPalette": "([^"]+)"/.exec(text)![1];
    expect(palette(xyChart(aPlot({ events: [DEPLOY], limit: 0.05 }), TEXT))).toBe(
      [COLOURS.events, COLOURS.candidate, COLOURS.baseline, COLOURS.limit].join(', '),
    );
    expect(palette(xyChart(aPlot({ lines: 1, limit: 0.05 }), { ...TEXT, lines: [TEXT.lines[0]!] }))).toBe(
      [COLOURS.candidate, COLOURS.limit].join(', '),
    );
  });
});

describe("xyChart parsed by Mermaid's own parser", () => {
  const hostile = '"`%%{init: {"theme": "dark"}}%% #amp; <b>x</b>; line bar title x-axis\n';

  it.each([
    ['the candidate alone', aPlot({ lines: 1 }), { ...TEXT, lines: [TEXT.lines[0]!] }],
    ['candidate, stable, limit and events', aPlot({ limit: 0.05, events: [DEPLOY, DEPLOY + 760] }), TEXT],
    [
      'hostile labels',
      aPlot({ limit: 0.05, events: [DEPLOY] }),
      {
        title: hostile,
        xTitle: hostile,
        yTitle: hostile,
        lines: [
          { name: hostile, role: 'candidate' as const },
          { name: hostile, role: 'baseline' as const },
        ],
        eventsName: hostile,
        description: hostile,
      },
    ],
  ])('%s', async (_, p, text) => {
    const parsed = await parseXyChart(xyChart(p, text));
    const n = p.lines[0]!.values.length;
    expect(parsed.xAxis).toMatchObject({ type: 'linear', min: p.xFrom, max: p.xFrom + (n - 1) * p.every });
    expect(parsed.yAxis).toMatchObject({ type: 'linear', min: p.y.lo, max: p.y.hi });
    // Every series read whole: as many points as values, the values as written.
    for (const plotted of parsed.plots) expect(plotted.data).toHaveLength(n);
    const lines = parsed.plots.filter((x) => x.type === 'line');
    expect(lines[0]!.data.map(([, v]) => v)).toEqual(p.lines[0]!.values);
    expect(lines[0]!.strokeFill).toBe(COLOURS.candidate);
    expect(parsed.title).toBe(label(text.title).slice(1, -1));
    expect(parsed.accTitle).toBe(label(text.title).slice(1, -1));
    // The directive in a label never reached Mermaid's configuration.
    expect(parsed.title).not.toContain('%%');
  });
});
