/**
 * The checks that read the repository, the traffic and the token (src/doctor/), and how a
 * checklist is scored and held against the policy's `doctor:` minimum. Pure: what was read is
 * handed in.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { ServicePolicy } from '../../src/config/policy.js';
import { CHECK_IDS, type CheckResult, missing, notChecked, pass } from '../../src/doctor/checks.js';
import { evidenceCheck, policyDuration, type TrafficView } from '../../src/doctor/evidence-check.js';
import { readiness } from '../../src/doctor/readiness.js';
import { stableCheck } from '../../src/doctor/stable-check.js';
import { type Access, tokenCheck, tokenKind } from '../../src/doctor/token-check.js';
import type { PinState } from '../../src/history/pin-state.js';
import type { Observation } from '../../src/policy/types.js';

const FULL = { seed: false };
const END = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MIN = 60_000;

function serviceOf(text: string): ServicePolicy {
  return parsePolicy(`version: 1\nservices:\n  api:\n${text}`, 'policy.yml').services[0]!;
}

const API = serviceOf(`    pin: { file: apps/api/k.yaml, kustomize_image: ghcr.io/acme/api }
    guard_window: 2h
    triggers:
      errors: { ratio: {}, max_increase: 20% }
      latency: { histogram: {}, max_increase: 15% }
`);

const state = (over: Partial<PinState>): PinState => ({
  candidate: '1.5.0',
  pinnedBy: undefined,
  stable: undefined,
  stableWhy: undefined,
  noStable: undefined,
  rolledBackBy: undefined,
  lastRollback: undefined,
  chain: 0,
  previous: undefined,
  locked: undefined,
  ...over,
});

describe('stable', () => {
  it('passes with the stable the history gives, saying why that one', () => {
    const c = stableCheck(API, FULL, {
      kind: 'pinned',
      where: 'gitops',
      state: state({ stable: '1.4.0', stableWhy: '1.4.0: pinned for 3 days until 1.5.0' }),
    });
    expect(c).toEqual(pass('stable', '1.4.0, unlocked (1.4.0: pinned for 3 days until 1.5.0)'));
  });

  it('is missing when there is none, with the cause and the key', () => {
    const c = stableCheck(API, FULL, {
      kind: 'pinned',
      where: 'gitops',
      state: state({ noStable: '1.5.0 is the first version ever pinned' }),
    });
    expect(c.status).toBe('missing');
    expect(c.detail).toContain('1.5.0 is the first version ever pinned');
    expect(c.advice).toContain('services.api.stable: VERSION');
  });

  it('is not checked when the repository was not read, saying why and what to pass', () => {
    const c = stableCheck(API, FULL, { kind: 'unread', reason: 'no GitOps repository given' });
    expect(c).toMatchObject({ status: 'not_checked' });
    expect(c.detail).toContain("stable: auto is chosen from the pin's git history");
    expect(c.advice).toContain('--gitops');
  });

  it('is missing when a fixed stable of a service without a pin is locked', () => {
    const fixed = serviceOf(
      '    stable: 1.4.0\n    candidate: 1.5.0\n    triggers: { e: { query: up, max: 1 } }\n',
    );
    const locks = new Map([
      [
        'api',
        [{ version: '1.4.0', reason: 'error_spike', locked_at: '2026-01-01T00:00:00Z', rollback_id: 'ab12' }],
      ],
    ]);
    const c = stableCheck(fixed, FULL, { kind: 'locks', locks, where: 'gitops' });
    expect(c.status).toBe('missing');
    expect(c.detail).toContain('the fixed stable 1.4.0 is locked (rollback ab12');
  });
});

/** Per-minute counts ending at END, oldest first. */
const minutes = (counts: number[]) =>
  counts.map((v, i) => ({ t: (END - (counts.length - 1 - i) * MIN) / 1000, v }));
const perMinute = (counts: number[]): Observation => ({ kind: 'samples', samples: minutes(counts) });
const buckets = (counts: number[]): Observation => ({
  kind: 'groups',
  groups: [
    { key: '0.5', samples: minutes(counts.map((c) => c / 2)) },
    { key: '+Inf', samples: minutes(counts) },
  ],
});
const traffic = (errors: Observation, latency: Observation): TrafficView => ({
  kind: 'read',
  version: '1.5.0',
  lookbackMs: 60 * MIN,
  endMs: END,
  triggers: [
    { trigger: 'errors', answer: errors },
    { trigger: 'latency', answer: latency },
  ],
});

