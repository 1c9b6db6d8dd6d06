/**
 * Pure: can each trigger gather its minimum evidence at the traffic the service has now? A
 * count-aware trigger cannot stop before `min_count` events since the deploy (docs/judgement.md,
 * "Minimum evidence"); at the current rate, that must happen inside the guard window, or the guard
 * can never roll anything back. A single query needs its samples in its window.
 */
import type { ServicePolicy } from '../config/policy.js';
import { parseLe } from '../policy/histogram.js';
import type { Observation, TriggerRule } from '../policy/types.js';
import { type CheckResult, missing, notChecked, pass } from './checks.js';
import type { PolicyShape } from './settings-checks.js';

/** One trigger's evidence part (total, count, buckets, or a query's value) as its provider answered. */
export interface TriggerTraffic {
  trigger: string;
  answer: Observation;
}

/** What was read of the service's current traffic, or why nothing could be. */
export type TrafficView =
  | { kind: 'unread'; reason: string }
  | {
      kind: 'read';
      /** The version whose traffic was read: the one pinned now. */
      version: string;
      /** The span read for count-aware triggers (a query reads its own window), in ms. */
      lookbackMs: number;
      /** The end of the span, unix ms. */
      endMs: number;
      triggers: TriggerTraffic[];
    };

const UNITS = { ratio: 'requests', histogram: 'requests', mean: 'observations', value: 'samples' } as const;

/** `40 s`, `25 min`, `3h20m`: for people. */
export function humanDuration(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return policyDuration(ms);
}

/** A duration as the policy writes one, rounded up to the minute: `3h20m`, `45m`. */
export function policyDuration(ms: number): string {
  const total = Math.ceil(ms / 60_000);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return h === 0 ? `${m}m` : m === 0 ? `${h}h` : `${h}h${m}m`;
}

const count = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toFixed(1)));

/** Events in an answer, and the time (unix s) of its oldest sample; undefined without a usable series. */
function eventsIn(rule: TriggerRule, answer: Observation): { events: number; firstT: number } | string {
  if (answer.kind === 'no_data') return answer.cause;
  const samples =
    rule.measure.kind === 'histogram'
      ? answer.kind === 'groups'
        ? answer.groups.find((g) => parseLe(g.key) === Number.POSITIVE_INFINITY)?.samples
        : undefined
      : answer.kind === 'samples'
        ? answer.samples
        : undefined;
  if (!samples) {
    return rule.measure.kind === 'histogram'
      ? 'the histogram answered no le="+Inf" bucket (the total count)'
      : 'the answer was grouped where one series was expected';
  }
  if (!samples.length) return 'the query answered no samples';
  const events =
    rule.measure.kind === 'value' ? samples.length : samples.reduce((sum, s) => sum + Math.max(0, s.v), 0);
  return { events, firstT: Math.min(...samples.map((s) => s.t)) };
}

type Line = { status: 'pass' | 'missing' | 'not_checked'; text: string; advice?: string };

function judgeTrigger(
  s: ServicePolicy,
  shape: PolicyShape,
  rule: TriggerRule,
  view: Extract<TrafficView, { kind: 'read' }>,
  answer: Observation,
): Line {
  const unit = UNITS[rule.measure.kind];
  const key = shape.seed ? `rollback.triggers.${rule.name}` : `services.${s.name}.triggers.${rule.name}`;
  const got = eventsIn(rule, answer);
  if (typeof got === 'string') return { status: 'not_checked', text: `could not check ${rule.name}: ${got}` };
  if (rule.measure.kind === 'value') {
    const need = Math.max(rule.minCount, rule.sustained, 1);
    if (got.events >= need)
      return {
        status: 'pass',
        text: `${rule.name}: ${got.events} samples in its ${humanDuration(rule.windowMs)} window (needs ${need})`,
      };
    return {
      status: 'missing',
      text: `${rule.name}: ${got.events} samples in its ${humanDuration(rule.windowMs)} window, fewer than the ${need} a judgement needs`,
      advice: `lengthen ${key}.window or lower ${key}.sustained, or make the query answer a sample a step`,
    };
  }
  const stepMs = rule.stepMs;
  // The rate over the time the version served in the span: a version deployed 5 minutes ago has 5.
  // Each sample counts the step before it, so a range's first one reaches a step before its start.
  const spanMs = Math.min(
    view.lookbackMs + stepMs,
    Math.max(stepMs, view.endMs - got.firstT * 1000 + stepMs),
  );
  const perMs = got.events / spanMs;
  const over = `over the last ${humanDuration(Math.min(spanMs, view.lookbackMs))} of ${view.version}`;
  const guard = `the ${humanDuration(s.guardWindowMs)} guard window`;
  const guardKey = `services.${s.name}.guard_window`;
  if (perMs === 0) {
    return {
      status: 'missing',
      text: `${rule.name}: no ${unit} ${over}: min_count ${count(rule.minCount)} is never reached, so it can never stop`,
      advice: `check that ${key} counts this service's ${unit} ({{version}} = ${view.version}), or lower ${key}.min_count`,
    };
  }
  const rate = `~${count(perMs * 60_000)} ${unit}/min ${over}`;
  const needMs = rule.minCount / perMs;
  if (needMs <= s.guardWindowMs) {
    return {
      status: 'pass',
      text: `${rule.name}: ${rate}: min_count ${count(rule.minCount)} within ${humanDuration(needMs)}, inside ${guard}`,
    };
  }
  const inGuard = Math.floor(perMs * s.guardWindowMs);
  return {
    status: 'missing',
    text: `${rule.name}: ${rate}: min_count ${count(rule.minCount)} takes ~${humanDuration(needMs)}, longer than ${guard}: it can never stop`,
    advice: shape.seed
      ? `write the full form and set ${guardKey}: ${policyDuration(needMs)}`
      : `set ${guardKey}: ${policyDuration(needMs)}, or lower ${key}.min_count to ${count(inGuard)} (what ${guard} brings now)`,
  };
}

export function evidenceCheck(s: ServicePolicy, shape: PolicyShape, view: TrafficView): CheckResult {
  if (view.kind === 'unread')
    return notChecked(
      'min_evidence',
      `COULD NOT CHECK the traffic: ${view.reason}`,
      'pass --gitops PATH|URL (the version pinned now is the one whose traffic is read)',
    );
  const answers = new Map(view.triggers.map((t) => [t.trigger, t.answer]));
  const lines: Line[] = s.rule.triggers.map((rule) => {
    const answer = answers.get(rule.name);
    return answer
      ? judgeTrigger(s, shape, rule, view, answer)
      : { status: 'not_checked', text: `could not check ${rule.name}: not queried` };
  });
  const detail = lines.map((l) => l.text).join('; ');
  const advice = [...new Set(lines.flatMap((l) => (l.advice ? [l.advice] : [])))].join('; ');
  if (lines.some((l) => l.status === 'missing')) return missing('min_evidence', detail, advice);
  if (lines.some((l) => l.status === 'not_checked'))
    return notChecked(
      'min_evidence',
      `COULD NOT CHECK: ${detail}`,
      'make the metrics reachable from here (the provider, its credentials, --metrics-file) and run doctor again',
    );
  return pass('min_evidence', detail);
}
