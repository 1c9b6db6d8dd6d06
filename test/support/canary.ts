/** Simulated canaries (bench/decision) as the engine's observations, for the statistics' tests. */
import { type Canary, simulateCanary, type SideSeries } from '../../bench/decision/canary.js';
import type { Observation, Parts, TriggerObservation } from '../../src/policy/types.js';

export const DEPLOY = 1_764_547_200;

function samples(pairs: Array<[number, number]> | undefined): Observation {
  return pairs && pairs.length
    ? { kind: 'samples', samples: pairs.map(([t, v]) => ({ t, v })) }
    : { kind: 'no_data', cause: 'no samples' };
}

function parts(series: SideSeries, trigger: string): Parts {
  const x = series[trigger];
  if (!x) return { value: { kind: 'no_data', cause: 'not simulated' } };
  if ('buckets' in x) {
    const b = x.buckets as Record<string, Array<[number, number]>>;
    return {
      buckets: {
        kind: 'groups',
        groups: Object.entries(b).map(([key, p]) => ({ key, samples: p.map(([t, v]) => ({ t, v })) })),
      },
    };
  }
  const p = x as Record<string, Array<[number, number]>>;
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, samples(v)])) as Parts;
}

/** Every simulated metric of a canary as a trigger observation of the same name (stable at the same times). */
export function observeCanary(c: Canary, deployAt = DEPLOY): Map<string, TriggerObservation> {
  const s = simulateCanary(c, deployAt);
  return new Map(
    c.metrics.map((m) => [
      m,
      {
        candidate: parts(s.candidate!, m),
        baseline: parts(s.stable!, m),
        baselineKind: 'same_time' as const,
      },
    ]),
  );
}
