import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PolicyError } from '../../src/config/errors.js';
import { parsePolicy } from '../../src/config/load.js';
import { ROOT } from '../support/cli.js';

/** The committed schema an editor reads (test/dist.test.ts keeps it equal to the generator). */
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'pinback.schema.json'), 'utf8')) as {
  $schema: string;
};
const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const env = {
  PROMETHEUS_URL: 'http://prometheus:9090',
  PROM_TOKEN: 't',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x',
};

/** Every policy under examples/: each YAML file outside examples/workflows (GitHub workflows). */
const examples = readdirSync(join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => relative(ROOT, join(ROOT, 'examples', f)))
  .filter((f) => !f.startsWith(join('examples', 'workflows')))
  .sort();

const errors = () => ajv.errorsText(validate.errors, { separator: '\n' });

describe('schema/pinback.schema.json', () => {
  it('is draft 2020-12, the draft of the validator', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('finds the example policies', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'examples/argocd/pinback.yml',
        'examples/flux/pinback.yml',
        'examples/policies/ai-agent.yml',
        'examples/policies/http-service.yml',
        'examples/seed/pinback.yml',
      ]),
    );
  });

  describe.each(examples)('%s', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');

    it('is valid as written, ${VAR} references and all', () => {
      const ok = validate(parse(text));
      expect(ok, errors()).toBe(true);
    });

    it('loads', () => {
      expect(parsePolicy(text, file, env).services.length).toBeGreaterThan(0);
    });
  });

  const policy = (pin: string, url = '"${PROMETHEUS_URL}"') => `
version: 1
providers:
  prom: { type: prometheus, url: ${url} }
services:
  api:
    provider: prom
    pin: ${pin}
    triggers:
      errors: { query: 'sum(rate(errors[1m]))', max: 1 }
`;
  const onePin = '{ file: k.yaml, kustomize_image: ghcr.io/acme/api }';

  /** The schema must agree with the loader: both accept, or both reject. */
  const verdicts = (text: string) => {
    let loads = true;
    try {
      parsePolicy(text, 'policy.yml', env);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      loads = false;
    }
    return { schema: validate(parse(text)), loader: loads };
  };

  it.each([
    ['a plain URL', 'http://prometheus:9090'],
    ['a ${VAR} reference', '"${PROMETHEUS_URL}"'],
    ['a ${VAR} inside a URL', '"http://${PROM_HOST}:9090"'],
  ])('accepts a url with %s', (_, url) => {
    const text = policy(onePin, url);
    expect(validate(parse(text)), errors()).toBe(true);
  });

  it.each([
    ['no scheme and no ${VAR}', 'prometheus/9090'],
    ['only an escaped $${VAR}, a literal', '"$${PROMETHEUS_URL}"'],
    ['a ${} that names no variable', '"${9X}"'],
  ])('rejects a url with %s, as the loader does', (_, url) => {
    expect(verdicts(policy(onePin, url))).toEqual({ schema: false, loader: false });
  });

  it.each([
    ['kustomize_image and yaml_path', '{ file: k.yaml, kustomize_image: ghcr.io/acme/api, yaml_path: a.b }'],
    ['container and regex', '{ file: k.yaml, container: api, regex: "image: (?<version>.+)" }'],
    ['no locator', '{ file: k.yaml }'],
  ])('rejects a pin with %s, as the loader does', (_, pin) => {
    expect(verdicts(policy(pin))).toEqual({ schema: false, loader: false });
  });

  it.each([
    ['kustomize_image', onePin],
    ['yaml_path and match', '{ file: r.yaml, yaml_path: spec.version, match: { kind: HelmRelease } }'],
    ['setter', '{ file: k.yaml, setter: "flux-system:api-version" }'],
  ])('accepts a pin with one locator: %s', (_, pin) => {
    expect(verdicts(policy(pin))).toEqual({ schema: true, loader: true });
  });

  it('rejects a kill switch with both yaml_path and regex, as the loader does', () => {
    const text = policy(onePin).replace(
      '    provider: prom\n',
      '    provider: prom\n    on_rollback:\n' +
        '      kill_switch: { file: f.yaml, yaml_path: a.b, regex: "x: (.+)", value: off }\n',
    );
    expect(verdicts(text)).toEqual({ schema: false, loader: false });
  });
});
