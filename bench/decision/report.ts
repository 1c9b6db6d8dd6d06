/**
 * The benchmark's markdown report: pinback's default policies and the Kayenta-style reference side
 * by side, on the same scenarios. Times to rollback are measured from the regression's start (a
 * slow burn: the start of its ramp); a stop at or before that start is not a catch but counted as
 * "early", since it judged data in which there was nothing yet to find.
 */
import { BASE, HEALTHY_VARIANTS, NO_DATA_VARIANTS, RPM, SEED_CASE, type Kind } from './families.js';
import { floorMinutes } from './oracle.js';
import type { Outcome } from './replay.js';
import { minutes, pct, percent, percentile, wilson } from './stats.js';

type Judge = 'pinback' | 'kayenta';
const JUDGES: ReadonlyArray<[Judge, string]> = [
  ['pinback', 'pinback'],
  ['kayenta', 'Kayenta-style'],
];
export const GOALS = { falseRate: 0.01, caught: 0.99, medianS: 180, p90S: 480 };
const WATCHED = [5, 15, 30, 60, 120];

export interface Meta {
  command: string;
  date: string;
  /** The commit measured (dist/ as built from it). */
  revision: string;
  seconds: number;
  seed: number;
  scale: number;
  jobs: number;
  cores: number;
}

const stopOf = (o: Outcome, j: Judge) => o[j].stopS;

function rolledBack(list: readonly Outcome[], j: Judge): { k: number; n: number; text: string } {
  const k = list.filter((o) => stopOf(o, j) !== null).length;
  const n = list.length;
  if (n === 0) return { k, n, text: '-' };
  const ci = wilson(k, n);
  return { k, n, text: `${k} (${pct(k, n)}, ${percent(ci.lo)}–${percent(ci.hi)})` };
}

interface BadStats {
  n: number;
  caught: number;
  early: number;
  /** Seconds from the regression's start to the stop, of the caught. */
  times: number[];
}

function badStats(list: readonly Outcome[], j: Judge): BadStats {
  const s: BadStats = { n: list.length, caught: 0, early: 0, times: [] };
  for (const o of list) {
    const stop = stopOf(o, j);
    const start = o.scenario.startS ?? 0;
    if (stop === null) continue;
    if (stop <= start) s.early++;
    else {
      s.caught++;
      s.times.push(stop - start);
    }
  }
  return s;
}

function badCells(s: BadStats): string[] {
  const med = percentile(s.times, 0.5);
  const p90 = percentile(s.times, 0.9);
  const early = s.early ? ` (+${s.early} early)` : '';
  return [`${pct(s.caught, s.n)}${early}`, minutes(med), minutes(p90)];
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const of = (list: readonly Outcome[], family: string) => list.filter((o) => o.scenario.family === family);
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');

function goals(list: readonly Outcome[]): string {
  const healthy = of(list, 'healthy');
  const bad = of(list, 'bad');
  const noData = of(list, 'no-data');
  const rows: string[][] = [
    [`at most ${GOALS.falseRate * 100}% of healthy releases rolled back`],
    [`at least ${GOALS.caught * 100}% of bad releases caught`],
    [`median time to rollback <= ${GOALS.medianS / 60} min`],
    [`p90 time to rollback <= ${GOALS.p90S / 60} min`],
    ['no rollback for missing data (no-data family)'],
  ];
  for (const [j] of JUDGES) {
    const h = rolledBack(healthy, j);
    const b = badStats(bad, j);
    const med = percentile(b.times, 0.5);
    const p90 = percentile(b.times, 0.9);
    const nd = rolledBack(noData, j);
    rows[0]!.push(
      `${mark(h.k <= GOALS.falseRate * h.n)}: ${pct(h.k, h.n)} (95% up to ${percent(wilson(h.k, h.n).hi)})`,
    );
    rows[1]!.push(`${mark(b.caught >= GOALS.caught * b.n)}: ${pct(b.caught, b.n)}`);
    rows[2]!.push(`${mark(med !== null && med <= GOALS.medianS)}: ${minutes(med)}`);
    rows[3]!.push(`${mark(p90 !== null && p90 <= GOALS.p90S)}: ${minutes(p90)}`);
    rows[4]!.push(`${mark(nd.k === 0)}: ${nd.k} of ${nd.n}`);
  }
  return table(['goal', ...JUDGES.map(([, name]) => name)], rows);
}

function overall(list: readonly Outcome[]): string {
  const rows = JUDGES.map(([j, name]) => {
    const b = badStats(of(list, 'bad'), j);
    return [
      name,
      rolledBack(of(list, 'healthy'), j).text,
      ...badCells(b),
      String(b.n - b.caught - b.early),
      rolledBack(of(list, 'no-data'), j).text,
    ];
  });
  const n = (f: string) => of(list, f).length.toLocaleString('en-US');
  return table(
    [
      'judge',
      `healthy rolled back (of ${n('healthy')}; 95% CI)`,
      `bad caught (of ${n('bad')})`,
      'median',
      'p90',
      'bad never stopped',
      `no-data rolled back (of ${n('no-data')})`,
    ],
    rows,
  );
}

function watched(list: readonly Outcome[]): string {
  const healthy = of(list, 'healthy');
  const rows = JUDGES.map(([j, name]) => [
    name,
    ...WATCHED.map((w) => {
      const k = healthy.filter((o) => (stopOf(o, j) ?? Number.POSITIVE_INFINITY) <= w * 60).length;
      return `${k} (${pct(k, healthy.length)})`;
    }),
  ]);
  return table(['judge', ...WATCHED.map((w) => `within ${w} min`)], rows);
}

function byHealthyVariant(list: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const [family, variants] of [
    ['healthy', HEALTHY_VARIANTS],
    ['no-data', NO_DATA_VARIANTS],
  ] as const) {
    for (const v of variants) {
      const xs = of(list, family).filter((o) => o.scenario.variant === v);
      rows.push([family, v, String(xs.length), ...JUDGES.map(([j]) => rolledBack(xs, j).text)]);
    }
  }
  return table(['family', 'variant', 'n', ...JUDGES.map(([, n]) => `${n} rolled back (95% CI)`)], rows);
}

