import { mapBounded } from '../concurrency.js';
import type { Policy, ServicePolicy } from '../config/policy.js';
import type { MetricsProvider } from '../metrics/provider.js';
import { judge } from '../reconcile/observe.js';
import { type Report, serviceReport } from '../report.js';

export interface EvaluateOptions {
  providers: ReadonlyMap<string, MetricsProvider>;
  now: Date;
  /** `--candidate` / `--stable`: versions for services whose pin history is not read. */
  candidate?: string | undefined;
  stable?: string | undefined;
  /** `--since`: the candidate's deploy; count-aware triggers are read, and tested, from then on. */
  since?: Date | undefined;
  services?: readonly string[] | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function selectServices(policy: Policy, names: readonly string[] | undefined): ServicePolicy[] {
  if (!names?.length) return policy.services;
  const known = new Set(policy.services.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(
      `no service ${unknown.join(', ')} in ${policy.file} (services: ${[...known].join(', ')})`,
    );
  }
  return policy.services.filter((s) => names.includes(s.name));
}

/** Decisions only: never reads or writes the GitOps repository. */
export async function evaluate(policy: Policy, o: EvaluateOptions): Promise<Report> {
  const services = selectServices(policy, o.services);
  const reports = await mapBounded(services, 8, async (service) => {
    const candidate = o.candidate ?? service.candidate;
    const stable = o.stable ?? (service.stable === 'auto' ? undefined : service.stable);
    if (!candidate) {
      throw new UsageError(
        `service ${service.name}: no candidate version: pass --candidate VERSION (pinback run reads it from the pin)`,
      );
    }
    const decision = await judge(
      service,
      { candidate, stable },
      { providers: o.providers, end: o.now, since: o.since, deployedAt: o.since },
    );
    return serviceReport(
      { service: service.name, stage: service.stage, from: candidate, to: stable ?? null },
      decision,
    );
  });
  return { version: 1, services: reports };
}
