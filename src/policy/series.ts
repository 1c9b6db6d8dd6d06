/**
 * The series behind a breach, as people look at it (pure): one number a step for the candidate and
 * for its baseline, read from the same observations the judgement read, over the same span. A ratio
 * is bad / total a step, a mean sum / count, a histogram its quantile; a single query its values.
 * Only answers with timestamps of their own make a series: values a provider spread over the window
 * (`timed: false`) say nothing of when anything happened, so they draw nothing.
 */
import { bucketsBySteps, quantile, total } from './histogram.js';
import { groupsOf, judged, judgedSpan, keyed, samplesOf } from './steps.js';
import type {
  Decision,
  JudgementTime,
  MetricSeries,
  Observation,
  Parts,
  Sample,
  ServiceRule,
  TriggerObservation,
  TriggerRule,
} from './types.js';

type Span = { after: number; upTo: number };

const ALL: Span = { after: Number.NEGATIVE_INFINITY, upTo: Number.POSITIVE_INFINITY };

/** Whether every answer of a version carries its own times. */
function timed(parts: Parts | undefined): boolean {
  if (!parts) return false;
  const answers = Object.values(parts).filter((o): o is Observation => o !== undefined);
  return answers.length > 0 && answers.every((o) => o.kind !== 'no_data' && o.timed !== false);
}

/** `num / den` a step, at the steps both have, where `den` is positive. */
function quotient(
  num: Observation | undefined,
  den: Observation | undefined,
  stepSec: number,
  span: Span,
): Sample[] {
  const n = keyed(samplesOf(num), stepSec);
  const d = keyed(samplesOf(den), stepSec);
  const out: Sample[] = [];
  for (const [k, t] of n.times) {
    const below = d.values.get(k);
    if (below === undefined || !(below > 0) || !judged(t, span)) continue;
    out.push({ t, v: n.values.get(k)! / below });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A histogram's quantile a step. */
function quantiles(buckets: Observation | undefined, q: number, stepSec: number, span: Span): Sample[] {
  const b = bucketsBySteps(groupsOf(buckets), stepSec);
  const out: Sample[] = [];
  for (const [k, h] of b.steps) {
    const t = b.times.get(k);
    if (t === undefined || !judged(t, span) || !(total(h) > 0)) continue;
    out.push({ t, v: quantile(h, q) });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** One version's points over a span: the trigger's measure a step. */
function pointsOf(rule: TriggerRule, parts: Parts, span: Span): Sample[] {
  const stepSec = rule.stepMs / 1000;
  const m = rule.measure;
  const points =
    m.kind === 'ratio'
      ? quotient(parts.bad, parts.total, stepSec, span)
      : m.kind === 'mean'
        ? quotient(parts.sum, parts.count, stepSec, span)
        : m.kind === 'histogram'
          ? quantiles(parts.buckets, m.quantile, stepSec, span)
          : samplesOf(parts.value).filter((s) => judged(s.t, span));
  return points.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v));
}

/** What one point is, in words: the y-axis of a chart. */
function measureOf(rule: TriggerRule): string {
  const m = rule.measure;
  if (m.kind === 'ratio') return 'bad / total';
  if (m.kind === 'mean') return 'mean (sum / count)';
  if (m.kind === 'histogram') return `p${Number((m.quantile * 100).toPrecision(3))}`;
  return 'value';
}

/**
 * The span the judgement saw: a count-aware trigger every step since the deploy; a single query its
 * window before now, from the deploy at the earliest (judgeThreshold's span).
 */
function spanOf(rule: TriggerRule, time: JudgementTime, candidate: readonly Sample[]): Span {
  const stepSec = rule.stepMs / 1000;
  const span = judgedSpan(time, stepSec);
  if (rule.measure.kind !== 'value') return span;
  const upTo = span.upTo;
  const seen = candidate.filter((s) => s.t <= upTo);
  const newest = seen.length ? seen[seen.length - 1]!.t : 0;
  const windowStart = (Number.isFinite(time.now) ? time.now : newest) - rule.windowMs / 1000;
  return { after: Math.max(windowStart, time.deployedAt ?? Number.NEGATIVE_INFINITY), upTo };
}

/**
 * The trigger's series at `time`, or undefined where there is nothing to draw: no candidate points
 * with times of their own. The baseline is the stable at the same span, or the window before the
 * deploy as read; empty when there is none.
 */
export function seriesOf(
  rule: TriggerRule,
  observed: TriggerObservation,
  time: JudgementTime,
): MetricSeries | undefined {
  if (!timed(observed.candidate) || !Number.isFinite(time.now)) return undefined;
  const everything = pointsOf(rule, observed.candidate, ALL);
  const span = spanOf(rule, time, everything);
  const candidate = everything.filter((s) => judged(s.t, span));
  if (candidate.length === 0) return undefined;
  const before = observed.baselineKind === 'before_deploy';
  const baseline = timed(observed.baseline)
    ? pointsOf(rule, observed.baseline!, before ? { after: Number.NEGATIVE_INFINITY, upTo: span.upTo } : span)
    : [];
  return {
    measure: measureOf(rule),
    stepSec: rule.stepMs / 1000,
    candidate,
    baseline,
    baselineKind: observed.baselineKind,
    deployedAt: time.deployedAt,
    judgedAt: time.now,
  };
}

/**
 * The decision with each breached trigger's series attached (`Evidence.series`), for the pictures
 * of an incident, a job summary and a chat message. The judgement itself is untouched: the same
 * verdicts, reasons and numbers; only breached evidence gains the optional field.
 */
export function withSeries(
  decision: Decision,
  rule: ServiceRule,
  observed: ReadonlyMap<string, TriggerObservation>,
  time: JudgementTime,
): Decision {
  const rules = new Map(rule.triggers.map((t) => [t.name, t]));
  const attach = <E extends Decision['evidence'][number]>(e: E): E => {
    const r = rules.get(e.trigger);
    const o = observed.get(e.trigger);
    if (!e.breached || !r || !o) return e;
    const series = seriesOf(r, o, time);
    return series ? { ...e, series } : e;
  };
  const evidence = decision.evidence.map(attach);
  // Alerts are the same evidence entries: keep them the same objects.
  const byOld = new Map(decision.evidence.map((e, i) => [e, evidence[i]!]));
  return { ...decision, evidence, alerts: decision.alerts.map((e) => byOld.get(e) ?? attach(e)) };
}