function byBadVariant(list: readonly Outcome[]): string {
  const bad = of(list, 'bad');
  const variants = [...new Set(bad.map((o) => o.scenario.variant))];
  const rows = variants.map((v) => {
    const xs = bad.filter((o) => o.scenario.variant === v);
    const kinds = [...new Set(xs.map((o) => o.scenario.kind))].join('+');
    return [v, kinds, String(xs.length), ...JUDGES.flatMap(([j]) => badCells(badStats(xs, j)))];
  });
  const heads = JUDGES.flatMap(([, n]) => [`${n} caught`, 'median', 'p90']);
  return table(['bad variant', 'kind', 'n', ...heads], rows);
}

function byTraffic(list: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const kind of ['http', 'ai'] as const) {
    for (const rpm of RPM[kind]) {
      const xs = list.filter((o) => o.scenario.kind === kind && o.scenario.rpm === rpm);
      const h = of(xs, 'healthy');
      const b = of(xs, 'bad');
      rows.push([
        `${kind} ${rpm}/min`,
        String(h.length),
        ...JUDGES.map(([j]) => rolledBack(h, j).text),
        String(b.length),
        ...JUDGES.flatMap(([j]) => badCells(badStats(b, j))),
      ]);
    }
  }
  const heads = [
    'traffic',
    'healthy',
    ...JUDGES.map(([, n]) => `${n} rolled back (95% CI)`),
    'bad',
    ...JUDGES.flatMap(([, n]) => [`${n} caught`, 'median', 'p90']),
  ];
  return table(heads, rows);
}

/** The bad cells (kind, traffic, effect, shape) pinback catches least: where the misses are. */
function hardCells(list: readonly Outcome[], threshold: number): string {
  const cells = new Map<string, Outcome[]>();
  for (const o of of(list, 'bad')) {
    const key = `${o.scenario.kind} ${o.scenario.rpm}/min: ${o.scenario.variant}`;
    cells.set(key, [...(cells.get(key) ?? []), o]);
  }
  const rows = [...cells]
    .map(([key, xs]) => ({ key, xs, p: badStats(xs, 'pinback'), k: badStats(xs, 'kayenta') }))
    .filter((c) => c.p.caught < threshold * c.p.n)
    .sort((a, b) => a.p.caught / a.p.n - b.p.caught / b.p.n || a.key.localeCompare(b.key))
    .map((c) => [c.key, String(c.xs.length), ...badCells(c.p), ...badCells(c.k)]);
  if (rows.length === 0)
    return `Every bad cell is caught at least ${threshold * 100}% of the time by pinback.`;
  const heads = JUDGES.flatMap(([, n]) => [`${n} caught`, 'median', 'p90']);
  return table(['cell', 'n', ...heads], rows);
}

function falseRollbacks(list: readonly Outcome[], limit: number): string {
  const rows = of(list, 'healthy')
    .concat(of(list, 'no-data'))
    .filter((o) => o.pinback.stopS !== null)
    .map((o) => {
      const s = o.scenario;
      return [
        s.id,
        `${s.family}: ${s.variant}`,
        `${s.kind} ${s.rpm}/min, stable ${s.stableRatio}x`,
        s.effect,
        minutes(o.pinback.stopS),
        o.pinback.triggers.join(', ') || (o.pinback.reason ?? ''),
      ];
    });
  if (rows.length === 0) return 'pinback rolled back no healthy or no-data scenario.';
  const shown = rows.slice(0, limit);
  const more = rows.length > limit ? `\n\n(and ${rows.length - limit} more)` : '';
  return table(['scenario', 'family', 'traffic', 'what happened', 'stopped at', 'by'], shown) + more;
}

