import type { Policy, ServicePolicy } from '../config/policy.js';
import type { Ports, RunContext } from './service.js';
import { humanLine, type Report, type ServiceReport } from '../report.js';
import { type RunResult, run } from './run.js';

export interface WatchOptions {
  durationMs: number;
  intervalMs: number;
  /** One line per round per service. */
  print: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Nothing more to do for a service: rolled back and verified (or verification not asked), or escalated. */
export function isTerminal(report: ServiceReport, service: ServicePolicy): boolean {
  if (report.action === 'escalated') return true;
  if (
    report.action === 'rolled_back' ||
    report.action === 'already_rolled_back' ||
    report.action === 'proposed'
  ) {
    return (
      service.onRollback.verifyWindowMs === undefined ||
      report.reason === 'recovered' ||
      report.action === 'proposed'
    );
  }
  return false;
}

const sleepFor = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Evaluates every interval for the duration: a breach that meets `sustained`/`require` is acted on
 * within one interval. Ends early once every watched service is terminal.
 */
export async function watch(
  policy: Policy,
  ports: Ports,
  ctx: Omit<RunContext, 'attempts' | 'historyLimit'> & Partial<RunContext>,
  names: readonly string[] | undefined,
  o: WatchOptions,
): Promise<RunResult> {
  const sleep = o.sleep ?? sleepFor;
  const start = ports.now().getTime();
  const shared = { ...ctx, sent: ctx.sent ?? new Set<string>() };
  const latest = new Map<string, ServiceReport>();
  const failures = new Map<string, string>();
  let active = (
    names?.length ? policy.services.filter((s) => names.includes(s.name)) : policy.services
  ).filter((s) => s.pin);
  for (let round = 1; active.length > 0; round++) {
    const began = ports.now().getTime();
    const result = await run(
      policy,
      ports,
      shared,
      active.map((s) => s.name),
    );
    const at = ((ports.now().getTime() - start) / 1000).toFixed(1);
    for (const r of result.report.services) {
      latest.set(r.service, r);
      failures.delete(r.service);
      o.print(`[round ${round} +${at}s] ${humanLine(r)}`);
    }
    for (const f of result.failures) {
      failures.set(f.service, f.message);
      o.print(`[round ${round} +${at}s] ${f.service}: failed: ${f.message}`);
    }
    active = active.filter((s) => {
      const r = latest.get(s.name);
      return !(r && isTerminal(r, s));
    });
    const next = began + o.intervalMs;
    if (active.length === 0 || next - start >= o.durationMs) break;
    await sleep(Math.max(0, next - ports.now().getTime()));
  }
  const report: Report = { version: 1, services: [...latest.values()] };
  return { report, failures: [...failures].map(([service, message]) => ({ service, message })) };
}
