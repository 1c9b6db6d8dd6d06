/**
 * The time range and step every provider reads for a query (pure): `[q.start ?? end - window, end]`,
 * and the step a provider uses when the trigger sets none.
 */
import type { MetricQuery } from './provider.js';

/** Most points a default step yields for one window (Prometheus refuses more than 11 000 a query). */
const MAX_DEFAULT_POINTS = 500;
const DEFAULT_STEP_MS = 60_000;

/**
 * The step used when neither the trigger nor the provider sets one: a minute, finer only for windows
 * under a minute, coarser (whole seconds) when a window would hold more than 500 steps.
 */
export function defaultStepMs(windowMs: number): number {
  return Math.max(
    Math.min(DEFAULT_STEP_MS, windowMs),
    Math.ceil(windowMs / MAX_DEFAULT_POINTS / 1000) * 1000,
  );
}

export interface ReadRange {
  startMs: number;
  endMs: number;
}

/** `[q.start ?? end - window, end]` in epoch milliseconds. */
export function rangeOf(q: Pick<MetricQuery, 'start' | 'end' | 'windowMs'>): ReadRange {
  const endMs = q.end.getTime();
  return { startMs: q.start?.getTime() ?? endMs - q.windowMs, endMs };
}

/** An ISO time for a cause, without milliseconds when they are zero. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(ms);
}

/**
 * Why the range or step of a query cannot be read, or undefined when they can: a start after the end
 * (a caller's clock or deploy time gone wrong) would reach a backend as an error or an empty answer,
 * and a step that is not a positive duration would divide the range by nothing.
 */
export function rangeProblem(range: ReadRange, stepMs: number): string | undefined {
  if (!Number.isFinite(range.startMs) || !Number.isFinite(range.endMs)) {
    return 'the range to read has an invalid start or end time';
  }
  if (range.startMs > range.endMs) {
    return `the range to read starts (${isoTime(range.startMs)}) after it ends (${isoTime(range.endMs)})`;
  }
  if (!Number.isFinite(stepMs) || stepMs <= 0) return `step must be a positive duration, got ${stepMs} ms`;
  return undefined;
}
