import { policyJsonSchema } from './load.js';

/** The text of schema/pinback.schema.json; a test keeps the committed file equal to it. */
export function policySchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
