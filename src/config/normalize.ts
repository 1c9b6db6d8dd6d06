import { DEFAULT_SERVICE_LABELS } from '../alerts/route.js';
import type { PinLocator } from '../pins/locator.js';
import type { TriggerRule } from '../policy/types.js';
import {
  BUILT_IN_DEFAULTS,
  DEFAULT_PROVIDER_CONCURRENCY,
  IMPLICIT_FILE_PROVIDER,
  type KillSwitch,
  type OnRollback,
  type PinSpec,
  type Policy,
  type ProviderPolicy,
  type ServicePolicy,
  type TriggerQuery,
} from './policy.js';
import type { LocalFileRef } from './local-files.js';
import { normalizeTrigger } from './normalize-trigger.js';
import { promotionIssues } from './promotion.js';
import type { FullForm, OnRollbackInput, ProviderConfig, SeedForm, ServiceInput } from './schema.js';

interface PathIssue {
  path: PropertyKey[];
  message: string;
}

function pinSpec(p: NonNullable<ServiceInput['pin']>): PinSpec {
  let locator: PinLocator;
  if (p.kustomize_image !== undefined) locator = { kustomize_image: p.kustomize_image, field: p.field };
  else if (p.yaml_path !== undefined) locator = { yaml_path: p.yaml_path, match: p.match };
  else if (p.container !== undefined) locator = { container: p.container, match: p.match };
  else if (p.setter !== undefined) locator = { setter: p.setter };
  else locator = { regex: p.regex! };
  return { file: p.file, locator };
}

/** The providers as written, each network provider with its `concurrency` (default 16). */
function providerPolicies(input: Record<string, ProviderConfig> | undefined): Record<string, ProviderPolicy> {
  return Object.fromEntries(
    Object.entries(input ?? {}).map(([name, p]): [string, ProviderPolicy] => [
      name,
      p.type === 'file' ? p : { ...p, concurrency: p.concurrency ?? DEFAULT_PROVIDER_CONCURRENCY },
    ]),
  );
}

function onRollback(r: OnRollbackInput | undefined, d: OnRollbackInput | undefined): OnRollback {
  const ks = r?.kill_switch ?? d?.kill_switch;
  const killSwitch: KillSwitch | undefined = ks && {
    file: ks.file,
    locator: ks.yaml_path !== undefined ? { yaml_path: ks.yaml_path } : { regex: ks.regex! },
    value: ks.value,
    release: ks.release,
  };
  const incident = r?.incident ?? d?.incident;
  return {
    lockCandidate: r?.lock_candidate ?? d?.lock_candidate ?? true,
    hold: r?.hold ?? d?.hold ?? [],
    killSwitch,
    incident: {
      labels: incident?.labels ?? ['incident', 'rollback'],
      assignees: incident?.assignees ?? [],
      template: incident?.template,
      repo: incident?.repo,
    },
    notify: r?.notify ?? d?.notify ?? [],
    verifyWindowMs: (r?.verify ?? d?.verify)?.window,
    fallbackDepth: r?.fallback_depth ?? d?.fallback_depth ?? 1,
  };
}

/**
 * Applies defaults and checks what the schema cannot: provider references and require <= triggers.
 * `files` are the local files the policy names (incident templates), for localFileIssues to check
 * where the run's base folder is known.
 */
