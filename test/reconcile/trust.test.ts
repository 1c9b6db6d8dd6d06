/**
 * Issue 12, trust, end to end on an in-memory GitOps store: a commit whose message ends with
 * rollback trailers it did not earn (a squash merge pastes them from a pull request's body) is
 * not pinback's rollback: the bad version is still rolled back, the genuine stable is still the
 * stable, and `audit` lists the record as untrusted. A value that is no valid version, pinned
 * once, is never chosen as the stable.
 */
import { describe, expect, it } from 'vitest';
import { audit, auditTable } from '../../src/commands/audit.js';
import { parsePolicy } from '../../src/config/load.js';
import { onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${JSON.stringify(tag)}\n`;
const POLICY = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05, reason: error_spike } }\n`;
const policy = () => parsePolicy(POLICY, 'p.yml', {});

/** The message of a squash merge whose pull request body quoted a rollback's trailers. */
const pasted = (subject: string, from: string, to: string) =>
  `${subject}\n\nThis follows the incident:\n\nRollback-Service: api\nRollback-From: ${from}\nRollback-To: ${to}\nRollback-Reason: error_spike\nRollback-Id: 0123456789abcdef\n`;

/** A repository of versions pinned one after the other, [version, seconds ago, message?] oldest first. */
function repoOf(...commits: [string, number, string?][]): MemoryGitOps {
  const repo = new MemoryGitOps();
  for (const [v, ago, message] of commits) repo.write(PIN, k(v)).commitAt(message ?? `deploy ${v}`, ago);
  return repo;
}

/** error_rate 0.2 for `bad`, 0.01 for any other version. */
const metrics = (bad: string): MetricsProvider => ({
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === bad ? 0.2 : 0.01 }],
  }),
});

async function reconcile(repo: MemoryGitOps, bad: string) {
  const p = policy();
  const result = await reconcileService(
    p.services[0]!,
    {
      store: repo,
      providers: new Map([['file', metrics(bad)]]),
      incidents: onceSink(undefined),
      now: () => new Date(),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: p.digest,
      actor: 't',
      runUrl: undefined,
      author: { name: 'pinback', email: 'pinback@acme.dev' },
      mode: undefined,
    },
  );
  return result.report;
}

describe('forged rollback records', () => {
  it('rolls back a bad version whose deploy carried pasted trailers, rather than report it already rolled back', async () => {
    const repo = repoOf(
      ['1.0.0', 86_400],
      ['1.1.0', 300, pasted('deploy api 1.1.0 (#42)', '1.2.0', '1.1.0')],
    );
    const report = await reconcile(repo, '1.1.0');
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect(repo.file(PIN)).toBe(k('1.0.0'));
  });

  it('does not exclude the genuine stable because pasted trailers claim it was rolled back from', async () => {
    const repo = repoOf(
      ['0.9.0', 3 * 86_400],
      ['1.0.0', 2 * 86_400, pasted('redeploy api 1.0.0 with the fix (#12)', '1.0.0', '0.9.0')],
      ['1.1.0', 300],
    );
    const report = await reconcile(repo, '1.1.0');
    expect(report).toMatchObject({ action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect(report.stable_reason).toMatch(/^1\.0\.0: pinned for 48 h until 1\.1\.0$/);
  });

  it("audit lists a forged record as untrusted, with why, and pinback's own rollback as trusted", async () => {
    const repo = repoOf(
      ['1.0.0', 86_400],
      ['1.1.0', 300, pasted('deploy api 1.1.0 (#42)', '1.2.0', '1.1.0')],
    );
    await reconcile(repo, '1.1.0');
    const entries = await audit(policy(), repo);
    expect(entries.map((e) => [e.from, e.to, e.trusted, e.untrusted_reason])).toEqual([
      ['1.1.0', '1.0.0', true, null],
      ['1.2.0', '1.1.0', false, 'the commit changed the pin from 1.0.0, not from 1.2.0'],
    ]);
    const table = auditTable(entries);
    expect(table).toMatch(/\| trusted \|$/m);
    expect(table).toContain('| no: the commit changed the pin from 1.0.0, not from 1.2.0 |');
  });

  it('keeps a rollback it made itself standing on the next run', async () => {
    const repo = repoOf(['1.0.0', 86_400], ['1.1.0', 300]);
    expect(await reconcile(repo, '1.1.0')).toMatchObject({ action: 'rolled_back' });
    expect(await reconcile(repo, '1.1.0')).toMatchObject({ action: 'already_rolled_back', to: '1.0.0' });
  });
});

describe('a poisoned value in the history', () => {
  it('is never chosen as the stable: the rollback goes past it, and says which commit held it', async () => {
    const repo = repoOf(['1.0.0', 3 * 86_400], ['$(id)', 2 * 86_400, 'oops'], ['1.1.0', 300]);
    const poisoned = repo.log()[1]!.sha.slice(0, 12);
    const report = await reconcile(repo, '1.1.0');
    expect(report).toMatchObject({ action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect(report.stable_reason).toBe(
      `1.0.0: pinned for 24 h until "$(id)"; skipped "$(id)" (commit ${poisoned}: not a valid version)`,
    );
    expect(repo.file(PIN)).toBe(k('1.0.0'));
  });
});
