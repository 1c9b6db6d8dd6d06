import { z } from 'zod';
import { checkSelect } from '../metrics/json-path.js';
import { branchProblem } from './branch.js';
import { shown } from './shown.js';
import { aggregation, confidence, duration, noData, positiveDuration, trigger } from './trigger-schema.js';
import {
  httpUrlProblem,
  regexProblem,
  repoPathProblem,
  SETTER_MESSAGE,
  SETTER_PATTERN,
  versionProblem,
  yamlPathProblem,
} from './values.js';

const NAME_CHARACTERS = 'letters, digits, ".", "_" and "-", starting with a letter or a digit';
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  message: `use ${NAME_CHARACTERS}`,
});

/** A map keyed by names: a bad key says what a name may hold (zod's own message is "Invalid key in record"). */
const named = <T extends z.ZodType>(what: string, value: T) =>
  z.record(name, value, {
    error: (issue) =>
      issue.code === 'invalid_key' ? `a ${what} name holds only ${NAME_CHARACTERS}` : undefined,
  });

/** A string checked by one of values.ts's `...Problem` functions. */
const checked = (problem: (value: string) => string | undefined) =>
  z
    .string()
    .min(1, { abort: true })
    .superRefine((value, ctx) => {
      const why = problem(value);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });

/** A file of the GitOps repository: relative, inside it, not in `.git/`. */
const repoFile = checked(repoPathProblem);
const yamlPath = checked(yamlPathProblem);
const regex = checked(regexProblem);
const version = checked(versionProblem);
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

const documentMatch = z.strictObject({ kind: z.string().optional(), name: z.string().optional() });

export const LOCATOR_KEYS = ['kustomize_image', 'yaml_path', 'container', 'setter', 'regex'] as const;

const pin = z
  .strictObject({
    file: repoFile,
    kustomize_image: z.string().min(1).optional(),
    field: z.enum(['newTag', 'digest']).optional(),
    yaml_path: yamlPath.optional(),
    container: z.string().min(1).optional(),
    match: documentMatch.optional(),
    setter: z.string().regex(SETTER_PATTERN, { message: SETTER_MESSAGE }).optional(),
    regex: regex.optional(),
  })
  .superRefine((p, ctx) => {
    const given = LOCATOR_KEYS.filter((k) => p[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? `a pin needs one locator: ${LOCATOR_KEYS.join(', ')}`
            : `a pin takes exactly one locator, found ${given.join(' and ')}`,
      });
    }
  });

const headers = z.record(z.string(), z.string());

const fileProvider = z.strictObject({ type: z.literal('file'), path: z.string().min(1) });
const tls = { ca: z.string().optional(), insecure_skip_verify: z.boolean().optional() };
/** Most queries in flight to one provider at once (src/metrics/bounded.ts); normalize.ts sets the default. */
const CONCURRENCY =
  'expected a positive integer: the most queries in flight to this provider at once (default 16)';
const concurrency = z.int({ error: CONCURRENCY }).min(1, { error: CONCURRENCY });
const prometheusProvider = z.strictObject({
  type: z.literal('prometheus'),
  url: httpUrl('http://prometheus:9090'),
  headers: headers.optional(),
  basic_auth: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  bearer_token: z.string().optional(),
  timeout: positiveDuration.optional(),
  step: positiveDuration.optional(),
  concurrency: concurrency.optional(),
  ...tls,
});
const datadogProvider = z.strictObject({
  type: z.literal('datadog'),
  site: z.string().default('datadoghq.com'),
  api_key: z.string().min(1),
  app_key: z.string().min(1),
  base_url: httpUrl('https://api.datadoghq.eu').optional(),
  timeout: positiveDuration.optional(),
  concurrency: concurrency.optional(),
  ...tls,
});
const httpProvider = z.strictObject({
  type: z.literal('http'),
  url: checked((url) => httpUrlProblem(url, 'https://metrics.example.com/api/v1/query?q={{query}}')),
  method: z.enum(['GET', 'POST']).optional(),
  headers: headers.optional(),
  body: z.string().optional(),
  select: z
    .string()
    .min(1)
    .superRefine((expression, ctx) => {
      const problem = checkSelect(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  time_field: z.string().optional(),
  value_field: z.string().optional(),
  timeout: positiveDuration.optional(),
  concurrency: concurrency.optional(),
  ...tls,
});
export const provider = z.discriminatedUnion('type', [
  fileProvider,
  prometheusProvider,
  datadogProvider,
  httpProvider,
]);

const mode = z.enum(['auto', 'propose', 'dry-run']);

/**
 * The kill switch's value is written into its file as a pin's version is (writePin): a value that
 * could not be written (`writes disabled`, quotes, `#`) would fail the rollback commit itself.
 */
const killSwitchValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .superRefine((v, ctx) => {
    if (versionProblem(v) === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message:
        `${shown(v)} cannot be written as a plain scalar: a kill switch value holds ` +
        'letters, digits and . _ + - @ : / = only (e.g. "true", "0" or off)',
    });
  });

const killSwitch = z
  .strictObject({
    file: repoFile,
    yaml_path: yamlPath.optional(),
    regex: regex.optional(),
    value: killSwitchValue,
    release: z.enum(['on_recovery', 'manual']).default('manual'),
  })
  .refine((k) => (k.yaml_path === undefined) !== (k.regex === undefined), {
    message: 'a kill switch takes exactly one locator: yaml_path or regex',
  });

const notifier = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhook: httpUrl('https://hooks.slack.com/services/…') }),
  z.strictObject({
    type: z.literal('webhook'),
    url: httpUrl('https://hooks.example.com/pinback'),
    headers: headers.optional(),
  }),
]);

