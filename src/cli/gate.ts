/**
 * `pinback gate --base REF --head REF`: the promotion gate on a local git repository. Both sides are
 * read at their commits (nothing in the repository moves); the earlier stages' pins and history at
 * the base. Exit 0 allow, 1 stop (or a locked version), 3 not enough evidence yet (retry later).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gate } from '../commands/gate.js';
import { UsageError } from '../config/errors.js';
import type { Policy } from '../config/policy.js';
import { gateText } from '../gate/render.js';
import type { GateReport } from '../gate/report.js';
import { openCommitStore } from '../gitops/at-commit.js';
import { createGit } from '../gitops/git-command.js';
import { classifyTarget } from '../gitops/target.js';
import { providersFor } from '../metrics/registry.js';
import type { Values } from './args.js';
import { using } from './store.js';

/** The exit status of each state of the gate (docs/DESIGN.md, "CLI"). */
export const GATE_EXIT = { success: 0, failure: 1, pending: 3 } as const;

/** The repository both refs name: --gitops, else gitops.repo where it is a local path, else here. */
function repositoryOf(policy: Policy, v: Values): string {
  if (v.gitops !== undefined) {
    if (classifyTarget(v.gitops, existsSync).kind !== 'local')
      throw new UsageError(
        `--gitops ${v.gitops}: pinback gate reads --base and --head in a local repository; clone it and pass its path`,
      );
    return resolve(v.gitops);
  }
  const repo = policy.gitops?.repo;
  if (repo !== undefined && classifyTarget(repo, existsSync).kind === 'local') {
    // A relative path in the policy is relative to the policy file, like every path in it.
    return /^\.{1,2}\//.test(repo) ? resolve(dirname(policy.file), repo) : resolve(repo);
  }
  return process.cwd();
}

/**
 * Where --head branched off --base, as `git diff base...head` compares them; undefined where the
 * two share no history (or either is unknown: opening the stores says which).
 */
async function mergeBase(path: string, base: string, head: string): Promise<string | undefined> {
  if (base.startsWith('-') || head.startsWith('-')) return undefined;
  const r = await createGit().run(['merge-base', '--', base, head], { cwd: path });
  const sha = r.stdout.toString().trim();
  return r.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

export async function gateCommand(policy: Policy, v: Values): Promise<number> {
  if (v.base === undefined || v.head === undefined) {
    throw new UsageError(
      `pinback gate needs --base REF (the target branch) and --head REF (the change), e.g. --base origin/main --head HEAD`,
    );
  }
  const path = repositoryOf(policy, v);
  const warn = (m: string) => process.stderr.write(`pinback: warning: ${m}\n`);
  const sides = { baseName: v.base, headName: v.head };
  const options = {
    providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
    now: new Date(),
  };
  const fork = await mergeBase(path, sides.baseName, sides.headName);
  const report: GateReport = await using(
    await openCommitStore({ path, ref: sides.baseName, onWarning: warn }),
    async (base) =>
      using(await openCommitStore({ path, ref: sides.headName, onWarning: warn }), async (head) =>
        fork === undefined
          ? gate(policy, { ...sides, base, head }, options)
          : using(await openCommitStore({ path, ref: fork, onWarning: warn }), (forkPoint) =>
              gate(policy, { ...sides, base, head, forkPoint }, options),
            ),
      ),
  );
  process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : `${gateText(report)}\n`);
  return GATE_EXIT[report.state];
}
