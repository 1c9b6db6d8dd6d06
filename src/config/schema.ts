import { z } from 'zod';
import { barriers } from './barrier-schema.js';
import { branchProblem } from './branch.js';
import { doctorSchema } from './doctor-schema.js';
import { hold, killSwitch, pin } from './pin-schema.js';
import { headers, provider } from './provider-schema.js';
import { checked, httpUrl, name, named, schemaRef, version } from './schema-values.js';
import {
  aggregation,
  confidence,
  duration,
  multiple,
  noData,
  positiveDuration,
  trigger,
} from './trigger-schema.js';

const mode = z
  .enum(['auto', 'propose', 'dry-run'])
  .describe(
    'auto commits the rollback (default; a breach below its approve_below level is proposed for a person instead), propose opens a pull request, dry-run decides only.',
  );

/** A route's floor: a notice goes to it only when what breached is at least this severe. */
const minSeverity = z
  .enum(['critical', 'high', 'medium', 'low'])
  .optional()
  .describe(
    'The least severity this route is told of (critical > high > medium > low; default low: everything). It routes who is told, never whether to roll back.',
  );

const notifier = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('slack').describe('A message to a Slack incoming webhook.'),
      webhook: httpUrl('https://hooks.slack.com/services/…').describe(
        'The incoming-webhook URL; write ${SLACK_WEBHOOK_URL}, never the secret itself.',
      ),
      min_severity: minSeverity,
    }),
    z.strictObject({
      type: z
        .literal('webhook')
        .describe('A JSON POST of the event (pinback.rollback, pinback.stranded…) to any URL.'),
      url: httpUrl('https://hooks.example.com/pinback').describe('The URL the event is posted to.'),
      headers: headers.optional(),
      min_severity: minSeverity,
    }),
    z.strictObject({
      type: z
        .literal('pagerduty')
        .describe(
          'A PagerDuty alert (Events API v2): triggered on a rollback and an escalation, one per rollback (dedup_key), resolved on recovery.',
        ),
      routing_key: z
        .string()
        .min(1, { error: 'the routing key is empty (is the variable it comes from set?)' })
        .describe(
          "The integration key of the PagerDuty service's Events API v2 integration; write ${PAGERDUTY_ROUTING_KEY}, never the secret itself.",
        ),
      url: httpUrl('https://events.eu.pagerduty.com/v2/enqueue')
        .optional()
        .describe(
          'The Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue; an EU account: https://events.eu.pagerduty.com/v2/enqueue).',
        ),
      min_severity: minSeverity,
    }),
    z.strictObject({
      type: z
        .literal('opsgenie')
        .describe(
          'An Opsgenie alert (Alert API): created on a rollback and an escalation, one per rollback (alias), closed on recovery.',
        ),
      api_key: z
        .string()
        .min(1, { error: 'the API key is empty (is the variable it comes from set?)' })
        .describe(
          'The key of an Opsgenie API integration (sent as GenieKey); write ${OPSGENIE_API_KEY}, never the secret itself.',
        ),
      region: z
        .enum(['us', 'eu'])
        .optional()
        .describe(
          'The Opsgenie region of the account: us (api.opsgenie.com, the default) or eu (api.eu.opsgenie.com).',
        ),
      url: httpUrl('https://api.eu.opsgenie.com')
        .optional()
        .describe("The Alert API base URL, instead of the region's (a proxy)."),
      min_severity: minSeverity,
    }),
  ],
  { error: 'type must be slack, webhook, pagerduty or opsgenie' },
);

