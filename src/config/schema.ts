import { z } from 'zod';
import { checkSelect } from '../metrics/json-path.js';
import { aggregation, confidence, duration, noData, trigger } from './trigger-schema.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  message: 'use letters, digits, ".", "_" and "-" only',
});

const documentMatch = z.strictObject({ kind: z.string().optional(), name: z.string().optional() });

export const LOCATOR_KEYS = ['kustomize_image', 'yaml_path', 'container', 'setter', 'regex'] as const;

const pin = z
  .strictObject({
    file: z.string().min(1),
    kustomize_image: z.string().min(1).optional(),
    field: z.enum(['newTag', 'digest']).optional(),
    yaml_path: z.string().min(1).optional(),
    container: z.string().min(1).optional(),
    match: documentMatch.optional(),
    setter: z.string().min(1).optional(),
    regex: z.string().min(1).optional(),
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
    if (p.regex !== undefined) {
      try {
        if (!new RegExp(p.regex).source.includes('(?<version>')) {
          ctx.addIssue({
            code: 'custom',
            path: ['regex'],
            message: 'the regex needs a named group (?<version>...)',
          });
        }
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `not a valid regular expression: ${(e as Error).message}`,
        });
      }
    }
  });

const headers = z.record(z.string(), z.string());

const fileProvider = z.strictObject({ type: z.literal('file'), path: z.string().min(1) });
const tls = { ca: z.string().optional(), insecure_skip_verify: z.boolean().optional() };
const prometheusProvider = z.strictObject({
  type: z.literal('prometheus'),
  url: z.url({ error: 'expected an http(s) URL such as http://prometheus:9090' }),
  headers: headers.optional(),
  basic_auth: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  bearer_token: z.string().optional(),
  timeout: duration.optional(),
  step: duration.optional(),
  ...tls,
});
const datadogProvider = z.strictObject({
  type: z.literal('datadog'),
  site: z.string().default('datadoghq.com'),
  api_key: z.string().min(1),
  app_key: z.string().min(1),
  base_url: z.url().optional(),
  timeout: duration.optional(),
  ...tls,
});
const httpProvider = z.strictObject({
  type: z.literal('http'),
  url: z.string().min(1),
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
  timeout: duration.optional(),
  ...tls,
});
export const provider = z.discriminatedUnion('type', [
  fileProvider,
  prometheusProvider,
  datadogProvider,
  httpProvider,
]);

const mode = z.enum(['auto', 'propose', 'dry-run']);

const killSwitch = z
  .strictObject({
    file: z.string().min(1),
    yaml_path: z.string().min(1).optional(),
    regex: z.string().min(1).optional(),
    value: z.union([z.string(), z.number(), z.boolean()]).transform(String),
    release: z.enum(['on_recovery', 'manual']).default('manual'),
  })
  .refine((k) => (k.yaml_path === undefined) !== (k.regex === undefined), {
    message: 'a kill switch takes exactly one locator: yaml_path or regex',
  });

const notifier = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhook: z.string().min(1) }),
  z.strictObject({ type: z.literal('webhook'), url: z.string().min(1), headers: headers.optional() }),
]);

/** Image automation that must not push the locked version back (Flux, Argo CD Image Updater). */
const hold = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('flux_image_policy'),
      file: z.string().min(1),
      name: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('flux_image_update_automation'),
      file: z.string().min(1),
      name: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('argocd_image_updater'),
      file: z.string().min(1),
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
      template: z.string().optional(),
      repo: z.string().optional(),
    })
    .optional(),
  notify: z.array(notifier).optional(),
  verify: z.strictObject({ window: duration }).optional(),
  fallback_depth: z.int().min(1).max(10).optional(),
});

const shared = {
  provider: z.string().optional(),
  window: duration.optional(),
  cooldown: duration.optional(),
  guard_window: duration.optional(),
  /** How long a version must have stayed pinned to be chosen as the stable (default 5m). */
  min_stable_age: duration.optional(),
  require: z.int().min(1).optional(),
  sustained: z.int().min(1).optional(),
  on_no_data: noData.optional(),
  aggregate: aggregation.optional(),
  step: duration.optional(),
  confidence: confidence.optional(),
  mode: mode.optional(),
  on_rollback: onRollback.optional(),
};

const service = z.strictObject({
  ...shared,
  stage: z.string().optional(),
  pin: pin.optional(),
  stable: z.string().min(1).optional(),
  candidate: z.string().min(1).optional(),
  baseline: z.enum(['stable', 'before_deploy']).optional(),
  owners: z.array(z.string()).optional(),
  triggers: z
    .record(name, trigger)
    .refine((t) => Object.keys(t).length > 0, { message: 'a service needs at least one trigger' }),
});

const identity = z.strictObject({ name: z.string().min(1), email: z.string().min(3) });

export const fullForm = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'the policy file format is version: 1' }),
  gitops: z
    .strictObject({
      repo: z.string().min(1),
      branch: z.string().min(1).optional(),
      author: identity.optional(),
    })
    .optional(),
  providers: z.record(name, provider).optional(),
  defaults: z.strictObject(shared).optional(),
  owners: z.array(z.string()).optional(),
  services: z
    .record(name, service)
    .refine((s) => Object.keys(s).length > 0, { message: 'at least one service' }),
});

const versioned = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+/, { message: 'expected SERVICE@VERSION, e.g. support-agent@2.4.0' });

export const seedForm = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional(),
  providers: z.record(name, provider).optional(),
  rollback: z.strictObject({
    stable_version: versioned,
    candidate_version: versioned,
    stage: z.string().optional(),
    triggers: z
      .record(name, z.number())
      .refine((t) => Object.keys(t).length > 0, { message: 'at least one trigger' }),
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
