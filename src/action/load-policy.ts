import { resolve } from 'node:path';
import { PolicyError } from '../config/errors.js';
import { type LoadOptions, loadPolicy } from '../config/load.js';
import type { Policy } from '../config/policy.js';
import type { ActionContext } from './context.js';
import type { Settings } from './settings.js';

/**
 * The policy of an Action run, or the step's failure message: each problem is an error annotation
 * at its line of the policy file; each deprecated key a warning at its line.
 */
export async function loadActionPolicy(
  ctx: Pick<ActionContext, 'env' | 'workspace' | 'log'>,
  settings: Settings,
  options?: LoadOptions,
): Promise<Policy | string> {
  let policy: Policy;
  try {
    policy = await loadPolicy(resolve(ctx.workspace, settings.config), ctx.env, options);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    for (const i of e.issues)
      ctx.log.error(`${i.path ? `${i.path}: ` : ''}${i.message}`, {
        file: settings.config,
        startLine: i.line,
        startColumn: i.col,
        title: 'pinback policy',
      });
    return `${settings.config} is not a valid pinback policy (${e.issues.length} problem(s))`;
  }
  for (const w of policy.warnings ?? [])
    ctx.log.warning(`${w.path}: ${w.message}`, {
      file: settings.config,
      startLine: w.line,
      startColumn: w.col,
      title: 'pinback policy',
    });
  return policy;
}
