import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { changedPins } from '../../src/gate/diff.js';
import { describeGate, type LockedChange, overallState, type Promotion } from '../../src/gate/report.js';
import { retryOf } from '../../src/gate/retry.js';
import type { ReportEvidence } from '../../src/report.js';
import { CANARY_PIN, overlay, PROD_PIN, promotionPolicy } from '../support/promotion.js';

const promotion = (state: Promotion['state'], extra: Partial<Promotion> = {}): Promotion => ({
  service: 'prod-api',
  stage: 'prod',
  file: PROD_PIN,
  line: 7,
  column: 13,
  from: '1.0.0',
  to: '1.1.0',
  source: { service: 'canary-api', stage: 'canary', by: 'stages' },
  state,
  decision: state === 'success' ? 'allow' : state === 'failure' ? 'stop' : 'inconclusive',
  reason: state === 'failure' ? 'error_spike' : 'within_limits',
  detail: '',
  evidence: [],
  ...extra,
});
const lock: LockedChange = {
  service: 'web',
  file: 'web.yaml',
  line: 1,
  column: 1,
  version: '2.0.0',
  lock_file: '.pinback/locks/web.yaml',
  message: '',
};

describe("the pull request's check", () => {
  it.each([
    ['nothing changed', [], [], 'success', 'allow: no pin changed'],
    [
      'a change that is no promotion',
      [promotion('success', { source: null, service: 'canary-api', reason: 'not_promoted' })],
      [],
      'success',
      'allow: no promotion (canary-api: no earlier stage)',
    ],
    [
      'a healthy promotion',
      [promotion('success')],
      [],
      'success',
      'allow: prod-api 1.1.0 in canary within limits',
    ],
    [
      'a stop wins over a pending one',
      [promotion('pending', { service: 'b' }), promotion('failure')],
      [],
      'failure',
      'stop: prod-api 1.1.0 in canary: error_spike',
    ],
    [
      'a lock fails it whatever the promotions say',
      [promotion('success')],
      [lock],
      'failure',
      'stop: web pins locked 2.0.0',
    ],
    [
      'pending says when to retry: the latest of them',
      [
        promotion('pending', { retry_at: '2026-12-02T10:20:00Z' }),
        promotion('pending', { service: 'b', retry_at: '2026-12-02T10:45:00Z' }),
      ],
      [],
      'pending',
      'pending: not enough evidence yet for prod-api 1.1.0 in canary, b 1.1.0 in canary; retry after 10:45 UTC',
    ],
  ] as const)('%s', (_name, promotions, locked, state, description) => {
    expect(overallState(promotions, locked)).toBe(state);
    expect(describeGate(promotions, locked)).toBe(description);
  });

  it('keeps the line within the 140 characters of a status', () => {
    const many = Array.from({ length: 20 }, (_, i) => promotion('failure', { service: `service-${i}` }));
    const line = describeGate(many, []);
    expect(line.length).toBe(140);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('when an inconclusive promotion is worth judging again', () => {
  const policy = parsePolicy(promotionPolicy(), 'policy.yml', {});
  const rule = policy.services[0]!.rule;
  const now = Date.parse('2026-12-02T10:00:00Z');
  const since = now - 30 * 60_000;
  const undecided = (have: number): ReportEvidence => ({
    trigger: 'errors',
    value: 0,
    baseline: 0.01,
    limit: 0.012,
    breached: false,
    count: { candidate: have, stable: 135_000, unit: 'requests' },
    undecided: { reason: 'not_enough_traffic', detail: `not enough traffic yet (${have} of 100 requests)` },
  });

  it.each([
    [
      'min_count at the rate so far: 60 in 30 min, 40 more',
      [undecided(60)],
      '2026-12-02T10:20:00.000Z',
      'errors: 60 of 100 requests at ~2/min, min_count in ~20 min',
    ],
    [
      'no traffic yet: one trigger window',
      [undecided(0)],
      '2026-12-02T10:10:00.000Z',
      'errors: no requests yet; retry once the stage serves traffic',
    ],
    [
      'no data: one trigger window',
      [{ trigger: 'errors', value: null, baseline: null, limit: null, breached: false, cause: 'no series' }],
      '2026-12-02T10:10:00.000Z',
      'errors: no data yet (no series); retry after one 10 min window',
    ],
  ] as const)('%s', (_name, evidence, at, why) => {
    const r = retryOf(rule, evidence, since, now)!;
    expect(new Date(r.atMs).toISOString()).toBe(at);
    expect(r.why).toBe(why);
  });

  it('has nothing to wait for when every trigger decided', () => {
    expect(retryOf(rule, [{ ...undecided(500), undecided: undefined }], since, now)).toBeUndefined();
  });
});

describe('the pins a change sets to another version', () => {
  const { services } = parsePolicy(promotionPolicy(), 'policy.yml', {});
  const files = (canary: string | null, prod: string | null) =>
    new Map([
      [CANARY_PIN, canary === null ? null : overlay(canary)],
      [PROD_PIN, prod === null ? null : overlay(prod)],
    ]);

  it.each([
    ['none', files('1.1.0', '1.0.0'), files('1.1.0', '1.0.0'), []],
    ['prod promoted', files('1.1.0', '1.0.0'), files('1.1.0', '1.1.0'), [['prod-api', '1.0.0', '1.1.0']]],
    ['a new pin file', files('1.1.0', null), files('1.1.0', '1.1.0'), [['prod-api', null, '1.1.0']]],
    ['a deleted pin file pins nothing', files('1.1.0', '1.0.0'), files('1.1.0', null), []],
  ] as const)('%s', (_name, base, head, expected) => {
    expect(changedPins(services, base, head).map((c) => [c.service, c.from, c.to])).toEqual(expected);
  });

  it('refuses a pin value that is no version, at its place', () => {
    expect(() => changedPins(services, files('1.1.0', '1.0.0'), files('1.1.0', '$(id)'))).toThrow(
      /^envs\/prod\/api\/kustomization\.yaml:7:13: prod-api pins "\$\(id\)", which is not a valid version/,
    );
  });
});
