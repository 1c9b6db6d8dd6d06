/** Every option the CLI knows; each command accepts the subset its usage lists (usage.ts). */
export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  gitops: { type: 'string' },
  branch: { type: 'string' },
  'metrics-file': { type: 'string' },
  'incident-dir': { type: 'string' },
  'decision-log': { type: 'string' },
  mode: { type: 'string' },
  candidate: { type: 'string' },
  stable: { type: 'string' },
  service: { type: 'string', multiple: true },
  shard: { type: 'string' },
  watch: { type: 'string' },
  interval: { type: 'string' },
  series: { type: 'string' },
  since: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  step: { type: 'string' },
  out: { type: 'string', short: 'o' },
  arg: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  'fail-on-no-data': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** The policy file read when `-c` is not given. */
export const DEFAULT_CONFIG = '.github/pinback.yml';

/** How an option is shown in a command's help: its value's name, and one line on what it does. */
export const OPTION_HELP: Record<OptionName, { value?: string; text: string }> = {
  config: { value: 'FILE', text: `the policy file (default ${DEFAULT_CONFIG})` },
  gitops: {
    value: 'PATH|URL',
    text: 'the GitOps repository: a local path or any git URL (default: gitops.repo in the policy)',
  },
  branch: {
    value: 'B',
    text: "the branch to read (default: gitops.branch in the policy, else the repository's)",
  },
  'metrics-file': {
    value: 'F',
    text: "read every trigger from this JSON file instead of the policy's providers",
  },
  'incident-dir': { value: 'DIR', text: 'write one Markdown incident per rollback into DIR' },
  'decision-log': {
    value: 'FILE',
    text: 'append every judgement (allow too) to FILE as JSON lines; a verdict that stands is not written twice',
  },
  mode: {
    value: 'auto|dry-run',
    text: "override every service's mode; dry-run decides and writes nothing (propose needs the Action)",
  },
  candidate: { value: 'V', text: 'the candidate version to judge' },
  stable: { value: 'V', text: 'the stable version to compare it with' },
  service: {
    value: 'S',
    text: 'only this service, or the services a glob picks (api-*, web-{eu,us}); repeat for more (default: every service)',
  },
  shard: {
    value: 'K/N',
    text: 'only the K-th of N shards of the chosen services (by a hash of each name; for a CI matrix)',
  },
  watch: {
    value: 'DURATION',
    text: 'keep evaluating for this long (e.g. 15m); a breach is acted on within one interval',
  },
  interval: { value: 'DURATION', text: 'time between two evaluations of --watch (default 1m)' },
  series: { value: 'FILE', text: 'recorded deploys and their series (instead of --gitops)' },
  since: {
    value: 'TIME',
    text: "the candidate's deploy, unix seconds or ISO 8601: count-aware triggers are read from then on",
  },
  step: { value: 'DURATION', text: 'how often the replayed schedule judges (default 1m)' },
  base: {
    value: 'REF',
    text: "the target branch or commit (origin/main): the earlier stages' pins and history are read there",
  },
  head: { value: 'REF', text: 'the change: a branch or commit whose pins are compared with --base (HEAD)' },
  out: { value: 'FILE', text: 'write the policy to FILE instead of stdout' },
  arg: {
    value: 'NAME=VALUE',
    text: 'a value for a template argument or variable ({{args.NAME}}, {{ target }}); VALUE may be {{service}} or {{version}}; repeat for more',
  },
  json: { text: 'print one JSON object instead of lines for people' },
  'fail-on-no-data': {
    text: 'exit 1 when a service had no data for any trigger (a guard that cannot see); warnings are printed either way',
  },
  help: { text: 'show this help' },
  version: { text: 'print the version' },
};
