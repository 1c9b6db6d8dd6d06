/**
 * JSONPath (RFC 9535, via `jsonpath-rfc9535`: no script evaluation) for the http provider's `select`.
 * Pure: the policy-file validator checks `select` with it without loading the HTTP provider.
 */
import { query as jsonPathQuery } from 'jsonpath-rfc9535';

/** Undefined when `expression` is a valid JSONPath, else why not (for the policy-file validator). */
export function checkSelect(expression: string): string | undefined {
  try {
    jsonPathQuery(null, expression);
    return undefined;
  } catch (error) {
    return `select ${JSON.stringify(expression)} is not a valid JSONPath: ${error instanceof Error ? error.message : String(error)}`;
  }
}
