/**
 * A breached trigger as a picture for Markdown (pure): a Mermaid chart of the candidate, its
 * baseline and the limit around the deploy, the deploy and the rollback marked, and a caption that
 * says what each line is (Mermaid's xychart has no legend). Used by the incident and the job summary.
 */
import type { MetricSeries, Sample } from '../policy/types.js';
import { COLOUR_NAMES, type Role, xyChart } from './mermaid.js';
import { type PlotEvent, type PlotLine, plot } from './plot.js';

/** What is charted: one breached trigger with its series. */
export interface Breach {
  trigger: string;
  limit: number | null;
  /** The limit in words, as the tables show it: `<= 0.05 (stable 0.042 + 20%)`. */
  limitText: string | undefined;
  series: MetricSeries;
}

export interface ChartContext {
  service: string;
  candidate: string;
  /** The baseline's version (the stable), when known. */
  stable: string | null | undefined;
  /** Events after the deploy, in the order they happened: the rollback, a proposal. */
  events: readonly PlotEvent[];
  /** Formats a value as inline code (Markdown); the caption's only markup besides plain words. */
  code: (value: string) => string;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const sentence = (parts: readonly string[]) =>
  parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;

/** `1m`, `15s`, `2h`: a step as the policy writes it. */
const short = (sec: number) =>
  sec % 3600 === 0 ? `${sec / 3600}h` : sec % 60 === 0 ? `${sec / 60}m` : `${Number(sec.toFixed(3))}s`;

interface Drawn {
  lines: (PlotLine & { role: Role; said: string })[];
}

/** The lines a series draws, with what the caption says of each. */
function linesOf(s: MetricSeries, ctx: ChartContext): Drawn {
  const c = ctx.code;
  const stable = ctx.stable ? ` ${c(ctx.stable)}` : '';
  if (s.baselineKind === 'before_deploy') {
    // Before the deploy the stable ran, after it the candidate: one service, one line.
    const joined: Sample[] = [
      ...s.baseline.filter((x) => s.deployedAt === undefined || x.t <= s.deployedAt),
      ...s.candidate,
    ];
    return {
      lines: [
        {
          name: `stable then candidate ${ctx.candidate}`,
          samples: s.baseline.length ? joined : s.candidate,
          role: 'candidate',
          said: s.baseline.length
            ? `the stable${stable} before the deploy, then the candidate ${c(ctx.candidate)}`
            : `the candidate ${c(ctx.candidate)}`,
        },
      ],
    };
  }
  const lines: Drawn['lines'] = [
    {
      name: `candidate ${ctx.candidate}`,
      samples: s.candidate,
      role: 'candidate',
      said: `the candidate ${c(ctx.candidate)}`,
    },
  ];
  if (s.baseline.length)
    lines.push({
      name: `stable ${ctx.stable ?? ''}`.trim(),
      samples: s.baseline,
      role: 'baseline',
      said: `the stable${stable} at the same steps`,
    });
  return { lines };
}

/**
 * The chart of one breached trigger as Markdown (a ```mermaid block and its caption), or undefined
 * when its series cannot make one (fewer than two points with times of their own).
 */
export function breachChart(b: Breach, ctx: ChartContext): string | undefined {
  const s = b.series;
  const c = ctx.code;
  const { lines } = linesOf(s, ctx);
  const events: PlotEvent[] = [
    ...(s.deployedAt !== undefined ? [{ label: 'the deploy', at: s.deployedAt }] : []),
    ...ctx.events,
  ];
  const p = plot({
    lines,
    limit: b.limit ?? undefined,
    origin: s.deployedAt,
    events,
    stepSec: s.stepSec,
  });
  if (!p) return undefined;
  const kept = lines.filter((l) => p.lines.some((k) => k.name === l.name));
  const after = s.deployedAt !== undefined ? 'the deploy' : iso(s.candidate[0]!.t);
  const step = `${short(s.stepSec)} step`;
  const chart = xyChart(p, {
    title: `${ctx.service} ${b.trigger}`,
    xTitle: `${p.unit} after ${after}`,
    yTitle: `${s.measure} per ${step}`,
    lines: kept.map((l) => ({ name: l.name, role: l.role })),
    eventsName: events.map((e) => e.label).join(', '),
    description:
      `${b.trigger} of ${ctx.service}: ${kept.map((l) => l.name).join(', ')}` +
      `${p.limit !== undefined ? `, limit ${p.limit}` : ''}, over the ${p.unit} after ${after}`,
  });

  const said = kept.map((l) => `${COLOUR_NAMES[l.role]}: ${l.said}`);
  if (p.limit !== undefined)
    said.push(`${COLOUR_NAMES.limit}: the limit ${c(b.limitText ?? String(b.limit))}`);
  const drawn = p.events.filter((e) => e.index !== undefined);
  const off = p.events.filter((e) => e.index === undefined);
  const at = (e: (typeof p.events)[number]) =>
    `${e.label} (${c(iso(e.at))}, ${e.x >= 0 ? '+' : ''}${e.x} ${p.unit === 'minutes' ? 'min' : 's'})`;
  const marks = drawn.length
    ? `; ${COLOUR_NAMES.events} bars: ${sentence(drawn.map(at))}, each at the plotted step nearest to it`
    : '';
  const outside = off.length ? `; outside the chart: ${sentence(off.map(at))}` : '';
  const mean = p.averaged ? ` Each point is the mean of the steps in ${short(p.bucketSec)}.` : '';
  const caption =
    `${capital(said.join('; '))}${marks}${outside}. ` +
    `y: ${s.measure} per ${step}; x: ${p.unit} after ${s.deployedAt !== undefined ? `the deploy` : c(after)}.${mean}`;
  return ['```mermaid', chart, '```', '', caption].join('\n');
}
