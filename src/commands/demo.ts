import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileOf } from '../history/locks.js';
import { parsePolicy } from '../config/load.js';
import { openGitStore } from '../gitops/git.js';
import { fileIncidentSink } from '../incident/file.js';
import { onceSink } from '../incident/sink.js';
import { fileProvider } from '../metrics/file.js';
import { humanLine } from '../report.js';
import { run } from '../reconcile/run.js';

const KUSTOMIZATION = (tag: string) => `# support-agent, deployed by Argo CD from this directory
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/acme/support-agent
    newTag: "${tag}" # bumped by CI on release
`;

const POLICY = `version: 1
gitops: { repo: ./gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics, step: 1m, confidence: 99%, cooldown: 30m }
services:
  support-agent:
    stage: canary
    pin: { file: apps/support-agent/kustomization.yaml, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    triggers:
      errors:        { ratio: {}, max_increase: 20%, slo: { objective: 99% }, reason: error_spike }
      tool_failures: { ratio: {}, max_increase: 20%, reason: error_spike }
    on_rollback:
      lock_candidate: true
      kill_switch: { file: apps/support-agent/flags.yaml, yaml_path: data.writes_disabled, value: "true" }
`;

/** How long ago 2.4.0 was deployed, and a step of the counts (a count at t is the minute up to t). */
const DEPLOYED_S_AGO = 600;
const STEP_S = 60;
/** When 2.4.0 degrades, in seconds after its deploy: what the demo says, and what its counts hold. */
const ONSET_S = 90;

/**
 * Bad events a minute among `total` requests, from the deploy on: a share `before` until ONSET_S,
 * `after` since, so the minute the degradation begins in is part one, part the other; `jitter` keeps
 * the counts from looking drawn with a ruler.
 */
function degrading(total: number, before: number, after: number, jitter: readonly number[]): number[] {
  return jitter.map((j, i) => {
    const bad = Math.min(1, Math.max(0, ((i + 1) * STEP_S - ONSET_S) / STEP_S));
    return Math.round(total * (before * (1 - bad) + after * bad)) + j;
  });
}

/**
 * Ten minutes of counts, a minute each, since the deploy: the candidate takes 10% of the traffic
 * (1,000 requests a minute beside the stable's 9,000) and degrades ONSET_S after its deploy.
 */
function metrics(now: number): string {
  const at = (i: number) => now - DEPLOYED_S_AGO + (i + 1) * STEP_S;
  const counts = (values: number[]) => values.map((v, i) => [at(i), v]);
  const parts = (bad: number[], total: number) => ({ bad: counts(bad), total: counts(bad.map(() => total)) });
  return JSON.stringify(
    {
      'support-agent': {
        '2.4.0': {
          errors: parts(degrading(1000, 0.005, 0.07, [-1, 0, -3, 1, 2, -4, 0, 4, -1, 1]), 1000),
          tool_failures: parts(degrading(1000, 0.01, 0.05, [-1, 1, 1, -3, 2, -1, 1, 0, 3, 2]), 1000),
        },
        '2.3.3': {
          errors: parts([44, 46, 43, 47, 45, 44, 48, 45, 43, 46], 9000),
          tool_failures: parts([91, 88, 90, 93, 89, 92, 90, 87, 91, 90], 9000),
        },
      },
    },
    null,
    2,
  );
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'ci-bot',
  GIT_AUTHOR_EMAIL: 'ci@acme.example',
  GIT_COMMITTER_NAME: 'ci-bot',
  GIT_COMMITTER_EMAIL: 'ci@acme.example',
};

/**
 * The README's first command: a temp GitOps repo with a stable and a bad candidate, realistic
 * metrics, one rollback with its trailers, lock, kill switch and incident, then the idempotent re-run.
 */
