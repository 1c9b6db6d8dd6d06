/**
 * The metrics files a run will read, checked before it starts: a file that is not there would leave
 * every trigger reading it without data, and the run would pass as inconclusive.
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { unreadable } from './local-files.js';
import { IMPLICIT_FILE_PROVIDER, type Policy } from './policy.js';

/** Where the run's file providers read: as `providersFor` (src/metrics/registry.ts) resolves them. */
export interface MetricsSource {
  /** The folder a relative `providers.X.path` is read from (the CLI: the policy file's; the Action: the workspace). */
  baseDir: string;
  /** The CLI's `--metrics-file` (relative to the working directory): replaces every file provider's path. */
  metricsFile?: string | undefined;
}

const CONSEQUENCE = 'without it every trigger reading it has no data and pinback judges nothing';

/**
 * Checks the metrics files the policy's triggers read. Throws a UsageError for a `--metrics-file`
 * that cannot be read; returns the policy's own problems (a file provider's `path`, a trigger with
 * no metrics source at all) by key path, for the caller to locate in the file.
 */
export async function metricsFileIssues(
  policy: Policy,
  source: MetricsSource,
  triggerPath: (service: string, trigger: string) => PropertyKey[],
): Promise<Array<{ path: PropertyKey[]; message: string }>> {
  if (source.metricsFile !== undefined) {
    const why = await unreadable(resolve(source.metricsFile), 'a metrics file');
    if (why) throw new UsageError(`--metrics-file ${source.metricsFile}: ${why}; ${CONSEQUENCE}`);
    return [];
  }
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const used = new Map<string, { service: string; trigger: string }>();
  for (const s of policy.services)
    for (const q of s.queries)
      if (!used.has(q.provider)) used.set(q.provider, { service: s.name, trigger: q.name });
  for (const [name, first] of used) {
    const config = policy.providers[name];
    if (config === undefined && name === IMPLICIT_FILE_PROVIDER) {
      issues.push({
        path: triggerPath(first.service, first.trigger),
        message:
          'no metrics source: this trigger names no provider and none is declared under providers:; ' +
          'declare one (e.g. providers: {metrics: {type: file, path: metrics.json}}) or, with the CLI, ' +
          'pass --metrics-file FILE',
      });
      continue;
    }
    if (config?.type !== 'file') continue;
    const why = await unreadable(resolve(source.baseDir, config.path), 'a metrics file');
    if (why) {
      issues.push({
        path: ['providers', name, 'path'],
        message:
          `${why}${isAbsolute(config.path) ? '' : ` (a relative path is read from ${source.baseDir})`}; ` +
          `${CONSEQUENCE}: write the file before pinback runs, or fix the path`,
      });
    }
  }
  return issues;
}
