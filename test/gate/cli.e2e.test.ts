import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GateReport } from '../../src/gate/report.js';
import { runCli } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { GitOpsRepo } from '../support/gitops.js';
import {
  BREACHING,
  CANARY_PIN,
  DEPLOYED_S_AGO,
  HEALTHY,
  NEW,
  OLD,
  overlay,
  PROD_PIN,
  promotionMetrics,
  promotionPolicy,
  SPARSE,
  type Traffic,
} from '../support/promotion.js';

/**
 * `pinback gate --base main --head promote` on a local repository: main has 1.0.0 in prod and
 * 1.1.0 in canary since half an hour; the branch `promote` pins 1.1.0 in prod.
 */
let repo: GitOpsRepo;
let dir: string;

beforeAll(() => {
  repo = new GitOpsRepo();
  repo.write(CANARY_PIN, overlay(OLD));
  repo.write(PROD_PIN, overlay(OLD));
  repo.commit(`api ${OLD} in every stage`, 3 * 86_400);
  repo.write(CANARY_PIN, overlay(NEW));
  repo.commit(`canary: api ${NEW}`, DEPLOYED_S_AGO);
  repo.git('checkout', '-q', '-b', 'promote');
  repo.write(PROD_PIN, overlay(NEW));
  repo.commit(`prod: api ${NEW}`, 60);
  repo.git('checkout', '-q', '-b', 'both', 'main');
  repo.write(CANARY_PIN, overlay('1.2.0'));
  repo.write(PROD_PIN, overlay('1.2.0'));
  repo.commit('api 1.2.0 everywhere at once', 60);
  repo.git('checkout', '-q', 'main');
  dir = mkdtempSync(join(tmpdir(), 'pinback-gate-policy-'));
  removeWhenDone(dir);
  writeFileSync(join(dir, 'pinback.yml'), promotionPolicy());
});

function gate(traffic: Traffic, head = 'promote', json = false) {
  writeFileSync(join(dir, 'metrics.json'), promotionMetrics(traffic));
  return runCli([
    'gate',
    '-c',
    join(dir, 'pinback.yml'),
    '--gitops',
    repo.dir,
    '--base',
    'main',
    '--head',
    head,
    ...(json ? ['--json'] : []),
  ]);
}

describe('pinback gate --base REF --head REF', () => {
  it('allows a promotion whose version is healthy in the stage before: exit 0', async () => {
    const r = await gate(HEALTHY);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      `prod-api ${OLD} -> ${NEW}: allow within_limits (judged in canary (canary-api))`,
    );
    expect(r.stdout).toContain(`gate: success: allow: prod-api ${NEW} in canary within limits`);
    expect(r.code).toBe(0);
  });

  it('stops one that breaches there, with the evidence and the lock hint: exit 1', async () => {
    const r = await gate(BREACHING);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`prod-api ${OLD} -> ${NEW}: STOP error_spike`);
    expect(r.stdout).toMatch(/errors: 0\.12 vs 0\.01 .*BREACHED errors=0\.12>/);
    expect(r.stdout).toContain('locks it in .pinback/locks/canary-api.yaml');
    expect(r.stdout).toContain(`gate: failure: stop: prod-api ${NEW} in canary: error_spike`);
  });

  it('keeps one without enough evidence pending, saying when to retry: exit 3', async () => {
    const r = await gate(SPARSE, 'promote', true);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as GateReport;
    expect(report).toMatchObject({ version: 1, base: 'main', head: 'promote', state: 'pending', locked: [] });
    const [p] = report.promotions;
    expect(p).toMatchObject({
      service: 'prod-api',
      from: OLD,
      to: NEW,
      source: { service: 'canary-api', stage: 'canary', by: 'stages' },
      state: 'pending',
      decision: 'inconclusive',
      retry_why: expect.stringContaining('errors: 60 of 100 requests at ~2/min, min_count in ~20 min'),
    });
    // 40 more requests at 2 a minute: about 20 minutes from now.
    const eta = Date.parse(p!.retry_at!) - Date.now();
    expect(eta).toBeGreaterThan(18 * 60_000);
    expect(eta).toBeLessThan(22 * 60_000);
    expect(report.description).toMatch(
      /^pending: not enough evidence yet for prod-api 1\.1\.0 in canary; retry after \d\d:\d\d UTC$/,
    );
  });

  it('stops a version that has not run in the stage before', async () => {
    const r = await gate(HEALTHY, 'both');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('prod-api 1.0.0 -> 1.2.0: STOP not_in_earlier_stage');
    expect(r.stdout).toContain('Promote it to canary first');
    // The canary's own change is a deploy, not a promotion: pinback run guards it.
    expect(r.stdout).toContain(`canary-api ${NEW} -> 1.2.0: allow not_promoted`);
  });

  it('refuses a revision the repository lacks: exit 1, nothing read', async () => {
    const r = await gate(HEALTHY, 'no-such-branch');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-branch names no commit in');
  });

  it('needs both --base and --head: exit 2', async () => {
    const r = await runCli(['gate', '-c', join(dir, 'pinback.yml'), '--base', 'main']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pinback gate needs --base REF');
  });
});

describe('pinback gate when the base moved on after the change branched off', () => {
  it("compares the change with where it branched off: the base's newer pins are not the change's", async () => {
    const moved = new GitOpsRepo();
    moved.write(CANARY_PIN, overlay(OLD));
    moved.write(PROD_PIN, overlay(OLD));
    moved.commit(`api ${OLD} in every stage`, 3 * 86_400);
    moved.write(CANARY_PIN, overlay(NEW));
    moved.commit(`canary: api ${NEW}`, DEPLOYED_S_AGO);
    moved.git('checkout', '-q', '-b', 'promote');
    moved.write(PROD_PIN, overlay(NEW));
    moved.commit(`prod: api ${NEW}`, 120);
    moved.git('checkout', '-q', 'main');
    // main moves on: canary gets 1.2.0, which the change never touched.
    moved.write(CANARY_PIN, overlay('1.2.0'));
    moved.commit('canary: api 1.2.0', 60);
    writeFileSync(join(dir, 'metrics.json'), promotionMetrics(HEALTHY));
    const r = await runCli([
      'gate',
      '-c',
      join(dir, 'pinback.yml'),
      '--gitops',
      moved.dir,
      '--base',
      'main',
      '--head',
      'promote',
      '--json',
    ]);
    const report = JSON.parse(r.stdout) as GateReport;
    expect(report.promotions.map((p) => [p.service, p.from, p.to])).toEqual([['prod-api', OLD, NEW]]);
  });
});
