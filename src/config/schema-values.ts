/**
 * The value types the policy schema is built from (schema.ts, provider-schema.ts, pin-schema.ts,
 * seed-schema.ts): names, files, paths and versions checked by values.ts, URLs.
 */
import { z } from 'zod';
import { regexProblem, repoPathProblem, versionProblem, yamlPathProblem } from './values.js';

export const NAME_CHARACTERS = 'letters, digits, ".", "_" and "-", starting with a letter or a digit';
export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  message: `use ${NAME_CHARACTERS}`,
});

/** A map keyed by names: a bad key says what a name may hold (zod's own message is "Invalid key in record"). */
export const named = <T extends z.ZodType>(what: string, value: T) =>
  z.record(name, value, {
    error: (issue) =>
      issue.code === 'invalid_key' ? `a ${what} name holds only ${NAME_CHARACTERS}` : undefined,
  });

/** A string checked by one of values.ts's `...Problem` functions. */
export const checked = (problem: (value: string) => string | undefined) =>
  z
    .string()
    .min(1, { abort: true })
    .superRefine((value, ctx) => {
      const why = problem(value);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });

/** A file of the GitOps repository: relative, inside it, not in `.git/`. */
export const repoFile = checked(repoPathProblem);
export const yamlPath = checked(yamlPathProblem);
export const regex = checked(regexProblem);
export const version = checked(versionProblem);
export const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

export const schemaRef = z.string().optional().describe('The JSON Schema of this file, for editors.');
