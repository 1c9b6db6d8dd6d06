/**
 * `pinback doctor`: the readiness checklist of each selected service. The GitOps repository is read
 * where one is given (`--gitops`, else `gitops.repo`); one that cannot be opened makes the checks
 * that need it "not checked", with why, rather than failing the command.
 */
import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { doctor } from '../commands/doctor.js';
import { branchProblem } from '../config/branch.js';
import { UsageError } from '../config/errors.js';
import type { Policy } from '../config/policy.js';
import type { Selection } from '../config/select.js';
import { doctorReport } from '../doctor/readiness.js';
import { doctorText } from '../doctor/render.js';
import type { Access, AccessNeed } from '../doctor/token-check.js';
import { openCliStore } from '../gitops/open.js';
import type { GitOpsStore } from '../gitops/store.js';
import { classifyTarget, type Target } from '../gitops/target.js';
import { providersFor } from '../metrics/registry.js';
import type { Values } from './args.js';

/** A provider that does not answer within this long is "could not check", not a hung doctor. */
const QUERY_BUDGET_MS = 60_000;

/** The CLI writes with git: a local repository must be writable; a remote's push rights are not asked. */
async function cliAccess(target: Target | undefined, path: string | undefined): Promise<Access> {
  if (target === undefined)
    return {
      kind: 'unknown',
      reason: 'no GitOps repository given (--gitops PATH|URL or gitops.repo)',
      advice: 'pass --gitops PATH to check that the local repository is writable',
    };
  switch (target.kind) {
    case 'local': {
      const writable = await access(path!, constants.W_OK).then(
        () => true,
        () => false,
      );
      return { kind: 'local', path: path!, writable };
    }
    case 'remote':
      return {
        kind: 'unknown',
        reason: `pushes to ${target.url} go with your git credentials, which doctor does not try`,
        advice: `git push --dry-run ${target.url} HEAD tells whether your credentials may push`,
      };
    case 'github':
      return {
        kind: 'unknown',
        reason: `${target.repo} is written with the Action's token`,
        advice: 'run the Action with mode: doctor to check its token',
      };
  }
}

export async function doctorCommand(
  policy: Policy,
  v: Values,
  selection: Selection,
  empty: string | undefined,
): Promise<number> {
  if (v.branch !== undefined && v.gitops === undefined && policy.gitops?.repo === undefined)
    throw new UsageError('--branch names the branch of --gitops: pass --gitops PATH|URL too');
  const problem = v.branch === undefined ? undefined : branchProblem(v.branch);
  if (problem) throw new UsageError(`--branch ${JSON.stringify(v.branch)}: ${problem}`);
  if (empty !== undefined) {
    const none = doctorReport([], policy.doctor);
    process.stdout.write(`${v.json ? JSON.stringify(none, null, 2) : empty}\n`);
    return 0;
  }
  const given = v.gitops ?? policy.gitops?.repo;
  // A relative gitops path in the policy is relative to the policy file, like every other path in it.
  const path =
    given !== undefined && v.gitops === undefined && /^\.{1,2}\//.test(given)
      ? resolve(dirname(policy.file), given)
      : given;
  const target = path === undefined ? undefined : classifyTarget(path, existsSync);
  let store: GitOpsStore | undefined;
  let unread = 'no GitOps repository given (--gitops PATH|URL, or gitops.repo in the policy)';
  if (path !== undefined) {
    try {
      store = await openCliStore(path, v.branch ?? policy.gitops?.branch);
    } catch (e) {
      unread = (e as Error).message;
      process.stderr.write(`pinback: warning: the GitOps repository was not read: ${unread}\n`);
    }
  }
  const writes: Promise<Access> = cliAccess(target, target?.kind === 'local' ? resolve(path!) : undefined);
  try {
    const report = await doctor(policy, {
      store,
      unread,
      providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
      now: new Date(),
      // Incidents go to files or nowhere in the CLI: only the GitOps repository is written.
      access: async (): Promise<AccessNeed[]> => [{ access: await writes, needs: ['contents'] }],
      selection,
      signal: AbortSignal.timeout(QUERY_BUDGET_MS),
    });
    process.stdout.write(`${v.json ? JSON.stringify(report, null, 2) : doctorText(report)}\n`);
    // A metric that could not be queried is said loudly, wherever the output goes.
    for (const s of report.services)
      for (const c of s.checks)
        if (c.check === 'min_evidence' && c.status === 'not_checked')
          process.stderr.write(`pinback: warning: ${s.service}: ${c.detail}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await store?.close();
  }
}