function seedTable(seed: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const rpm of SEED_CASE.rpm) {
    for (const ratio of SEED_CASE.stableRatios) {
      const xs = seed.filter((o) => o.scenario.rpm === rpm && o.scenario.stableRatio === ratio);
      rows.push([
        `${rpm}/min`,
        `${ratio}x`,
        ...JUDGES.flatMap(([j]) => {
          const b = badStats(xs, j);
          const early = b.early ? ` (+${b.early} early)` : '';
          return [
            `${b.caught}/${b.n}${early}`,
            minutes(percentile(b.times, 0.5)),
            minutes(percentile(b.times, 0.9)),
            minutes(percentile(b.times, 1)),
          ];
        }),
      ]);
    }
  }
  const heads = JUDGES.flatMap(([, n]) => [`${n} caught`, 'median', 'p90', 'max']);
  return table(['traffic', 'stable', ...heads], rows);
}

/**
 * Step regressions by effect and traffic: the information floor (oracle.ts) beside each judge's
 * median, so a slow cell shows whether the judge or the data is slow.
 */
function floors(list: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const kind of ['http', 'ai'] as const) {
    const bad = of(list, 'bad').filter(
      (o) => o.scenario.kind === kind && o.scenario.variant.endsWith('step'),
    );
    for (const effect of [...new Set(bad.map((o) => o.scenario.effect))]) {
      const m = /^(\w+) ([x-])?([\d.]+)$/.exec(effect);
      if (!m) continue;
      const level = m[2] === '-' ? -Number(m[3]) : Number(m[3]);
      const cells = RPM[kind].map((rpm) => {
        const xs = bad.filter((o) => o.scenario.effect === effect && o.scenario.rpm === rpm);
        const floor = floorMinutes(m[1]!, level, rpm, BASE[kind]);
        const med = (j: Judge) => {
          const t = badStats(xs, j).times.sort((a, b) => a - b);
          return t.length ? minutes(percentile(t, 0.5)) : '-';
        };
        return `${floor < 1 ? '<1' : Math.round(floor)} / ${med('pinback')} / ${med('kayenta')}`;
      });
      rows.push([kind, effect, ...cells, ...Array(5 - cells.length).fill('')]);
    }
  }
  return table(
    [
      'kind',
      'step regression',
      ...[0, 1, 2, 3, 4].map((i) => `${RPM.http[i]} (http) / ${RPM.ai[i] ?? '-'} (ai) a min`),
    ],
    rows,
  );
}

export function report(list: readonly Outcome[], seed: readonly Outcome[], meta: Meta): string {
  const count = (k: Kind) => list.filter((o) => o.scenario.kind === k).length;
  return [
    `Reproduce with \`${meta.command}\` (after \`npm run build\`). Last run ${meta.date} on ${meta.revision}: ` +
      `${(list.length + seed.length).toLocaleString('en-US')} replays (${count('http')} http and ${count('ai')} ai scenarios, ` +
      `${seed.length} of the seed case; seed ${meta.seed}, scale ${meta.scale}) in ${Math.round(meta.seconds)} s ` +
      `with ${meta.jobs} CLI process${meta.jobs === 1 ? '' : 'es'} at a time on ${meta.cores} cores. Same seed, same numbers.`,
    '',
    'pinback replays examples/policies/http-service.yml (http) and ai-agent.yml (ai) through ' +
      '`pinback backtest --series --json`, judging every minute of the 2 h guard window. The Kayenta-style ' +
      'reference judges the same series every minute from minute 5: a one-sided Mann-Whitney U test ' +
      `(p < 0.02) of the per-minute values since the deploy, failing a metric only when the candidate's ` +
      "median is also past the stable's by the policy's tolerance. Times to rollback run from the " +
      "regression's start (a slow burn's: the start of its 30-minute ramp); a stop at or before it is " +
      'counted as early, not as caught. The reference never judges a minute without data, so its ' +
      'rollbacks in the no-data family are its ordinary false alarms on the minutes that had data.',
    '',
    '### Goals',
    '',
    goals(list),
    '',
    '### Overall',
    '',
    overall(list),
    '',
    '### Healthy releases rolled back by how long they were watched',
    '',
    watched(list),
    '',
    '### By family: healthy and no-data',
    '',
    byHealthyVariant(list),
    '',
    '### By family: bad',
    '',
    byBadVariant(list),
    '',
    '### By traffic level (candidate requests or responses a minute)',
    '',
    byTraffic(list),
    '',
    '### Bad cells pinback catches less than 90% of the time',
    '',
    hardCells(list, 0.9),
    '',
    '### Healthy and no-data scenarios pinback rolled back',
    '',
    falseRollbacks(list, 25),
    '',
    '### The information floor of step regressions',
    '',
    "Minutes an oracle that knows both versions' rates needs on average to reach 99% confidence " +
      "(Wald: ln 100 nats over the Kullback-Leibler divergence a minute; for latency it sees every request's " +
      'latency), then the median time to rollback of pinback and of the Kayenta-style judge. No test that keeps ' +
      'a 1% false-alarm rate can be faster on average than the floor; where the floor is an hour, minutes are ' +
      'out of reach for any judge that keeps its false alarms down.',
    '',
    floors(list),
    '',
    `### The seed case: errors 0.5% -> 5% from ${SEED_CASE.startS} s after the deploy`,
    '',
    'Time from the change to the stop.',
    '',
    seedTable(seed),
  ].join('\n');
}