export function normalizeFull(
  input: FullForm,
  file: string,
  digest: string,
): { policy: Policy; issues: PathIssue[]; files: LocalFileRef[] } {
  const issues: PathIssue[] = [];
  const files: LocalFileRef[] = [];
  const d = input.defaults ?? {};
  const providers = providerPolicies(input.providers);
  const providerNames = Object.keys(providers);
  const services: ServicePolicy[] = [];

  for (const [name, s] of Object.entries(input.services)) {
    const triggers: TriggerRule[] = [];
    const queries: TriggerQuery[] = [];
    for (const [tname, t] of Object.entries(s.triggers)) {
      const named = t.provider ?? s.provider ?? d.provider;
      // With several providers, none is implied: adding one must not move the triggers that named none.
      if (named === undefined && providerNames.length > 1) {
        issues.push({
          path: ['services', name, 'triggers', tname],
          message:
            `this trigger names no provider and ${providerNames.length} are declared ` +
            `(${providerNames.join(', ')}): name the provider (provider: ${providerNames[0]}) ` +
            'or set defaults.provider',
        });
      }
      const provider = named ?? (providerNames.length === 1 ? providerNames[0]! : IMPLICIT_FILE_PROVIDER);
      if (!(provider in providers) && provider !== IMPLICIT_FILE_PROVIDER) {
        const where = t.provider
          ? ['services', name, 'triggers', tname, 'provider']
          : s.provider
            ? ['services', name, 'provider']
            : ['defaults', 'provider'];
        issues.push({
          path: where,
          message: `no provider "${provider}" under providers:${providerNames.length ? ` (have ${providerNames.join(', ')})` : ''}`,
        });
      }
      const config = providers[provider];
      const normalized = normalizeTrigger(t, {
        name: tname,
        provider,
        providerType: config?.type ?? 'file',
        providerStepMs: config?.type === 'prometheus' ? config.step : undefined,
        service: s,
        defaults: d,
      });
      for (const issue of normalized.issues) {
        issues.push({ path: ['services', name, 'triggers', tname, ...issue.path], message: issue.message });
      }
      triggers.push(normalized.rule);
      queries.push(normalized.query);
    }
    const require = s.require ?? d.require ?? BUILT_IN_DEFAULTS.require;
    if (require > triggers.length) {
      issues.push({
        path: ['services', name, s.require !== undefined ? 'require' : 'triggers'],
        message: `require: ${require} but the service has ${triggers.length} trigger(s)`,
      });
    }
    if (!s.pin && !s.candidate) {
      issues.push({
        path: ['services', name],
        message: 'a service needs a pin: (or a fixed candidate: to evaluate without one)',
      });
    }
    const incident = s.on_rollback?.incident ?? d.on_rollback?.incident;
    if (incident?.template !== undefined) {
      files.push({
        path: [
          ...(s.on_rollback?.incident ? ['services', name] : ['defaults']),
          'on_rollback',
          'incident',
          'template',
        ],
        file: incident.template,
        what: 'the incident template',
      });
    }
    services.push({
      name,
      stage: s.stage ?? BUILT_IN_DEFAULTS.stage,
      pin: s.pin && pinSpec(s.pin),
      stable: s.stable ?? 'auto',
      candidate: s.candidate,
      baseline: s.baseline ?? 'stable',
      guardWindowMs: s.guard_window ?? d.guard_window ?? BUILT_IN_DEFAULTS.guardWindow,
      cooldownMs: s.cooldown ?? d.cooldown ?? BUILT_IN_DEFAULTS.cooldown,
      minStableAgeMs: s.min_stable_age ?? d.min_stable_age ?? BUILT_IN_DEFAULTS.minStableAge,
      mode: s.mode ?? d.mode ?? BUILT_IN_DEFAULTS.mode,
      owners: s.owners ?? input.owners ?? [],
      barriers: (s.barriers ?? []).map((b) => (typeof b === 'string' ? { version: b } : b)),
      promoteFrom: s.promote_from,
      rule: {
        triggers,
        require,
        confidence: s.confidence ?? d.confidence ?? BUILT_IN_DEFAULTS.confidence,
        horizonMs: s.guard_window ?? d.guard_window ?? BUILT_IN_DEFAULTS.guardWindow,
      },
      queries,
      onRollback: onRollback(s.on_rollback, d.on_rollback),
    });
  }
  // `stages:` and `promote_from:` refer to services: checked once every service is known.
  issues.push(...promotionIssues(services, input.stages));
  return {
    policy: {
      file,
      digest,
      gitops: input.gitops && {
        repo: input.gitops.repo,
        branch: input.gitops.branch,
        author: input.gitops.author,
        recordAuthors: input.gitops.record_authors,
      },
      alerts: input.alerts && {
        serviceLabels: input.alerts.service_labels ?? DEFAULT_SERVICE_LABELS,
        aliases: input.alerts.aliases ?? {},
      },
      providers,
      services,
      doctor: input.doctor && { require: input.doctor.require ?? [], minScore: input.doctor.min_score },
      ...(input.stages ? { stages: input.stages } : {}),
    },
    issues,
    files,
  };
}

/** The seeds' form: one service, fixed versions, every trigger a maximum. */
export function normalizeSeed(input: SeedForm, file: string, digest: string): Policy {
  const r = input.rollback;
  const at = (s: string) => s.indexOf('@');
  const service = r.candidate_version.slice(0, at(r.candidate_version));
  const providers = providerPolicies(input.providers);
  const providerNames = Object.keys(providers);
  const provider = providerNames.length === 1 ? providerNames[0]! : IMPLICIT_FILE_PROVIDER;
  const names = Object.keys(r.triggers);
  return {
    file,
    digest,
    gitops: undefined,
    seed: true,
    providers,
    services: [
      {
        name: service,
        stage: r.stage ?? 'canary',
        pin: undefined,
        stable: r.stable_version.slice(at(r.stable_version) + 1),
        candidate: r.candidate_version.slice(at(r.candidate_version) + 1),
        baseline: 'stable',
        guardWindowMs: BUILT_IN_DEFAULTS.guardWindow,
        cooldownMs: BUILT_IN_DEFAULTS.cooldown,
        minStableAgeMs: BUILT_IN_DEFAULTS.minStableAge,
        mode: BUILT_IN_DEFAULTS.mode,
        owners: [],
        rule: {
          require: Math.min(r.require ?? 1, names.length),
          confidence: BUILT_IN_DEFAULTS.confidence,
          horizonMs: BUILT_IN_DEFAULTS.guardWindow,
          triggers: names.map((name) => ({
            name,
            measure: { kind: 'value' as const },
            slo: undefined,
            minCount: BUILT_IN_DEFAULTS.minCount.value,
            windowMs: BUILT_IN_DEFAULTS.window,
            stepMs: BUILT_IN_DEFAULTS.step,
            max: r.triggers[name],
            min: undefined,
            maxIncrease: undefined,
            maxDecrease: undefined,
            aggregate: BUILT_IN_DEFAULTS.aggregate,
            sustained: 1,
            onNoData: BUILT_IN_DEFAULTS.onNoData,
            reason: /error|fail/i.test(name)
              ? 'error_spike'
              : /latency|duration|slo|sla/i.test(name)
                ? 'sla_breach'
                : undefined,
            severity: 'high',
            action: 'rollback',
          })),
        },
        queries: names.map((name) => ({
          name,
          provider,
          query: undefined,
          parts: [{ part: 'value' as const, query: undefined, groupBy: undefined }],
          windowMs: BUILT_IN_DEFAULTS.window,
          stepMs: undefined,
          reduce: undefined,
          args: {},
          needsBaseline: false,
          sinceDeploy: false,
        })),
        onRollback: {
          ...onRollback(undefined, undefined),
          lockCandidate: r.lock_candidate_after_rollback ?? true,
        },
      },
    ],
  };
}