const onRollback = z.strictObject({
  lock_candidate: z
    .boolean()
    .optional()
    .describe(
      'Lock the candidate in .pinback/locks/<service>.yaml so that no one pins it again (default true).',
    ),
  hold: z
    .array(hold)
    .optional()
    .describe('Image automation kept off the locked version, in the same commit as the rollback.'),
  kill_switch: killSwitch
    .optional()
    .describe('A flag set in the same commit as the rollback (e.g. writes disabled); exactly one locator.'),
  incident: z
    .strictObject({
      labels: z.array(z.string()).optional().describe("The incident issue's labels."),
      assignees: z.array(z.string()).optional().describe('GitHub users assigned to the incident issue.'),
      template: z
        .string()
        .min(1)
        .optional()
        .describe(
          "A Markdown file for the incident's body (from the CLI's working directory, the Action's workspace).",
        ),
      repo: z
        .string()
        .optional()
        .describe("owner/name where incidents are opened (default: the workflow's repository)."),
    })
    .optional()
    .describe('The incident opened for a rollback, an escalation or an alert.'),
  notify: z.array(notifier).optional().describe('Who is told of a rollback, an escalation or an alert.'),
  verify: z
    .strictObject({
      window: positiveDuration.describe(
        'How long the stable must pass the same triggers, e.g. 10m; else escalate.',
      ),
    })
    .optional()
    .describe(
      'After a rollback, judge the stable with the same triggers and escalate to a person when it fails.',
    ),
  fallback_depth: z
    .int()
    .min(1)
    .max(10)
    .optional()
    .describe('Rollbacks in a row allowed (default 1; 2: v2 -> v1 -> v0).'),
});

const shared = {
  provider: z
    .string()
    .optional()
    .describe(
      'The provider (a name under providers:) the triggers read from, unless a trigger names its own.',
    ),
  window: positiveDuration
    .optional()
    .describe('How far back a single query looks, {{window}} (default 10m).'),
  /** 0 is meaningful: no wait between rollbacks. */
  cooldown: duration
    .optional()
    .describe('No new automatic rollback of a service this soon after its last one (default 30m; 0s: none).'),
  guard_window: positiveDuration
    .optional()
    .describe('Judge a candidate only this long after its pin reached the branch (default 2h).'),
  /** How long a version must have stayed pinned to be chosen as the stable (default 5m; 0: any). */
  min_stable_age: duration
    .optional()
    .describe('How long a version must have stayed pinned to be chosen as the stable (default 5m; 0s: any).'),
  require: z
    .int()
    .min(1)
    .optional()
    .describe('How many triggers must breach for the decision stop (default 1).'),
  sustained: z
    .int()
    .min(1)
    .optional()
    .describe(
      'Single queries: the newest N samples must each breach (default 1). Counts: N-1 steps never stop (default 2).',
    ),
  on_no_data: noData
    .optional()
    .describe('What a trigger without data decides: inconclusive (default), allow or stop.'),
  aggregate: aggregation
    .optional()
    .describe("Single queries: how the window's samples become one value (default last)."),
  step: positiveDuration.optional().describe('The length of one step, {{step}} in queries (default 1m).'),
  confidence: confidence
    .optional()
    .describe(
      'A healthy candidate is rolled back with probability at most 1 - confidence over its guard window (default 99%).',
    ),
  approve_below: multiple
    .optional()
    .describe(
      "The clear-cut level of every trigger's max_increase that sets none: 5x commits at once a candidate shown at 5 times its stable or worse; a breach below it opens a proposal for a person to approve (mode: auto).",
    ),
  mode: mode.optional(),
  on_rollback: onRollback.optional().describe('What a rollback does besides reverting the pin.'),
};

const service = z.strictObject({
  ...shared,
  stage: z
    .string()
    .optional()
    .describe(
      'The deployment stage (default production): {{stage}} in queries, Rollback-Stage in the commit.',
    ),
  pin: pin
    .optional()
    .describe(
      "Where the service's version is pinned in the GitOps repository: a file and exactly one locator.",
    ),
  /** `auto` or a fixed version. */
  stable: version
    .optional()
    .describe(
      "The version to roll back to: auto (default: the pin's previous distinct, unlocked version) or a fixed one.",
    ),
  candidate: version.optional().describe('A fixed candidate version, to judge a service that has no pin.'),
  baseline: z
    .enum(['stable', 'before_deploy'])
    .optional()
    .describe(
      "What relative limits compare with: stable (default: the stable at the same steps) or before_deploy (the window before the candidate's pin).",
    ),
  owners: z
    .array(z.string())
    .optional()
    .describe('Mentioned when a rollback of this service is escalated, e.g. ["@acme/oncall"].'),
  barriers: barriers
    .optional()
    .describe(
      'Migration barriers: versions that ran a migration older versions may not serve. pinback never rolls back across one (it escalates to the owners instead), and stable: auto never chooses a version pinned before the newest one.',
    ),
  promote_from: name
    .optional()
    .describe(
      "The service of the previous stage this one's versions are promoted from: the promotion gate (pinback gate, mode: gate) judges a pull request's new version there, with that service's triggers. Overrides stages:.",
    ),
  triggers: named('trigger', trigger)
    .refine((t) => Object.keys(t).length > 0, {
      message: 'a service needs at least one trigger',
    })
    .describe('The checks that roll the service back, by name: each measures one thing against its limits.'),
});