describe('min_evidence', () => {
  it('passes when min_count arrives well inside the guard window', () => {
    const c = evidenceCheck(API, FULL, traffic(perMinute(Array(60).fill(240)), buckets(Array(60).fill(240))));
    expect(c.status).toBe('pass');
    expect(c.detail).toContain(
      'errors: ~240 requests/min over the last 60 min of 1.5.0: min_count 100 within 25 s',
    );
    expect(c.detail).toContain('latency: ~240 requests/min');
  });

  it('is missing when min_count takes longer than the guard window, with the window that would do', () => {
    // 30 requests an hour: 100 take 3h20m, longer than 2h.
    const slow = perMinute(Array.from({ length: 60 }, (_, i) => (i % 2 ? 1 : 0)));
    const c = evidenceCheck(API, FULL, traffic(slow, buckets(Array(60).fill(240))));
    expect(c.status).toBe('missing');
    expect(c.detail).toContain('errors: ~0.5 requests/min');
    expect(c.detail).toContain(
      'min_count 100 takes ~3h20m, longer than the 2h guard window: it can never stop',
    );
    expect(c.advice).toBe(
      'set services.api.guard_window: 3h20m, or lower services.api.triggers.errors.min_count to 60 (what the 2h guard window brings now)',
    );
  });

  it('is missing when the version serves nothing', () => {
    const c = evidenceCheck(API, FULL, traffic(perMinute(Array(60).fill(0)), buckets(Array(60).fill(240))));
    expect(c.status).toBe('missing');
    expect(c.detail).toContain('errors: no requests over the last 60 min of 1.5.0');
  });

  it('reads a version deployed minutes ago at the rate of its minutes alone', () => {
    // Five minutes of 10 requests: 10 a minute, not 50 an hour.
    const c = evidenceCheck(API, FULL, traffic(perMinute(Array(5).fill(10)), buckets(Array(5).fill(10))));
    expect(c.status).toBe('pass');
    expect(c.detail).toContain('~10 requests/min over the last 5 min of 1.5.0: min_count 100 within 10 min');
  });

  it('says COULD NOT CHECK when a metric cannot be queried, and never passes', () => {
    const down: Observation = { kind: 'no_data', cause: 'prometheus: connection refused' };
    const c = evidenceCheck(API, FULL, traffic(down, buckets(Array(60).fill(240))));
    expect(c.status).toBe('not_checked');
    expect(c.detail).toMatch(/^COULD NOT CHECK: could not check errors: prometheus: connection refused/);
  });

  it('says a histogram without its +Inf bucket cannot be counted', () => {
    const noTotal: Observation = {
      kind: 'groups',
      groups: [{ key: '0.5', samples: [{ t: END / 1000, v: 5 }] }],
    };
    const c = evidenceCheck(API, FULL, traffic(perMinute(Array(60).fill(240)), noTotal));
    expect(c.status).toBe('not_checked');
    expect(c.detail).toContain('no le="+Inf" bucket');
  });

  it('is not checked, loudly, when no version could be read', () => {
    const c = evidenceCheck(API, FULL, { kind: 'unread', reason: 'no version to read the traffic of' });
    expect(c).toMatchObject({ status: 'not_checked' });
    expect(c.detail).toMatch(/^COULD NOT CHECK/);
  });

  it('needs the samples of a single query in its window', () => {
    const q = serviceOf('    candidate: 1.5.0\n    triggers: { e: { query: up, max: 1, sustained: 3 } }\n');
    const view = (n: number): TrafficView => ({
      kind: 'read',
      version: '1.5.0',
      lookbackMs: 60 * MIN,
      endMs: END,
      triggers: [{ trigger: 'e', answer: perMinute(Array(n).fill(1)) }],
    });
    expect(evidenceCheck(q, FULL, view(3)).status).toBe('pass');
    expect(evidenceCheck(q, FULL, view(2))).toMatchObject({ status: 'missing' });
  });

  it.each([
    [45 * MIN, '45m'],
    [120 * MIN, '2h'],
    [200 * MIN, '3h20m'],
    [200 * MIN + 1, '3h21m'],
  ])('writes %d ms as the policy duration %s', (ms, text) => {
    expect(policyDuration(ms)).toBe(text);
  });
});

