import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { artefactOf, promotionSource } from '../../src/config/promotion.js';
import { issuesOf } from '../support/policy-issues.js';

/** A policy of `services` (name -> its YAML body without triggers), each with one trigger. */
function policy(services: Record<string, string>, top = ''): string {
  const body = Object.entries(services)
    .map(
      ([name, s]) =>
        `  ${name}:\n${s
          .trim()
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n    triggers: { errors: { query: 'q', max: 1 } }`,
    )
    .join('\n');
  return `version: 1\n${top}services:\n${body}\n`;
}

const kustomize = (stage: string, image = 'ghcr.io/acme/api') =>
  `stage: ${stage}\npin: { file: envs/${stage}/kustomization.yaml, kustomize_image: ${image} }`;
const values = (stage: string, file: string, extra = '') =>
  `stage: ${stage}\npin: { file: ${file}, yaml_path: image.tag${extra} }`;

function sourceOf(text: string, service: string) {
  const p = parsePolicy(text, 'policy.yml', {});
  return promotionSource(
    p.services,
    p.stages,
    p.services.find((s) => s.name === service)!,
  );
}

describe('where a promoted version already runs', () => {
  it.each([
    [
      'promote_from names the service outright',
      policy({
        'canary-api': kustomize('canary'),
        'prod-api': `${kustomize('prod')}\npromote_from: canary-api`,
      }),
      'prod-api',
      { kind: 'promote_from', from: 'canary-api' },
    ],
    [
      'stages: the previous stage pinning the same kustomize image',
      policy(
        {
          'canary-api': kustomize('canary'),
          'canary-web': kustomize('canary', 'ghcr.io/acme/web'),
          'prod-api': kustomize('prod'),
        },
        'stages: [canary, prod]\n',
      ),
      'prod-api',
      { kind: 'stage', from: 'canary-api', stage: 'canary' },
    ],
    [
      'stages: a yaml_path in a file whose path differs by the stage directory',
      policy(
        {
          'dev-api': values('dev', 'envs/dev/api/values.yaml'),
          'canary-api': values('canary', 'envs/canary/api/values.yaml'),
          'prod-api': values('prod', 'envs/prod/api/values.yaml'),
        },
        'stages: [dev, canary, prod]\n',
      ),
      'prod-api',
      { kind: 'stage', from: 'canary-api', stage: 'canary' },
    ],
    [
      'stages: the stage as a word of a file name (values-canary.yaml, values-prod.yaml)',
      policy(
        {
          a: values('canary', 'apps/api/values-canary.yaml'),
          b: values('prod', 'apps/api/values-prod.yaml'),
        },
        'stages: [canary, prod]\n',
      ),
      'b',
      { kind: 'stage', from: 'a' },
    ],
    [
      'stages: a HelmRelease chart version, the stage in the release name too',
      policy(
        {
          a: values(
            'canary',
            'flux/canary/api.yaml',
            ', match: { kind: HelmRelease, name: api-canary }',
          ).replace('image.tag', 'spec.chart.spec.version'),
          b: values('prod', 'flux/prod/api.yaml', ', match: { kind: HelmRelease, name: api-prod }').replace(
            'image.tag',
            'spec.chart.spec.version',
          ),
        },
        'stages: [canary, prod]\n',
      ),
      'b',
      { kind: 'stage', from: 'a' },
    ],
    [
      'the first stage is promoted from nowhere',
      policy(
        { 'canary-api': kustomize('canary'), 'prod-api': kustomize('prod') },
        'stages: [canary, prod]\n',
      ),
      'canary-api',
      { kind: 'none', why: 'canary is the first of the stages' },
    ],
    [
      'another artefact in the previous stage is no source',
      policy(
        { 'canary-web': kustomize('canary', 'ghcr.io/acme/web'), 'prod-api': kustomize('prod') },
        'stages: [canary, prod]\n',
      ),
      'prod-api',
      {
        kind: 'none',
        why: expect.stringContaining(
          'no service of stage canary pins the same kustomize image ghcr.io/acme/api',
        ),
      },
    ],
    [
      'a stage outside the order is promoted from nowhere',
      policy(
        { 'canary-api': kustomize('canary'), 'prod-api': kustomize('prod'), 'qa-api': kustomize('qa') },
        'stages: [canary, prod]\n',
      ),
      'qa-api',
      { kind: 'none', why: 'its stage qa is not in stages: [canary, prod]' },
    ],
    [
      'without stages: or promote_from: nothing is a promotion',
      policy({ 'canary-api': kustomize('canary'), 'prod-api': kustomize('prod') }),
      'prod-api',
      { kind: 'none', why: 'the policy sets neither stages: nor promote_from:' },
    ],
    [
      'promote_from wins over the stages: order',
      policy(
        {
          'canary-api': kustomize('canary'),
          'qa-api': kustomize('qa'),
          'prod-api': `${kustomize('prod')}\npromote_from: qa-api`,
        },
        'stages: [qa, canary, prod]\n',
      ),
      'prod-api',
      { kind: 'promote_from', from: 'qa-api' },
    ],
  ])('%s', (_name, text, service, expected) => {
    expect(sourceOf(text, service)).toMatchObject(expected);
  });

  it.each([
    [
      'two services of the previous stage pinning the same artefact',
      policy(
        {
          'canary-api-eu': `${kustomize('canary')}`.replace('envs/canary/k', 'envs/canary/eu/k'),
          'canary-api-us': `${kustomize('canary')}`.replace('envs/canary/k', 'envs/canary/us/k'),
          'prod-api': kustomize('prod'),
        },
        'stages: [canary, prod]\n',
      ),
      /services\.prod-api: services canary-api-eu and canary-api-us of stage canary both pin the same kustomize image ghcr\.io\/acme\/api \(newTag\): set promote_from: on prod-api/,
    ],
    [
      'promote_from naming no service',
      policy({
        'canary-api': kustomize('canary'),
        'prod-api': `${kustomize('prod')}\npromote_from: canary-ap`,
      }),
      /services\.prod-api\.promote_from: no service canary-ap in this policy \(did you mean canary-api\?\)/,
    ],
    [
      'promote_from naming itself',
      policy({ 'prod-api': `${kustomize('prod')}\npromote_from: prod-api` }),
      /promote_from: a service is not promoted from itself/,
    ],
    [
      'promote_from in a circle',
      policy({ a: `${kustomize('canary')}\npromote_from: b`, b: `${kustomize('prod')}\npromote_from: a` }),
      /promote_from goes round in a circle \(a <- b <- a\)/,
    ],
    [
      'a stage no service has',
      policy(
        { 'canary-api': kustomize('canary'), 'prod-api': kustomize('prod') },
        'stages: [canray, prod]\n',
      ),
      /stages\[0\]: no service has stage: canray \(did you mean canary\?\)/,
    ],
    [
      'a stage listed twice',
      policy(
        { 'canary-api': kustomize('canary'), 'prod-api': kustomize('prod') },
        'stages: [canary, prod, canary]\n',
      ),
      /stages\[2\]: canary is already stage 1 of stages/,
    ],
    [
      'a single stage',
      policy({ 'canary-api': kustomize('canary') }, 'stages: [canary]\n'),
      /stages: stages: lists the promotion order, at least two stages/,
    ],
  ])('refuses %s, at its place', (_name, text, message) => {
    const issues = issuesOf(text);
    expect(issues.join('\n')).toMatch(/^policy\.yml:\d+:\d+: /);
    expect(issues.join('\n')).toMatch(message);
  });
});

describe('the artefact a pin pins', () => {
  it.each([
    [{ file: 'a/k.yaml', locator: { kustomize_image: 'img' } }, 'canary', 'kustomize image img (newTag)'],
    [
      { file: 'envs/canary/v.yaml', locator: { yaml_path: 'image.tag' } },
      'canary',
      'yaml_path image.tag in envs/*/v.yaml',
    ],
    [{ file: 'v.canary.yaml', locator: { container: 'api' } }, 'canary', 'container api in v.*.yaml'],
    // Only whole words: `canaryish` is not the stage `canary`.
    [
      { file: 'canaryish/v.yaml', locator: { regex: 'v(?<version>.*)' } },
      'canary',
      'regex v(?<version>.*) in canaryish/v.yaml',
    ],
  ] as const)('%j in stage %s is %s', (pin, stage, expected) => {
    expect(artefactOf(pin, stage)).toBe(expected);
  });
});
