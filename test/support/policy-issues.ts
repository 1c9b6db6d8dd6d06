import { parsePolicy } from '../../src/config/load.js';
import { PolicyError } from '../../src/config/errors.js';

/** The lines of the PolicyError a policy text is refused with (each `FILE:LINE:COL: path: message`). */
export function issuesOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parsePolicy(text, 'policy.yml', env);
  } catch (e) {
    if (e instanceof PolicyError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a PolicyError');
}
