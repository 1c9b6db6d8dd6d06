import { DEFAULT_CONFIG, OPTION_HELP, OPTIONS, type OptionName } from './options.js';
import { VERSION } from './version.js';

export interface CommandSpec {
  /** One line in the command list of `pinback --help`. */
  summary: string;
  /** What follows `pinback <command>` in its usage line. */
  synopsis: readonly string[];
  /** A paragraph on what the command does. */
  about: string;
  /** The options it accepts, in the order its help lists them (`--help` and `--version` go with every command). */
  options: readonly OptionName[];
  /** Where an option means something particular for this command. */
  explain?: Partial<Record<OptionName, string>>;
}

export const COMMANDS = {
  run: {
    summary: "judge each service's candidate from its pin and commit the rollback on stop",
    synopsis: [
      '[-c FILE] [--gitops PATH|URL] [--branch B] [--metrics-file F]',
      '[--service S]... [--shard K/N] [--mode auto|dry-run] [--incident-dir DIR] [--json]',
      '[--watch DURATION [--interval DURATION]] [--fail-on-no-data]',
    ],
    about:
      "Reads each service's pin and its git history, judges the candidate against the stable from the\n" +
      "policy's metrics, and on stop commits the rollback (the pin, the lock file, the kill switch) in\n" +
      'one commit per service. A push that loses a race re-reads, re-decides and retries.',
    options: [
      'config',
      'gitops',
      'branch',
      'metrics-file',
      'service',
      'shard',
      'mode',
      'incident-dir',
      'json',
      'watch',
      'interval',
      'fail-on-no-data',
    ],
  },
  evaluate: {
    summary: 'judge candidates from the metrics only; never writes',
    synopsis: [
      '[-c FILE] [--gitops PATH|URL [--branch B]] [--metrics-file F]',
      '[--candidate V] [--stable V] [--since TIME] [--service S]... [--shard K/N] [--json]',
    ],
    about:
      "Decisions only: no lock, no commit. With --gitops it reads each service's candidate, stable and\n" +
      'pin commit from the pins and judges them as `pinback run` would now (the candidate since its pin\n' +
      'commit; after a rollback, the stable alone). Without it, the versions come from --candidate and\n' +
      '--stable, or from the policy.',
    options: [
      'config',
      'gitops',
      'branch',
      'metrics-file',
      'candidate',
      'stable',
      'since',
      'service',
      'shard',
      'json',
    ],
    explain: {
      gitops: "read each service's candidate, stable and pin commit from this repository (read only)",
      branch: "the branch whose pins are read (default: gitops.branch in the policy, else the repository's)",
      candidate: 'the candidate version to judge (overrides the pin and the policy)',
      stable: "the stable version to compare it with (overrides the pin's history and the policy)",
      since: "the candidate's deploy, unix seconds or ISO 8601 (overrides the pin commit's time)",
    },
  },
  audit: {
    summary: "list the rollbacks recorded in the trailers of the GitOps repository's commits",
    synopsis: ['[-c FILE] [--gitops PATH|URL] [--branch B] [--service S]... [--json]'],
    about:
      "Reads the rollback history back from the trailers of pinback's commits, newest first. The\n" +
      'trailers carry everything (service, versions, reason, id), so no policy file is needed: with\n' +
      `--gitops alone (and no ${DEFAULT_CONFIG}) it reads the commits that changed .pinback/locks/ (or .pinback/locks.yaml),\n` +
      "which every rollback that locks its candidate does. With a policy it reads each pin's history.",
    options: ['config', 'gitops', 'branch', 'service', 'json'],
    explain: {
      config: `the policy file; when not given, ${DEFAULT_CONFIG} if it exists, else none is needed`,
      gitops: 'the GitOps repository: a local path or any git URL (default: gitops.repo in the policy)',
      service:
        "only this service's rollbacks, or those of the services a glob picks (api-*); repeat for more (default: every service)",
    },
  },
  check: {
    summary: 'exit 1 when a pin names a locked version (the gate for promotion pull requests)',
    synopsis: ['[-c FILE] [--gitops PATH|URL] [--branch B] [--service S]... [--shard K/N]'],
    about:
      "Reads every pin and its service's locks (.pinback/locks/<service>.yaml, and the older\n" +
      '.pinback/locks.yaml); exits 1 and names the file, line and column of each\n' +
      'pin that names a version pinback rolled back and locked.',
    options: ['config', 'gitops', 'branch', 'service', 'shard'],
  },
  backtest: {
    summary: 'replay the policy over recorded deploys; never writes',
    synopsis: [
      '[-c FILE] (--series FILE | --gitops PATH|URL [--branch B] [--metrics-file F])',
      '[--service S]... [--shard K/N] [--step DURATION] [--json]',
    ],
    about:
      'Says, per deploy, what a schedule judging every --step would have decided, and when it would\n' +
      "first have rolled back. Deploys come from a series file, or from the pins' git history with the\n" +
      "policy's metrics providers.",
    options: ['config', 'series', 'gitops', 'branch', 'metrics-file', 'service', 'shard', 'step', 'json'],
    explain: { gitops: "read the deploys from the pins' git history in this repository" },
  },
  demo: {
    summary: 'a self-contained walk-through in a temporary repository',
    synopsis: [],
    about:
      'Builds a temporary GitOps repository and metrics where a candidate degrades, rolls it back with\n' +
      'pinback run, and shows the commit, the lock and the incident. Needs nothing but git.',
    options: [],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export const EXIT_CODES =
  'Exit codes: 0 completed, 1 an operation failed or the check gate is closed, 2 usage or policy-file error.';

/** `-c, --config FILE` for an option's first column. */
function flagOf(name: OptionName): string {
  const o = OPTIONS[name];
  const short = 'short' in o ? `-${o.short}, ` : '    ';
  const value = OPTION_HELP[name].value;
  return `${short}--${name}${value ? ` ${value}` : ''}`;
}

function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join('\n');
}

/** `pinback --help`: the commands, one line each. */
export function globalUsage(): string {
  return [
    `pinback ${VERSION}: GitOps rollback reconciler`,
    '',
    'Usage: pinback <command> [options]',
    '',
    'Commands:',
    columns(COMMAND_NAMES.map((c) => [c, COMMANDS[c].summary])),
    '',
    'Options:',
    columns((['help', 'version'] as const).map((o) => [flagOf(o), OPTION_HELP[o].text])),
    '',
    'Run `pinback <command> --help` (or `pinback help <command>`) for the options of a command.',
    '',
    EXIT_CODES,
  ].join('\n');
}

/** `pinback <command> --help`: its usage line, what it does, and each option explained. */
export function commandUsage(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const lead = `Usage: pinback ${command}`;
  const synopsis = spec.synopsis.length
    ? spec.synopsis.map((l, i) => (i === 0 ? `${lead} ${l}` : `${' '.repeat(lead.length)} ${l}`)).join('\n')
    : lead;
  const names: OptionName[] = [...spec.options, 'help'];
  return [
    synopsis,
    '',
    spec.about,
    '',
    'Options:',
    columns(names.map((o) => [flagOf(o), spec.explain?.[o] ?? OPTION_HELP[o].text])),
    '',
    EXIT_CODES,
  ].join('\n');
}
