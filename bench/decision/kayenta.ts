/**
 * A Kayenta-style reference judge on the very series pinback is replayed over: the fixed-level
 * comparison of per-minute values that canary-analysis tools run, looked at again every minute.
 *
 * From minute 5 on, each metric's per-minute values of the candidate since the deploy are compared
 * with the stable's by a one-sided Mann-Whitney U test at 98% confidence (p < 0.02) in the bad
 * direction; a metric fails when the test rejects AND the candidate's median is past the stable's by
 * more than the tolerance the policy allows (the effect-size gate that keeps a significant but
 * harmless difference from failing). The first minute any metric fails is the rollback. A minute at
 * which either side has no value of a metric is not judged on it; each side's sample holds its own
 * minutes with data, as a judge fed two time series with missing points drops them.
 */
import type { SideSeries } from './canary.js';
import type { Kind } from './families.js';
import { insertSorted, mannWhitneySorted, medianSorted } from './mann-whitney.js';
import { quantile, type Buckets } from '../../src/policy/histogram.js';

export const KAYENTA = { firstMinute: 5, pValue: 0.02 };

interface MetricRule {
  name: string;
  /** Whether larger is worse. */
  up: boolean;
  /** The policy's tolerance: max_increase, or max_decrease when `up` is false. */
  tolerance: number;
  perMinute: (side: SideSeries, deployAt: number) => Map<number, number>;
}

type Pairs = Array<[number, number]>;

function part(side: SideSeries, metric: string, name: string): Pairs {
  const m = side[metric] as Record<string, Pairs> | undefined;
  return m?.[name] ?? [];
}

function byMinute(pairs: Pairs, deployAt: number): Map<number, number> {
  return new Map(pairs.map(([t, v]) => [Math.round((t - deployAt) / 60), v]));
}

/** bad / total per minute, where the minute had any traffic. */
function ratio(metric: string) {
  return (side: SideSeries, deployAt: number): Map<number, number> => {
    const bad = byMinute(part(side, metric, 'bad'), deployAt);
    const out = new Map<number, number>();
    for (const [m, total] of byMinute(part(side, metric, 'total'), deployAt)) {
      const b = bad.get(m);
      if (b !== undefined && total > 0) out.set(m, b / total);
    }
    return out;
  };
}

function mean(side: SideSeries, deployAt: number): Map<number, number> {
  const sum = byMinute(part(side, 'quality', 'sum'), deployAt);
  const out = new Map<number, number>();
  for (const [m, n] of byMinute(part(side, 'quality', 'count'), deployAt)) {
    const s = sum.get(m);
    if (s !== undefined && n > 0) out.set(m, s / n);
  }
  return out;
}

/** The p95 of each minute's buckets, as histogram_quantile computes it; minutes without requests have none. */
function p95(side: SideSeries, deployAt: number): Map<number, number> {
  const buckets = (side.latency as Record<string, Record<string, Pairs>> | undefined)?.buckets ?? {};
  const bounds = Object.keys(buckets)
    .map((k) => ({
      le: k === '+Inf' ? Number.POSITIVE_INFINITY : Number(k),
      at: byMinute(buckets[k]!, deployAt),
    }))
    .sort((a, b) => a.le - b.le);
  const out = new Map<number, number>();
  const inf = bounds[bounds.length - 1];
  if (!inf || inf.le !== Number.POSITIVE_INFINITY) return out;
  for (const m of inf.at.keys()) {
    const cum = bounds.map((b) => b.at.get(m) ?? Number.NaN);
    if (cum.some((c) => !Number.isFinite(c))) continue;
    const b: Buckets = { le: bounds.map((x) => x.le), cum };
    const q = quantile(b, 0.95);
    if (Number.isFinite(q)) out.set(m, q);
  }
  return out;
}

// The same tolerances as examples/policies/http-service.yml and ai-agent.yml.
const RULES: Record<Kind, readonly MetricRule[]> = {
  http: [
    { name: 'errors', up: true, tolerance: 0.2, perMinute: ratio('errors') },
    { name: 'latency', up: true, tolerance: 0.15, perMinute: p95 },
  ],
  ai: [
    { name: 'errors', up: true, tolerance: 0.2, perMinute: ratio('errors') },
    { name: 'quality', up: false, tolerance: 0.03, perMinute: mean },
    { name: 'toxicity', up: true, tolerance: 0.2, perMinute: ratio('toxicity') },
  ],
};

export interface KayentaVerdict {
  /** Seconds after the deploy of the first failing look, or null. */
  stopS: number | null;
  /** The metrics that failed at that look. */
  metrics: string[];
}

/** Judges a canary every minute from KAYENTA.firstMinute to `minutes`; stops at the first failure. */
export function kayenta(
  kind: Kind,
  sides: { candidate: SideSeries; stable: SideSeries },
  deployAt: number,
  minutes: number,
): KayentaVerdict {
  const metrics = RULES[kind].map((rule) => ({
    rule,
    c: rule.perMinute(sides.candidate, deployAt),
    s: rule.perMinute(sides.stable, deployAt),
    cSorted: [] as number[],
    sSorted: [] as number[],
  }));
  for (let m = 1; m <= minutes; m++) {
    const failed: string[] = [];
    for (const x of metrics) {
      const cv = x.c.get(m);
      const sv = x.s.get(m);
      if (cv !== undefined) insertSorted(x.cSorted, cv);
      if (sv !== undefined) insertSorted(x.sSorted, sv);
      if (m < KAYENTA.firstMinute || cv === undefined || sv === undefined) continue;
      const { up, tolerance } = x.rule;
      const test = mannWhitneySorted(x.cSorted, x.sSorted, up ? 'greater' : 'less');
      if (test.p >= KAYENTA.pValue) continue;
      const cm = medianSorted(x.cSorted);
      const sm = medianSorted(x.sSorted);
      if (up ? cm > sm * (1 + tolerance) : cm < sm * (1 - tolerance)) failed.push(x.rule.name);
    }
    if (failed.length) return { stopS: m * 60, metrics: failed };
  }
  return { stopS: null, metrics: [] };
}
