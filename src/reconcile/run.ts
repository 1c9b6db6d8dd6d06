import { mapBounded } from '../concurrency.js';
import type { ServicePolicy } from '../config/policy.js';
import type { Report } from '../report.js';
import { DEFAULT_RUN, type Ports, type RunContext } from './ports.js';
import { reconcileService } from './service.js';

export interface RunResult {
  report: Report;
  /** Services that could not be reconciled, with a message for people. */
  failures: { service: string; message: string }[];
  /** Services a watch has nothing more to do for (recovered, escalated, proposed, rolled back for good). */
  final: string[];
}

export type RunOptions = Omit<RunContext, 'attempts' | 'historyLimit'> & Partial<RunContext>;

/**
 * Reconciles the services (chosen by `selectServices`, as every command does) concurrently. A failing service is reported and does not stop the
 * others; the exit code says something failed.
 */
export async function run(
  services: readonly ServicePolicy[],
  ports: Ports,
  ctx: RunOptions,
): Promise<RunResult> {
  const failures: RunResult['failures'] = [];
  const final: string[] = [];
  // Services of one run share a branch: each commit can make another's head stale once.
  const full: RunContext = {
    ...DEFAULT_RUN,
    ...ctx,
    attempts: (ctx.attempts ?? DEFAULT_RUN.attempts) + services.length,
  };
  const reports = await mapBounded(services, 4, async (s) => {
    try {
      const r = await reconcileService(s, ports, full);
      if (r.final) final.push(s.name);
      return r.report;
    } catch (e) {
      failures.push({ service: s.name, message: (e as Error).message });
      return undefined;
    }
  });
  return { report: { version: 1, services: reports.filter((r) => r !== undefined) }, failures, final };
}
