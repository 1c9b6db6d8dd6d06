/**
 * The information floor of a regression: how long an oracle that knows both versions' rates (and
 * the size of the regression) needs on average before its evidence reaches ln(1/alpha), by Wald's
 * identity E[N] >= ln(1/alpha) / KL per minute. No test that keeps a false-alarm rate of alpha can
 * be faster on average; a judge that must also learn the stable's rate, allow a tolerance and look
 * every minute needs longer. It tells a slow judge from a regression that cannot be seen sooner.
 */
import type { Base } from './canary.js';
import { phi } from './simulate.js';

/** KL divergence of Poisson(l1) from Poisson(l0), per minute. */
function poissonKl(l1: number, l0: number): number {
  return l1 * Math.log(l1 / l0) - l1 + l0;
}

/**
 * Minutes the oracle needs for a step regression of `metric` to `level` at `rpm`, at level `alpha`.
 * Latency: the oracle knows the log-normal and sees each request's latency (the whole
 * distribution), so its floor is far below what a test of the p95 alone can do.
 */
export function floorMinutes(metric: string, level: number, rpm: number, base: Base, alpha = 0.01): number {
  const need = Math.log(1 / alpha);
  let perMinute: number;
  switch (metric) {
    case 'errors':
      perMinute = poissonKl(rpm * base.errors * level, rpm * base.errors);
      break;
    case 'toxicity':
      perMinute = poissonKl(rpm * base.toxicity * level, rpm * base.toxicity);
      break;
    case 'latency':
      // A scale shift of a log-normal: the means of the logs differ by ln(level).
      perMinute = (rpm * Math.log(level) ** 2) / (2 * base.latencySigma ** 2);
      break;
    case 'quality':
      perMinute = (rpm * level * level) / (2 * base.qualitySd * base.qualitySd);
      break;
    default:
      return Number.NaN;
  }
  return need / perMinute;
}

/** The share of requests over the stable's p95 after a latency scale of `level` (for the p95 test's own floor). */
export function tailShare(level: number, sigma: number): number {
  return 1 - phi(1.645 - Math.log(level) / sigma);
}
