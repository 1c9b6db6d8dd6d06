import type { ServicePolicy } from './config/policy.js';
import type { MetricResult, MetricsProvider } from './metrics/provider.js';
import { oneLine } from './text.js';
import { decide } from './policy/evaluate.js';
import type { Decision, TriggerObservation } from './policy/types.js';

/**
 * A backend's error text travels into commit bodies, pull requests and logs: one line, bounded,
 * so it can end no trailer block, code fence or workflow command.
 */
function bounded(r: MetricResult): MetricResult {
  if (r.kind !== 'no_data') return r;
  const cause = oneLine(r.cause).trim();
  return { kind: 'no_data', cause: cause.length > 500 ? `${cause.slice(0, 499)}…` : cause };
}

export interface Versions {
  candidate: string;
  /** The version the candidate is compared with; undefined when there is none (first deploy). */
  stable: string | undefined;
}

export interface ObserveOptions {
  providers: ReadonlyMap<string, MetricsProvider>;
  end: Date;
  /** For `baseline: before_deploy`: the candidate's pin time; the baseline window ends there. */
  deployedAt?: Date | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Reads every trigger of one service for the candidate and, where a relative limit needs it, the
 * baseline: all queries at once, so one slow query costs its own timeout and no more.
 */
export async function observe(
  service: ServicePolicy,
  versions: Versions,
  o: ObserveOptions,
): Promise<Map<string, TriggerObservation>> {
  const entries = await Promise.all(
    service.queries.map(async (q): Promise<[string, TriggerObservation]> => {
      const provider = o.providers.get(q.provider);
      if (!provider) {
        return [
          q.name,
          { candidate: { kind: 'no_data', cause: `no provider "${q.provider}"` }, baseline: undefined },
        ];
      }
      const ask = (version: string, end: Date) =>
        provider.query(
          {
            service: service.name,
            stage: service.stage,
            trigger: q.name,
            version,
            stableVersion: versions.stable,
            query: q.query,
            windowMs: q.windowMs,
            end,
            args: q.args,
            reduce: q.reduce,
            stepMs: q.stepMs,
          },
          o.signal,
        );
      // The stable is read for every trigger it can be: the incident compares candidate and stable.
      const baselineAsk = (): ReturnType<typeof ask> | undefined => {
        if (service.baseline === 'before_deploy') {
          if (!q.needsBaseline) return undefined;
          // Before the deploy the stable version was the one running; its window ends at the pin time.
          return o.deployedAt
            ? ask(versions.stable ?? versions.candidate, o.deployedAt)
            : Promise.resolve({ kind: 'no_data', cause: 'the candidate has no known deploy time' });
        }
        if (versions.stable) return ask(versions.stable, o.end);
        return q.needsBaseline
          ? Promise.resolve({ kind: 'no_data', cause: 'there is no stable version to compare with' })
          : undefined;
      };
      const [candidate, baseline] = await Promise.all([ask(versions.candidate, o.end), baselineAsk()]);
      return [q.name, { candidate: bounded(candidate), baseline: baseline && bounded(baseline) }];
    }),
  );
  return new Map(entries);
}

/** Observes and decides: the one place metrics meet the pure engine. */
export async function judge(
  service: ServicePolicy,
  versions: Versions,
  o: ObserveOptions,
): Promise<Decision> {
  return decide(service.rule, await observe(service, versions, o));
}
