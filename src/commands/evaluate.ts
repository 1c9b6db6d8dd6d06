import { mapBounded } from '../concurrency.js';
import { UsageError } from '../config/errors.js';
import type { Policy } from '../config/policy.js';
import { selectServices } from '../config/select.js';
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
