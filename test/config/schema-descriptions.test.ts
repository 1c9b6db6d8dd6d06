import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_SCHEMA_ID, policyEditorSchema } from '../../src/config/json-schema.js';
import { ROOT } from '../support/cli.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Property {
  /** A JSON Pointer to the property's schema, e.g. /anyOf/0/properties/services/additionalProperties/... */
  at: string;
  key: string;
  description: unknown;
}

/** Every property schema of the JSON Schema, wherever it sits (objects, records, unions, arrays). */
function propertiesOf(node: unknown, at = ''): Property[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => propertiesOf(item, `${at}/${i}`));
  if (!isNode(node)) return [];
  const own = isNode(node.properties)
    ? Object.entries(node.properties).map(([key, schema]) => ({
        at: `${at}/properties/${key}`,
        key,
        description: isNode(schema) ? schema.description : undefined,
      }))
    : [];
  return [...own, ...Object.entries(node).flatMap(([k, v]) => propertiesOf(v, `${at}/${k}`))];
}

const schema = policyEditorSchema() as Node;
const properties = propertiesOf(schema);

describe('the policy JSON Schema, as editors show it on hover', () => {
  it('has properties to describe (the walk finds the keys of both forms)', () => {
    const keys = new Set(properties.map((p) => p.key));
    for (const key of [
      'services',
      'triggers',
      'kustomize_image',
      'max_increase',
      'kill_switch',
      'rollback',
    ]) {
      expect(keys).toContain(key);
    }
  });

  it('describes every key: .describe() on the zod field in src/config/schema.ts or trigger-schema.ts', () => {
    const missing = properties
      .filter((p) => typeof p.description !== 'string' || p.description.trim() === '')
      .map((p) => p.at);
    expect(missing, `keys without a description:\n${missing.join('\n')}`).toEqual([]);
  });

  it('keeps each description to one short line', () => {
    const long = properties
      .filter((p) => typeof p.description === 'string')
      .filter((p) => (p.description as string).length > 300 || (p.description as string).includes('\n'))
      .map((p) => `${p.at}: ${String(p.description).length} characters`);
    expect(long, long.join('\n')).toEqual([]);
  });

  it('describes the file itself', () => {
    expect(schema.title).toBe('pinback policy file');
    expect(schema.description).toEqual(expect.any(String));
  });
});

describe('the schema id', () => {
  it('names the committed file at the moving major tag, as an absolute https URL', () => {
    expect(schema.$id).toBe(POLICY_SCHEMA_ID);
    expect(POLICY_SCHEMA_ID).toMatch(
      /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/pinback\/v\d+\/schema\/pinback\.schema\.json$/,
    );
  });

  it("is the URL the README's yaml-language-server modeline hands out", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`# yaml-language-server: $schema=${POLICY_SCHEMA_ID}`);
  });

  it('belongs to the repository that action.yml users name in `uses:`', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const owner = /uses: ([\w-]+)\/pinback@v\d+/.exec(readme)?.[1];
    expect(POLICY_SCHEMA_ID).toContain(`/${owner}/pinback/`);
  });
});
