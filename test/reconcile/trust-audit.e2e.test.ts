/**
 * Issue 12, trust, in `audit` on a real git repository: without a policy the pin is unknown, so a
 * record read from the lock files' history is trusted when its commit added the lock its id names;
 * with a policy, when it checks out against the pin's history. Records that do not are listed as
 * untrusted, with why.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { audit, auditRepository } from '../../src/commands/audit.js';
import { parsePolicy } from '../../src/config/load.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { GitOpsStore } from '../../src/gitops/store.js';
import { addLock, lockFileOf } from '../../src/history/locks.js';
import { rollbackId, rollbackMessage } from '../../src/history/trailers.js';
import { initRepo, removeTempDirs, tempDir } from '../support/git.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const POLICY = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n`;
const NOW = Math.floor(Date.now() / 1000);

const opened: GitOpsStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(removeTempDirs);

const lock = (version: string, id: string) => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-12-02T12:00:00Z',
  rollback_id: id,
});

describe('audit of a repository with forged rollback records', () => {
  it('lists them as untrusted, with why, with and without the policy', async () => {
    const repo = await initRepo();
    await repo.commit('deploy api 1.0.0', { files: { [PIN]: k('1.0.0') }, time: NOW - 3 * 86_400 });
    const deploy = await repo.commit('deploy api 1.1.0', {
      files: { [PIN]: k('1.1.0') },
      time: NOW - 2 * 86_400,
    });
    const id = rollbackId('api', '1.1.0', '1.0.0', deploy);
    const message = rollbackMessage(
      {
        service: 'api',
        from: '1.1.0',
        to: '1.0.0',
        reason: 'error_spike',
        stage: 'prod',
        evidence: [],
        policy: 'sha256:0',
        actor: 'pinback run',
        run: undefined,
        id,
      },
      'error_rate breached.',
    );
    const locked = addLock(null, 'api', lock('1.1.0', id));
    const rolledBack = await repo.commit(message, {
      files: { [PIN]: k('1.0.0'), [lockFileOf('api')]: locked },
      time: NOW - 86_400,
    });
    // A squash merge of a person's pull request whose body quoted the rollback's message.
    const quoted = await repo.commit(`docs: explain the lock (#12)\n\n${message}`, {
      files: { [lockFileOf('api')]: `# see the incident\n${locked}` },
      time: NOW - 3600,
    });
    // A lock of web written by hand, with trailers that claim a rollback of api.
    const elsewhere = await repo.commit(
      `lock web by hand (#13)\n\nRollback-Service: api\nRollback-From: 1.2.0\nRollback-To: 1.1.0\nRollback-Id: 0123456789abcdef\n`,
      {
        files: { [lockFileOf('web')]: addLock(null, 'web', lock('2.0.0', '0123456789abcdef')) },
        time: NOW - 60,
      },
    );
    const store = await openGitStore({ workDir: await tempDir('pinback-work-'), target: repo.dir });
    opened.push(store);

    const without = await auditRepository(store);
    expect(without.map((e) => [e.commit, e.trusted, e.untrusted_reason])).toEqual([
      [elsewhere, false, `the commit changed no lock of api in ${lockFileOf('api')}`],
      [
        quoted,
        false,
        `the lock of api 1.1.0 under rollback ${id} was in ${lockFileOf('api')} before the commit`,
      ],
      [rolledBack, true, null],
    ]);

    // With the policy, the pin's history: only the rollback changed the pin, and it checks out.
    const withPolicy = await audit(parsePolicy(POLICY, 'p.yml', {}), store);
    expect(withPolicy).toEqual([without[2]]);

    // With `gitops.record_authors`, a record must also be authored by pinback: this repository's
    // commits are all by the test author, so the rollback that checks out otherwise is not trusted.
    const strict = `version: 1\ngitops:\n  record_authors: [pinback@example.test]\n${POLICY.slice('version: 1\n'.length)}`;
    const byOthers = await audit(parsePolicy(strict, 'p.yml', {}), store);
    expect(byOthers.map((e) => [e.commit, e.trusted, e.untrusted_reason])).toEqual([
      [
        rolledBack,
        false,
        'authored by Test Author <author@example.test>, not by pinback (gitops.record_authors: <pinback@example.test>)',
      ],
    ]);
    const ours = `version: 1\ngitops:\n  record_authors: [pinback@example.test, AUTHOR@example.test]\n${POLICY.slice('version: 1\n'.length)}`;
    expect(await audit(parsePolicy(ours, 'p.yml', {}), store)).toEqual([without[2]]);
  });
});