export async function demo(out: NodeJS.WritableStream): Promise<number> {
  const say = (s = '') => out.write(`${s}\n`);
  const root = mkdtempSync(join(tmpdir(), 'pinback-demo-'));
  const repo = join(root, 'gitops');
  const git = (args: string[], env: Record<string, string> = {}) =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...IDENTITY, ...env } });
  const now = Math.floor(Date.now() / 1000);
  const commitAt = (seconds: number, message: string) => {
    const date = `@${seconds} +0000`;
    git(['add', '-A']);
    git(['commit', '-q', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  };

  mkdirSync(join(repo, 'apps', 'support-agent'), { recursive: true });
  git(['init', '-q', '-b', 'main']);
  writeFileSync(join(repo, 'apps/support-agent/kustomization.yaml'), KUSTOMIZATION('2.3.3'));
  writeFileSync(
    join(repo, 'apps/support-agent/flags.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: support-agent-flags }\ndata:\n  writes_disabled: "false"\n',
  );
  commitAt(now - 3 * 86_400, 'deploy support-agent 2.3.3');
  writeFileSync(join(repo, 'apps/support-agent/kustomization.yaml'), KUSTOMIZATION('2.4.0'));
  commitAt(now - DEPLOYED_S_AGO, 'deploy support-agent 2.4.0');
  writeFileSync(join(root, 'pinback.yml'), POLICY);
  writeFileSync(join(root, 'metrics.json'), metrics(now));

  say(`pinback demo in ${root}`);
  say('  gitops/      a GitOps repo: support-agent pinned to 2.3.3 three days ago, to 2.4.0 ten minutes ago');
  say(`  metrics.json counts a minute: 2.4.0 (10% of the traffic) degrades ${ONSET_S} s after its deploy:`);
  say('               errors 0.5% -> 7%, tool failures 1% -> 5%; the stable 2.3.3 stays at 0.5% and 1%');
  say("  pinback.yml  stop when the errors are shown worse than the stable's by over 20% at the same");
  say('               minutes (99% confidence over the whole guard window); lock it; flip the kill switch');
  say();

  const policyFile = join(root, 'pinback.yml');
  const policy = parsePolicy(POLICY, policyFile, {});
  const incidentDir = join(root, 'incidents');
  const once = async () => {
    const store = await openGitStore({ target: repo, branch: 'main' });
    try {
      return await run(
        policy.services,
        {
          store,
          providers: new Map([['metrics', fileProvider(join(root, 'metrics.json'))]]),
          incidents: onceSink(fileIncidentSink(incidentDir, async () => undefined)),
          now: () => new Date(),
        },
        {
          policyFile: 'pinback.yml',
          policyDigest: policy.digest,
          actor: 'pinback demo',
          runUrl: undefined,
          author: { name: 'pinback', email: 'pinback@users.noreply.github.com' },
          mode: undefined,
        },
      );
    } finally {
      await store.close();
    }
  };

  say('$ pinback run -c pinback.yml --incident-dir incidents');
  const first = await once();
  for (const s of first.report.services) say(humanLine(s));
  for (const f of first.failures) say(`failed: ${f.message}`);
  if (first.failures.length) return 1;
  say();
  say('The rollback commit (git log -1):');
  say(git(['log', '-1', '--format=%H%n%an <%ae>%n%n%B']).trimEnd().replace(/^/gm, '    '));
  say();
  say('What it changed (git show --stat):');
  say(git(['show', '--format=', '--stat', 'HEAD']).trimEnd().replace(/^/gm, '    '));
  say(
    git(['show', '--format=', 'HEAD', '--', 'apps/support-agent/kustomization.yaml'])
      .trimEnd()
      .replace(/^/gm, '    '),
  );
  say();
  say(`The lock (${lockFileOf('support-agent')}):`);
  say(
    readFileSync(join(repo, lockFileOf('support-agent')), 'utf8')
      .trimEnd()
      .replace(/^/gm, '    '),
  );
  say();
  const incident = readdirSync(incidentDir)[0]!;
  say(`The incident (incidents/${incident}):`);
  say(
    readFileSync(join(incidentDir, incident), 'utf8')
      .split('\n')
      .slice(0, 28)
      .join('\n')
      .replace(/^/gm, '    '),
  );
  say('    ...');
  say();
  const commits = git(['rev-list', '--count', 'HEAD']).trim();
  say('$ pinback run -c pinback.yml --incident-dir incidents    # the same signal again');
  const second = await once();
  for (const s of second.report.services) say(humanLine(s));
  say(
    `commits before: ${commits}, after: ${git(['rev-list', '--count', 'HEAD']).trim()} (one rollback, however often the signal repeats)`,
  );
  say();
  say(`Look around: cd ${root}`);
  return 0;
}
