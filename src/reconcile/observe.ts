import type { ServicePolicy, TriggerQuery } from '../config/policy.js';
import type { MetricResult, MetricsProvider } from '../metrics/provider.js';
import { cleanCause } from '../redact.js';
import { decide } from '../policy/evaluate.js';
import { withSeries } from '../policy/series.js';
import type { Decision, Parts, TriggerObservation } from '../policy/types.js';

/**
 * A backend's error text travels into commit bodies, pull requests and logs: one line, bounded,
 * so it can end no trailer block, code fence or workflow command, and without what looks like a
 * credential (the providers scrub their own; this catches any other source's).
 */
function bounded(r: MetricResult): MetricResult {
  if (r.kind !== 'no_data') return r;
  return { kind: 'no_data', cause: cleanCause(r.cause) };
}

export interface Versions {
  candidate: string;
  /** The version the candidate is compared with; undefined when there is none (first deploy). */
  stable: string | undefined;
}

export interface ObserveOptions {
  providers: ReadonlyMap<string, MetricsProvider>;
  end: Date;
  /**
   * When the judged version went live (its pin commit, or the rollback that restored it): count-aware
   * triggers are read from then on, so the sequential judgement sees every step since.
   */
  since?: Date | undefined;
  /** For `baseline: before_deploy`: the window before this moment is the baseline (the candidate's pin time). */
  deployedAt?: Date | undefined;
  /** Read every trigger from `since` (a backtest replays each step, single queries included). */
  fromSince?: boolean | undefined;
  /**
   * Attach each breached trigger's series to its evidence (`Evidence.series`), for the charts of the
   * incident and the job summary: a guarding judgement, where `since` is the candidate's deploy.
   */
  series?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

type Ask = (version: string, start: Date | undefined, end: Date) => Promise<Parts>;

function asker(
  service: ServicePolicy,
  q: TriggerQuery,
  provider: MetricsProvider,
  o: ObserveOptions,
  stable: string | undefined,
): Ask {
  return async (version, start, end) => {
    const answers = await Promise.all(
      q.parts.map(async (p): Promise<[string, MetricResult]> => [
        p.part,
        bounded(
          await provider.query(
            {
              service: service.name,
              stage: service.stage,
              trigger: q.name,
              version,
              stableVersion: stable,
              query: p.part === 'value' ? q.query : p.query,
              windowMs: q.windowMs,
              start,
              end,
              args: q.args,
              reduce: q.reduce,
              stepMs: q.stepMs,
              part: p.part === 'value' ? undefined : p.part,
              groupBy: p.groupBy,
            },
            o.signal,
          ),
        ),
      ]),
    );
    return Object.fromEntries(answers) as Parts;
  };
}

function noData(q: TriggerQuery, cause: string): Parts {
  return Object.fromEntries(q.parts.map((p) => [p.part, { kind: 'no_data', cause }])) as Parts;
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
  const beforeDeploy = service.baseline === 'before_deploy';
  const entries = await Promise.all(
    service.queries.map(async (q): Promise<[string, TriggerObservation]> => {
      const baselineKind = beforeDeploy ? 'before_deploy' : 'same_time';
      const provider = o.providers.get(q.provider);
      if (!provider) {
        return [
          q.name,
          { candidate: noData(q, `no provider "${q.provider}"`), baseline: undefined, baselineKind },
        ];
      }
      const ask = asker(service, q, provider, o, versions.stable);
      // Counts are read from the deploy on; a single query over its window, as it always was.
      // A replay of a single query reads its window before the first step too, as a live run would.
      const since = o.since && !q.sinceDeploy ? new Date(o.since.getTime() - q.windowMs) : o.since;
      const fromSince = q.sinceDeploy || o.fromSince === true;
      const start = fromSince && since && since < o.end ? since : undefined;
      // The stable is read for every trigger it can be: the incident compares candidate and stable.
      const baseline = (): Promise<Parts> | undefined => {
        if (beforeDeploy) {
          if (!q.needsBaseline) return undefined;
          // Before the deploy the stable version was the one running; its window ends at the pin time.
          return o.deployedAt
            ? ask(versions.stable ?? versions.candidate, undefined, o.deployedAt)
            : Promise.resolve(noData(q, 'the candidate has no known deploy time'));
        }
        if (versions.stable) return ask(versions.stable, start, o.end);
        return q.needsBaseline
          ? Promise.resolve(noData(q, 'there is no stable version to compare with'))
          : undefined;
      };
      const [candidate, base] = await Promise.all([ask(versions.candidate, start, o.end), baseline()]);
      return [q.name, { candidate, baseline: base, baselineKind }];
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
  const observed = await observe(service, versions, o);
  const time = {
    now: o.end.getTime() / 1000,
    deployedAt: o.since ? o.since.getTime() / 1000 : undefined,
  };
  const decision = decide(service.rule, observed, time);
  return o.series ? withSeries(decision, service.rule, observed, time) : decision;
}
