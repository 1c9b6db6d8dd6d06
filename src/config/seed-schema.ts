/** The seed form of the policy file: one service judged without a pin (`rollback:`). */
import { z } from 'zod';
import { provider } from './provider-schema.js';
import { named, schemaRef } from './schema-values.js';
import { versionProblem } from './values.js';

const versioned = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+/, { message: 'expected SERVICE@VERSION, e.g. support-agent@2.4.0', abort: true })
  .superRefine((v, ctx) => {
    const why = versionProblem(v.slice(v.indexOf('@') + 1));
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

export const seedForm = z
  .strictObject({
    $schema: schemaRef,
    version: z.literal(1).optional().describe('The version of the policy file format: 1.'),
    providers: named('provider', provider)
      .refine((p) => Object.keys(p).length <= 1, {
        message:
          'the seed form reads every trigger from one provider: declare one, or write the full form ' +
          '(services: with a provider: per trigger)',
      })
      .optional()
      .describe('At most one metrics source; without one, metrics come from a file (--metrics-file).'),
    rollback: z
      .strictObject({
        stable_version: versioned.describe('SERVICE@VERSION to roll back to, e.g. support-agent@2.3.3.'),
        candidate_version: versioned.describe('SERVICE@VERSION under judgement, e.g. support-agent@2.4.0.'),
        stage: z.string().optional().describe('The deployment stage (default production).'),
        triggers: named('trigger', z.number())
          .refine((t) => Object.keys(t).length > 0, {
            message: 'at least one trigger',
          })
          .describe('Trigger name to its maximum: a value above it breaches.'),
        lock_candidate_after_rollback: z
          .boolean()
          .optional()
          .describe('Lock the candidate after a rollback (default true).'),
        require: z
          .int()
          .min(1)
          .optional()
          .describe('How many triggers must breach for the decision stop (default 1).'),
      })
      .describe('One service judged without a pin, each trigger a maximum.'),
  })
  .describe('The seed form: one service judged without a pin.');

export type SeedForm = z.output<typeof seedForm>;
