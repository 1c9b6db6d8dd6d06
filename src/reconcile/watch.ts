import type { ServicePolicy } from '../config/policy.js';
import { humanLine, type Report, type ServiceReport } from '../report.js';
import type { Ports } from './ports.js';
import { run, type RunOptions, type RunResult } from './run.js';

export interface WatchOptions {
  durationMs: number;
  intervalMs: number;
  /** One line per round per service. */
  print: (line: string) => void;
  /** Waits between rounds; the composition root passes a timer, tests an injected clock. */
  sleep: (ms: number) => Promise<void>;
}

/**
 * Reconciles every interval for the duration: a breach that meets `sustained`/`require` is acted
 * on within one interval. Ends early once no watched service has anything left to do. A service
 * that cannot be reconciled (no pin, a broken pin file) fails as it does in `run`, and stays failed.
 */
export async function watch(
  services: readonly ServicePolicy[],
  ports: Ports,
  ctx: RunOptions,
  o: WatchOptions,
): Promise<RunResult> {
  const start = ports.now().getTime();
  const latest = new Map<string, ServiceReport>();
  const failures = new Map<string, string>();
  const final = new Set<string>();
  let active = [...services];
  for (let round = 1; active.length > 0; round++) {
    const began = ports.now().getTime();
    const result = await run(active, ports, ctx);
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
    for (const name of result.final) final.add(name);
    // A service without a pin will not grow one between rounds: its failure is the answer.
    active = active.filter((s) => !final.has(s.name) && s.pin !== undefined);
    const next = began + o.intervalMs;
    if (active.length === 0 || next - start >= o.durationMs) break;
    await o.sleep(Math.max(0, next - ports.now().getTime()));
  }
  const report: Report = { version: 1, services: [...latest.values()] };
  return {
    report,
    failures: [...failures].map(([service, message]) => ({ service, message })),
    final: [...final],
  };
}