const github = (over: Partial<Extract<Access, { kind: 'github' }>>): Access => ({
  kind: 'github',
  repo: 'acme/gitops',
  token: 'classic',
  private: true,
  ...over,
});
const ALL = ['contents', 'pull-requests', 'statuses', 'issues'] as const;

describe('token', () => {
  it.each([
    ['ghs_abc', 'installation'],
    ['ghp_abc', 'classic'],
    ['github_pat_abc', 'fine-grained'],
    ['gho_abc', 'oauth'],
    ['test-token', 'unknown'],
  ])('tells a %s token as %s', (token, kind) => {
    expect(tokenKind(token)).toBe(kind);
  });

  it.each<[string, Access, CheckResult['status']]>([
    ['a user with push', github({ permissions: { push: true, pull: true } }), 'pass'],
    ['a user who may only read', github({ permissions: { pull: true } }), 'missing'],
    [
      'a classic token without repo scope',
      github({ permissions: { push: true }, scopes: ['read:org'] }),
      'missing',
    ],
    [
      'a classic token with repo scope',
      github({ permissions: { push: true }, scopes: ['repo', 'workflow'] }),
      'pass',
    ],
    ['an installation token (GITHUB_TOKEN)', github({ token: 'installation' }), 'not_checked'],
    [
      'a repository the token cannot see',
      { kind: 'github_error', repo: 'acme/gitops', message: 'Not Found' },
      'missing',
    ],
    ['a writable local repository', { kind: 'local', path: '/repo', writable: true }, 'pass'],
    ['a read-only local repository', { kind: 'local', path: '/repo', writable: false }, 'missing'],
    ['a remote pushed with git credentials', { kind: 'unknown', reason: 'not tried' }, 'not_checked'],
  ])('%s: %s', (_, access, status) => {
    expect(tokenCheck([{ access, needs: ALL }]).status).toBe(status);
  });

  it('names what the user may not write', () => {
    const c = tokenCheck([{ access: github({ permissions: { triage: true, pull: true } }), needs: ALL }]);
    expect(c.detail).toBe(
      "acme/gitops: the token's user may not write contents, pull-requests, statuses (role: triage)",
    );
  });

  it('tells an installation token what the job must grant', () => {
    const c = tokenCheck([{ access: github({ token: 'installation' }), needs: ALL }]);
    expect(c.detail).toContain('does not show its permissions to the API');
    expect(c.advice).toContain('contents: write, issues: write, pull-requests: write, statuses: write');
  });
});

const eight = (over: Partial<Record<(typeof CHECK_IDS)[number], CheckResult>> = {}): CheckResult[] =>
  CHECK_IDS.map((id) => over[id] ?? pass(id, 'ok'));

describe('the score and the minimum', () => {
  const api = { name: 'api', stage: 'canary' };

  it('scores the passes of eight, a check not made counting as none', () => {
    const r = readiness(
      api,
      eight({ owners: missing('owners', 'none', 'set owners'), token: notChecked('token', 'not asked') }),
      undefined,
    );
    expect([r.score, r.of, r.unmet]).toEqual([6, 8, []]);
  });

  it('lists the checks in the checklist order whatever order they were made in', () => {
    expect(readiness(api, eight().reverse(), undefined).checks.map((c) => c.check)).toEqual([...CHECK_IDS]);
  });

  it.each<[string, Partial<Record<string, CheckResult>>, string[]]>([
    [
      'a required check missing',
      { owners: missing('owners', 'none', 'set owners') },
      ['owners is required (doctor.require) and missing'],
    ],
    [
      'a required check not made',
      { kill_switch: notChecked('kill_switch', 'x') },
      ['kill_switch is required (doctor.require) and could not be checked'],
    ],
    ['another check missing', { verify: missing('verify', 'none', 'set verify') }, []],
  ])('fails on %s', (_, over, unmet) => {
    const r = readiness(api, eight(over), { require: ['owners', 'kill_switch'], minScore: undefined });
    expect(r.unmet).toEqual(unmet);
  });

  it('fails below min_score', () => {
    const r = readiness(
      api,
      eight({
        owners: missing('owners', 'x', 'y'),
        verify: missing('verify', 'x', 'y'),
        token: notChecked('token', 'x'),
      }),
      { require: [], minScore: 6 },
    );
    expect(r.unmet).toEqual(['score 5/8 is below doctor.min_score 6']);
  });
});
