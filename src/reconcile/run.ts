import { mapBounded } from '../concurrency.js';
import type { Policy } from '../config/policy.js';
import { DEFAULT_RUN, type Ports, type RunContext, reconcileService } from './service.js';
import type { Report } from '../report.js';
import { selectServices } from '../commands/evaluate.js';

export interface RunResult {
  report: Report;
  /** Services that could not be reconciled, with a message for people. */
  failures: { service: string; message: string }[];
}

/**
 * Reconciles the selected services concurrently. A failing service is reported and does not stop
 * the others; the exit code says something failed.
 */
export async function run(
  policy: Policy,
  ports: Ports,
  ctx: Omit<RunContext, 'attempts' | 'historyLimit'> & Partial<RunContext>,
  names?: readonly string[],
): Promise<RunResult> {
  // A service without a pin is reported as a failure, not skipped: `run` was asked to act on it.
  const services = selectServices(policy, names);
  const failures: RunResult['failures'] = [];
  // Services of one run share a branch: each commit can make another's head stale once.
  const full: RunContext = {
    ...DEFAULT_RUN,
    ...ctx,
    attempts: (ctx.attempts ?? DEFAULT_RUN.attempts) + services.length,
    sent: ctx.sent ?? new Set(),
  };
  const reports = await mapBounded(services, 4, async (s) => {
    try {
      return await reconcileService(s, ports, full);
    } catch (e) {
      failures.push({ service: s.name, message: (e as Error).message });
      return undefined;
    }
  });
  return { report: { version: 1, services: reports.filter((r) => r !== undefined) }, failures };
}
