/**
 * `providers.X.concurrency`: the most queries in flight to one network provider at once (default 16;
 * src/metrics/bounded.ts applies it). The file provider reads a local file and takes none.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { policyEditorSchema } from '../../src/config/json-schema.js';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const PROVIDERS = {
  prometheus: 'type: prometheus, url: "http://prometheus:9090"',
  datadog: 'type: datadog, api_key: k, app_key: a',
  http: 'type: http, url: "https://metrics.example.com/q?q={{query}}", select: "$.value"',
};

function full(provider: string): string {
  return `version: 1
providers:
  m: { ${provider} }
services:
  api:
    candidate: 2.4.0
    triggers:
      errors: { query: 'errors{version="{{version}}"}', max: 0.05 }
`;
}

function seed(provider: string): string {
  return `providers:
  m: { ${provider} }
rollback:
  stable_version: api@2.3.3
  candidate_version: api@2.4.0
  triggers: { errors: 0.05 }
`;
}

const MESSAGE =
  'expected a positive integer: the most queries in flight to this provider at once (default 16)';

describe('providers.X.concurrency', () => {
  it.each(Object.entries(PROVIDERS))('defaults to 16 for a %s provider', (_type, provider) => {
    expect(parsePolicy(full(provider), 'policy.yml', {}).providers.m).toMatchObject({ concurrency: 16 });
    expect(parsePolicy(seed(provider), 'policy.yml', {}).providers.m).toMatchObject({ concurrency: 16 });
  });

  it.each(Object.entries(PROVIDERS))('is read from a %s provider', (_type, provider) => {
    const policy = parsePolicy(full(`${provider}, concurrency: 64`), 'policy.yml', {});
    expect(policy.providers.m).toMatchObject({ concurrency: 64 });
  });

  it('is no key of the file provider, which reads a local file', () => {
    expect(parsePolicy(full('type: file, path: m.json'), 'policy.yml', {}).providers.m).toEqual({
      type: 'file',
      path: 'm.json',
    });
    expect(issuesOf(full('type: file, path: m.json, concurrency: 4'))).toEqual([
      // Not `(did you mean "concurrency"?)`: the key is right, its place is not.
      'policy.yml:3:34: providers.m.concurrency: key "concurrency" is not allowed here (it belongs to other parts of the policy format)',
    ]);
  });

  it.each(['0', '-1', '2.5', '"16"', 'sixteen', 'null', 'true'])(
    'refuses concurrency: %s at its place in the file (exit 2)',
    (value) => {
      const text = full(`${PROVIDERS.prometheus}, concurrency: ${value}`);
      const col = text.split('\n')[2]!.indexOf(`concurrency: ${value}`) + 'concurrency: '.length + 1;
      expect(issuesOf(text)).toEqual([`policy.yml:3:${col}: providers.m.concurrency: ${MESSAGE}`]);
    },
  );

  it('is in the JSON Schema editors read: a positive integer on the network providers', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(policyEditorSchema() as object);
    for (const provider of Object.values(PROVIDERS)) {
      expect(validate(parse(full(`${provider}, concurrency: 8`)))).toBe(true);
      expect(validate(parse(full(`${provider}, concurrency: 0`)))).toBe(false);
    }
    expect(validate(parse(full('type: file, path: m.json, concurrency: 8')))).toBe(false);
  });
});