/** Image automation that must not push the locked version back (Flux, Argo CD Image Updater). */
const hold = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('flux_image_policy'),
      file: repoFile,
      name: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('flux_image_update_automation'),
      file: repoFile,
      name: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('argocd_image_updater'),
      file: repoFile,
      name: z.string().optional(),
      alias: z.string().optional(),
    }),
  ],
  { error: 'type must be flux_image_policy, flux_image_update_automation or argocd_image_updater' },
);

const onRollback = z.strictObject({
  lock_candidate: z.boolean().optional(),
  hold: z.array(hold).optional(),
  kill_switch: killSwitch.optional(),
  incident: z
    .strictObject({
      labels: z.array(z.string()).optional(),
      assignees: z.array(z.string()).optional(),
      template: z.string().min(1).optional(),
      repo: z.string().optional(),
    })
    .optional(),
  notify: z.array(notifier).optional(),
  verify: z.strictObject({ window: positiveDuration }).optional(),
  fallback_depth: z.int().min(1).max(10).optional(),
});

const shared = {
  provider: z.string().optional(),
  window: positiveDuration.optional(),
  /** 0 is meaningful: no wait between rollbacks. */
  cooldown: duration.optional(),
  guard_window: positiveDuration.optional(),
  /** How long a version must have stayed pinned to be chosen as the stable (default 5m; 0: any). */
  min_stable_age: duration.optional(),
  require: z.int().min(1).optional(),
  sustained: z.int().min(1).optional(),
  on_no_data: noData.optional(),
  aggregate: aggregation.optional(),
  step: positiveDuration.optional(),
  confidence: confidence.optional(),
  mode: mode.optional(),
  on_rollback: onRollback.optional(),
};

const service = z.strictObject({
  ...shared,
  stage: z.string().optional(),
  pin: pin.optional(),
  /** `auto` or a fixed version. */
  stable: version.optional(),
  candidate: version.optional(),
  baseline: z.enum(['stable', 'before_deploy']).optional(),
  owners: z.array(z.string()).optional(),
  triggers: named('trigger', trigger).refine((t) => Object.keys(t).length > 0, {
    message: 'a service needs at least one trigger',
  }),
});

const identity = z.strictObject({ name: z.string().min(1), email: z.string().min(3) });

export const fullForm = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'the policy file format is version: 1' }),
  gitops: z
    .strictObject({
      repo: z.string().min(1).optional(),
      branch: checked(branchProblem).optional(),
      author: identity.optional(),
      /** The commit authors (emails) whose rollback records are pinback's own; unset: not checked. */
      record_authors: z.array(z.string().min(3)).min(1).optional(),
    })
    .optional(),
  providers: named('provider', provider).optional(),
  defaults: z.strictObject(shared).optional(),
  owners: z.array(z.string()).optional(),
  services: named('service', service).refine((s) => Object.keys(s).length > 0, {
    message: 'at least one service',
  }),
});

const versioned = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+/, { message: 'expected SERVICE@VERSION, e.g. support-agent@2.4.0', abort: true })
  .superRefine((v, ctx) => {
    const why = versionProblem(v.slice(v.indexOf('@') + 1));
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

export const seedForm = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional(),
  providers: named('provider', provider)
    .refine((p) => Object.keys(p).length <= 1, {
      message:
        'the seed form reads every trigger from one provider: declare one, or write the full form ' +
        '(services: with a provider: per trigger)',
    })
    .optional(),
  rollback: z.strictObject({
    stable_version: versioned,
    candidate_version: versioned,
    stage: z.string().optional(),
    triggers: named('trigger', z.number()).refine((t) => Object.keys(t).length > 0, {
      message: 'at least one trigger',
    }),
    lock_candidate_after_rollback: z.boolean().optional(),
    require: z.int().min(1).optional(),
  }),
});

export type { TriggerInput } from './trigger-schema.js';
export { duration } from './trigger-schema.js';
export type FullForm = z.output<typeof fullForm>;
export type SeedForm = z.output<typeof seedForm>;
export type ProviderConfig = z.output<typeof provider>;
export type ServiceInput = z.output<typeof service>;
export type OnRollbackInput = z.output<typeof onRollback>;
export type NotifierConfig = z.output<typeof notifier>;