const identity = z.strictObject({
  name: z.string().min(1).describe("The commit author's name."),
  email: z.string().min(3).describe("The commit author's email."),
});

export const fullForm = z
  .strictObject({
    $schema: schemaRef,
    version: z
      .literal(1, { error: 'the policy file format is version: 1' })
      .describe('The version of the policy file format: 1.'),
    gitops: z
      .strictObject({
        repo: z
          .string()
          .min(1)
          .optional()
          .describe(
            'owner/name (GitHub), a git URL or a local path; the Action input gitops-repo and --gitops override it.',
          ),
        branch: checked(branchProblem)
          .optional()
          .describe('The branch pinback reads the pins from and commits to (default: the default branch).'),
        author: identity
          .optional()
          .describe("The CLI's commit author (the Action commits as its token's identity)."),
        /** The commit authors (emails) whose rollback records are pinback's own; unset: not checked. */
        record_authors: z
          .array(z.string().min(3))
          .min(1)
          .optional()
          .describe(
            "Emails of pinback's own commit authors: a rollback record by anyone else is untrusted (unset: not checked).",
          ),
      })
      .optional()
      .describe('The GitOps repository that holds the version pins.'),
    providers: named('provider', provider)
      .optional()
      .describe('Metrics sources by name: file, prometheus, datadog or http.'),
    defaults: z
      .strictObject(shared)
      .optional()
      .describe('Settings every service takes unless it sets its own.'),
    owners: z
      .array(z.string())
      .optional()
      .describe(
        'Mentioned when a rollback is escalated, for services that name no owners, e.g. ["@acme/oncall"].',
      ),
    alerts: z
      .strictObject({
        service_labels: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe(
            "The labels (then annotations) of an alert whose value may name a service, tried in order; the first that names a service of this policy wins (default: service, app, app.kubernetes.io/name, app_kubernetes_io_name; an Argo CD Application's or a Flux object's own name is tried last).",
          ),
        aliases: z
          .record(z.string().min(1), name)
          .optional()
          .describe(
            'A value an alert gives -> the service of this policy it means, e.g. { checkout: checkout-api }.',
          ),
      })
      .optional()
      .describe(
        'How a repository_dispatch from Alertmanager, Grafana, Argo CD Notifications or Flux names the services to evaluate (docs/alerts.md).',
      ),
    doctor: doctorSchema.optional(),
    stages: z
      .array(z.string().min(1))
      .min(2, { error: 'stages: lists the promotion order, at least two stages (e.g. [canary, prod])' })
      .optional()
      .describe(
        "The promotion order, first to last, e.g. [dev, canary, prod]: the promotion gate judges a pin's new version on the service of the stage before that pins the same image or chart (same locator, file path differing only by the stage's name). promote_from: overrides it.",
      ),
    services: named('service', service)
      .refine((s) => Object.keys(s).length > 0, {
        message: 'at least one service',
      })
      .describe('The guarded services by name: their pins, triggers and what a rollback does.'),
  })
  .describe('The full form: services with pins, triggers and what a rollback does.');

export { LOCATOR_KEYS } from './pin-schema.js';
export { provider } from './provider-schema.js';
export { type SeedForm, seedForm } from './seed-schema.js';
export type { TriggerInput } from './trigger-schema.js';
export { duration } from './trigger-schema.js';
export type FullForm = z.output<typeof fullForm>;
export type ProviderConfig = z.output<typeof provider>;
export type ServiceInput = z.output<typeof service>;
export type OnRollbackInput = z.output<typeof onRollback>;
export type NotifierConfig = z.output<typeof notifier>;
