import { policyJsonSchema } from './load.js';
import { LOCATOR_KEYS } from './schema.js';

/**
 * A string holding a `${NAME}` the loader substitutes before validating (src/config/yaml-tree.ts):
 * one preceded by an even run of `$` (`$$` is a literal `$`, so `$${NAME}` is no reference).
 */
const ENV_REFERENCE_PATTERN = '(?:^|[^$])(?:\\$\\$)*\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}';

/** The kill switch's locators; its zod schema takes exactly one of them. */
const KILL_SWITCH_LOCATORS = ['yaml_path', 'regex'] as const;

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

const hasProperties = (node: Node, keys: readonly string[]): boolean =>
  isNode(node.properties) && keys.every((k) => k in (node.properties as Node));

const exactlyOne = (keys: readonly string[]) => ({ oneOf: keys.map((k) => ({ required: [k] })) });

/**
 * zod's JSON Schema says less than the loader checks, and more than the raw file must satisfy:
 * - a `${VAR}` is substituted before validation, so a URL field holds a URI or a `${VAR}` reference
 *   (an editor sees the file as written);
 * - a pin (and a kill switch) takes exactly one locator, a superRefine that zod cannot export.
 * Each rule finds its objects by shape and the generator throws when one finds none, so a change of
 * the zod schema cannot silently drop a rule.
 */
function editorSchema(schema: unknown): unknown {
  const found = { uri: 0, pin: 0, killSwitch: 0 };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isNode(node)) return node;
    const out: Node = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)]));
    if (out.type === 'string' && out.format === 'uri') {
      found.uri++;
      const { format, ...rest } = out;
      return { ...rest, anyOf: [{ format }, { pattern: ENV_REFERENCE_PATTERN }] };
    }
    if (out.type === 'object' && hasProperties(out, ['file', ...LOCATOR_KEYS])) {
      found.pin++;
      return { ...out, ...exactlyOne(LOCATOR_KEYS) };
    }
    if (out.type === 'object' && hasProperties(out, ['file', 'value', ...KILL_SWITCH_LOCATORS])) {
      found.killSwitch++;
      return { ...out, ...exactlyOne(KILL_SWITCH_LOCATORS) };
    }
    return out;
  };
  const result = visit(schema);
  const missing = Object.entries(found).filter(([, n]) => n === 0);
  if (missing.length > 0) {
    throw new Error(
      `the policy JSON Schema has no ${missing.map(([k]) => k).join(', ')} field: update src/config/json-schema.ts`,
    );
  }
  return result;
}

/**
 * Where editors and SchemaStore fetch the schema: the file at the moving major tag, so a `$schema`
 * modeline keeps validating against the newest v1 release (README "Editors and SchemaStore").
 */
export const POLICY_SCHEMA_ID =
  'https://raw.githubusercontent.com/acme/pinback/v1/schema/pinback.schema.json';

const POLICY_SCHEMA_DESCRIPTION =
  'A pinback policy: which GitOps pins to guard, the metrics that judge a candidate, and what a rollback does ' +
  '(https://github.com/acme/pinback#the-policy-file).';

/** The JSON Schema of a policy file as written (before `${VAR}` substitution), for editors and tests. */
export function policyEditorSchema(): unknown {
  const { $schema, title, ...rest } = editorSchema(policyJsonSchema()) as Node;
  // $id first: the schema names itself, so a validator resolves it and an editor caches it by that name.
  return { $schema, $id: POLICY_SCHEMA_ID, title, description: POLICY_SCHEMA_DESCRIPTION, ...rest };
}

/** The text of schema/pinback.schema.json; a test keeps the committed file equal to it. */
export function policySchemaText(): string {
  return `${JSON.stringify(policyEditorSchema(), null, 2)}\n`;
}
