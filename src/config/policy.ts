import type { AlertRouting } from '../alerts/route.js';
import type { DoctorSettings } from '../doctor/checks.js';
import type { BarrierMark } from '../history/barriers.js';
import type { AutomationHold } from '../holds/index.js';
import type { PinLocator } from '../pins/locator.js';
import type { Aggregation, NoDataPolicy, PartName, ServiceRule } from '../policy/types.js';
import type { PolicyIssue } from './errors.js';
import type { NotifierConfig, ProviderConfig } from './schema.js';

export type Mode = 'auto' | 'propose' | 'dry-run';

/** One query of a trigger: the single query of a `value`, or one part of a count-aware trigger. */
export interface PartQuery {
  part: PartName;
  query: string | undefined;
  /** `le` for histogram buckets: one series per bucket. */
  groupBy: string | undefined;
}

/** A trigger's query side: where and how its metric is read. The limit side lives in the rule. */
export interface TriggerQuery {
  name: string;
  provider: string;
  /** The text of a `value` trigger's query (for count-aware triggers, each part's is in `parts`). */
  query: string | undefined;
  parts: PartQuery[];
  windowMs: number;
  /** The step asked of the provider; undefined leaves a `value` trigger's to the provider. */
  stepMs: number | undefined;
  reduce: 'sum' | 'max' | 'mean' | 'min' | undefined;
  args: Record<string, string>;
  needsBaseline: boolean;
  /** Count-aware triggers are read from the deploy on: the sequential judgement sees every step since. */
  sinceDeploy: boolean;
}

export interface PinSpec {
  file: string;
  locator: PinLocator;
}

export interface KillSwitch {
  file: string;
  locator: { yaml_path: string } | { regex: string };
  value: string;
  release: 'on_recovery' | 'manual';
}

export interface OnRollback {
  lockCandidate: boolean;
  /** Image automations the rollback commit also holds off the locked version. */
  hold: AutomationHold[];
  killSwitch: KillSwitch | undefined;
  incident: { labels: string[]; assignees: string[]; template: string | undefined; repo: string | undefined };
  notify: NotifierConfig[];
  verifyWindowMs: number | undefined;
  fallbackDepth: number;
}

export interface ServicePolicy {
  name: string;
  stage: string;
  pin: PinSpec | undefined;
  /** `auto` (from the pin's history) or a fixed version. */
  stable: string;
  /** A fixed candidate, for a service evaluated without a pin (the seed form). */
  candidate: string | undefined;
  baseline: 'stable' | 'before_deploy';
  guardWindowMs: number;
  cooldownMs: number;
  /**
   * `min_stable_age`: how long a version must have stayed pinned to be chosen as the stable; one
   * replaced sooner is skipped unless nothing else is left.
   */
  minStableAgeMs: number;
  mode: Mode;
  owners: string[];
  /** `barriers:`: versions no rollback may cross (src/history/barriers.ts); none when absent. */
  barriers?: readonly BarrierMark[] | undefined;
  /**
   * `promote_from:`: the service of the previous stage whose version this one's pin is promoted
   * from (src/config/promotion.ts); the promotion gate judges a new version there first.
   */
  promoteFrom?: string | undefined;
  rule: ServiceRule;
  queries: TriggerQuery[];
  onRollback: OnRollback;
}

/**
 * A provider's entry as the policy holds it: as written, with the network providers' `concurrency`
 * (queries in flight at once, src/metrics/bounded.ts) settled. The file provider reads a local file
 * and needs no bound.
 */
export type ProviderPolicy =
  | Extract<ProviderConfig, { type: 'file' }>
  | (Exclude<ProviderConfig, { type: 'file' }> & { concurrency: number });

/** Queries in flight to one provider when its entry sets no `concurrency`. */
export const DEFAULT_PROVIDER_CONCURRENCY = 16;

export interface Policy {
  file: string;
  /** `sha256:<hex>` of the policy file's bytes, recorded in the Rollback-Policy trailer. */
  digest: string;
  gitops:
    | {
        repo: string | undefined;
        branch: string | undefined;
        author: { name: string; email: string } | undefined;
        /** `gitops.record_authors`: whose commits may carry pinback's rollback records (emails). */
        recordAuthors?: readonly string[] | undefined;
      }
    | undefined;
  providers: Record<string, ProviderPolicy>;
  services: ServicePolicy[];
  /** `alerts:`: how an alert names its service (src/alerts/route.ts); unset: the defaults there. */
  alerts?: AlertRouting | undefined;
  /** Keys that load but whose meaning changed (config/deprecations.ts): shown, never fatal. */
  warnings?: readonly PolicyIssue[] | undefined;
  /** `stages:`: the promotion order, first to last (src/config/promotion.ts); unset: none. */
  stages?: readonly string[] | undefined;
  /** `doctor:`: the readiness minimum `pinback doctor` holds every service to (src/doctor/). */
  doctor?: DoctorSettings | undefined;
  /** Loaded from the seeds' form (`rollback:`): its keys are named differently. */
  seed?: boolean | undefined;
}

export const BUILT_IN_DEFAULTS = {
  window: 600_000,
  cooldown: 1_800_000,
  guardWindow: 7_200_000,
  /** A version replaced within minutes never really ran (a sync takes that long). */
  minStableAge: 300_000,
  require: 1,
  sustained: 1,
  /** Count-aware triggers: a stop needs at least two steps (no single spike stops). */
  countSustained: 2,
  /** Least evidence of count-aware triggers before they may stop. */
  minCount: { ratio: 100, histogram: 100, mean: 30, value: 1 },
  step: 60_000,
  confidence: 0.99,
  onNoData: 'inconclusive' as NoDataPolicy,
  aggregate: 'last' as Aggregation,
  mode: 'auto' as Mode,
  stage: 'production',
};

/** The provider a trigger falls back to when the policy names none: metrics from a JSON file (`--metrics-file`). */
export const IMPLICIT_FILE_PROVIDER = 'file';
