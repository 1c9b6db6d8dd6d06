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
  /** What the command takes besides options (`FILE...`); without it, a stray argument is refused. */
  operands?: string;
}

export const COMMANDS = {
  run: {
    summary: "judge each service's candidate from its pin and commit the rollback on stop",
    synopsis: [
      '[-c FILE] [--gitops PATH|URL] [--branch B] [--metrics-file F]',
      '[--service S]... [--shard K/N] [--mode auto|dry-run] [--incident-dir DIR] [--decision-log FILE] [--json]',
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
      'decision-log',
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
  gate: {
    summary: 'judge a promotion: each pin --head changes, judged where its version already runs',
    synopsis: ['--base REF --head REF [-c FILE] [--gitops PATH] [--metrics-file F] [--json]'],
    about:
      'The promotion gate, on a local git repository. For each pin that --head sets to another version\n' +
      "than --base, finds the earlier stage that runs it (the service's promote_from:, or the policy's\n" +
      "stages: order) and judges it there with that service's triggers, as pinback run would (minimum\n" +
      'evidence included); also fails a pin that names a locked version, as pinback check does. Reads\n' +
      'only: no ref, file or work tree moves. Exit 0 allow, 1 stop (or a locked version), 3 not enough\n' +
      'evidence yet (the output says when to retry).',
    options: ['base', 'head', 'config', 'gitops', 'metrics-file', 'json'],
    explain: {
      gitops:
        'the local repository --base and --head are read in (default: gitops.repo when it is a path, else the current directory)',
    },
  },
  doctor: {
    summary: 'check each service is ready for production: a checklist with a score; never writes',
    synopsis: [
      '[-c FILE] [--gitops PATH|URL [--branch B]] [--metrics-file F]',
      '[--service S]... [--shard K/N] [--json]',
    ],
    about:
      'The readiness self-check. Per service: a stable to return to, unlocked; the candidate lock; a\n' +
      'kill switch; recovery verification; owners; a notification route for critical; the minimum\n' +
      "evidence reachable at current traffic (asked of the policy's providers); write access. Prints a\n" +
      'checklist with a score (6/8) and the policy key to set for each missing item; exits 1 when a\n' +
      "service falls short of the policy's doctor: { require: [...], min_score: N }. Without --gitops\n" +
      '(or gitops.repo) the stable is "not checked"; a metric that cannot be queried is "could not check".',
    options: ['config', 'gitops', 'branch', 'metrics-file', 'service', 'shard', 'json'],
    explain: {
      gitops: 'read the pins, their history, the locks and the kill switch from this repository (read only)',
      'metrics-file': "read each trigger's traffic from this JSON file instead of the policy's providers",
    },
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
  import: {
    summary: 'translate Argo Rollouts AnalysisTemplates and Flagger MetricTemplates into pinback triggers',
    synopsis: ['FILE... [--service S] [--arg NAME=VALUE]... [-o FILE]'],
    operands: 'FILE...',
    about:
      'Reads AnalysisTemplates, ClusterAnalysisTemplates and Rollouts (Argo Rollouts), MetricTemplates and\n' +
      'Canaries (Flagger), and writes a policy with their providers and triggers (prometheus, datadog, web)\n' +
      'that pinback loads as it is. Each field it could not translate, or translated with a difference,\n' +
      'is listed on stderr at its FILE:LINE:COL with the reason. Exit 0 when something was translated,\n' +
      '1 when nothing was, 2 for a usage error or a file that is not YAML (nothing written).',
    options: ['service', 'arg', 'out'],
    explain: {
      service:
        "the service the Argo Rollouts triggers go under (default: the Rollout's name, else imported); with one Canary, its service's name",
    },
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
  "Exit codes: 0 completed, 1 an operation failed, the check gate is closed, gate says stop or doctor's minimum is not met, 2 usage or policy-file error, 3 gate: not enough evidence yet.";

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
