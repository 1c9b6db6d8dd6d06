/** The policy's `doctor:` key: the readiness minimum of `pinback doctor` (src/doctor/). */
import { z } from 'zod';
import { CHECK_IDS } from '../doctor/checks.js';

const MAX_SCORE = CHECK_IDS.length;

export const doctorSchema = z
  .strictObject({
    require: z
      .array(z.enum(CHECK_IDS, { error: `a doctor check is one of ${CHECK_IDS.join(', ')}` }))
      .optional()
      .describe(
        `Checks every service must pass, else pinback doctor exits 1 (a check that could not be made fails too): ${CHECK_IDS.join(', ')}.`,
      ),
    min_score: z
      .int({ error: `expected a whole number of checks from 0 to ${MAX_SCORE}` })
      .min(0, { error: `expected a whole number of checks from 0 to ${MAX_SCORE}` })
      .max(MAX_SCORE, { error: `there are ${MAX_SCORE} checks: min_score is at most ${MAX_SCORE}` })
      .optional()
      .describe(`The fewest checks (of ${MAX_SCORE}) each service must pass, else pinback doctor exits 1.`),
  })
  .describe(
    'The readiness minimum pinback doctor (the Action: mode: doctor) holds every service to; unset, doctor only reports.',
  );
