/**
 * `approve_below` in the policy file: a multiple of the baseline for relative limits, a number for
 * absolute ones; a service's or `defaults`' multiple for every `max_increase` that sets none; a level
 * that is not past its tolerance refused at its line.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const policy = (trigger: string, service = '', defaults = '') =>
  `version: 1
${defaults ? `defaults: { ${defaults} }\n` : ''}services:
  api:
    pin: { file: k.yaml, kustomize_image: api }
${service ? `    ${service}\n` : ''}    triggers:
      errors: { ${trigger} }
`;

const levelsOf = (text: string) =>
  parsePolicy(text, 'policy.yml', {}).services[0]!.rule.triggers[0]!.approveBelow;

describe('approve_below', () => {
  it.each([
    [
      '5x on a max_increase: the candidate at 5 times the stable',
      'query: q, max_increase: 50%, approve_below: 5x',
      '',
      '',
      { maxIncrease: 4 },
    ],
    [
      '0.5x on a max_decrease: at half the stable',
      'query: q, max_decrease: 3%, approve_below: 0.5x',
      '',
      '',
      { maxDecrease: 0.5 },
    ],
    ['a number beside max', 'ratio: {}, max: 0.05, approve_below: 0.25', '', '', { max: 0.25 }],
    ['a number beside min', 'query: q, min: 0.9, approve_below: 0.5', '', '', { min: 0.5 }],
    [
      "the service's multiple, on a max_increase",
      'query: q, max_increase: 20%',
      'approve_below: 5x',
      '',
      { maxIncrease: 4 },
    ],
    [
      "defaults' multiple, on a max_increase",
      'query: q, max_increase: 20%',
      '',
      'approve_below: 10x',
      { maxIncrease: 9 },
    ],
    [
      "the trigger's own over the service's",
      'query: q, max_increase: 20%, approve_below: 3x',
      'approve_below: 5x',
      '',
      { maxIncrease: 2 },
    ],
    [
      "the service's multiple leaves an absolute limit alone",
      'query: q, max: 0.05',
      'approve_below: 5x',
      '',
      undefined,
    ],
    ['none: every breach clear-cut, as before', 'query: q, max_increase: 20%', '', '', undefined],
  ])('%s', (_, trigger, service, defaults, expected) => {
    expect(levelsOf(policy(trigger, service, defaults))).toEqual(expected);
  });

  it.each([
    [
      'a multiple not past the tolerance',
      policy('query: q, max_increase: 500%, approve_below: 5x'),
      'services.api.triggers.errors.approve_below: approve_below: 5x must be past the tolerance: max_increase 500% already allows up to 6x',
    ],
    [
      'a multiple without a relative limit',
      policy('query: q, max: 0.05, approve_below: 5x'),
      'approve_below: 5x is a multiple of the baseline: it needs max_increase or max_decrease',
    ],
    [
      'a number without an absolute limit',
      policy('query: q, max_increase: 50%, approve_below: 0.25'),
      'approve_below: 0.25 is an absolute level: it needs max or min',
    ],
    [
      'a number inside the limit',
      policy('query: q, max: 0.05, approve_below: 0.01'),
      'approve_below: 0.01 must be past the limit it belongs to (above max 0.05)',
    ],
    [
      "a ratio's level that is no share",
      policy('ratio: {}, max: 0.05, approve_below: 2'),
      "a ratio's approve_below is a share of events between 0 and 1",
    ],
    [
      "the service's multiple under a trigger's tolerance",
      policy('query: q, max_increase: 900%', 'approve_below: 5x'),
      "services.api.triggers.errors.max_increase: the service's approve_below 5x is not past this trigger's tolerance",
    ],
    [
      'an alert-only trigger',
      policy('query: q, max: 0.05, action: alert, approve_below: 0.25'),
      'approve_below has no meaning on action: alert',
    ],
    [
      'a word that is not a level',
      policy('query: q, max_increase: 50%, approve_below: lots'),
      'approve_below',
    ],
  ])('refuses %s, at its line', (_, text, message) => {
    const issues = issuesOf(text);
    expect(issues.join('\n')).toContain(message);
    expect(issues[0]).toMatch(/^policy\.yml:\d+:\d+: /);
  });
});
