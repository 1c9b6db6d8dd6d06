import type { Mode } from '../config/policy.js';
import { splitTerms } from '../config/glob.js';
import { parseShard, type Shard } from '../config/shard.js';

export type ActionMode = Mode | 'gate' | 'doctor';

/** The Action's inputs, read and checked once (actions/checkout's settings object). */
export interface Settings {
  config: string;
  token: string;
  gitopsRepo: string | undefined;
  gitopsBranch: string | undefined;
  /** undefined: each service's own `mode` (the input's `auto`). */
  mode: ActionMode | undefined;
  /** The `services` input: names and globs; empty, every service (or a dispatch's own). */
  services: string[];
  /** The `shard` input (K/N): this matrix job's share of the services chosen, whoever chose them. */
  shard: Shard | undefined;
  watchMs: number | undefined;
  intervalMs: number;
  failOnStop: boolean;
  /** `fail-on-no-data`: fail the step when some service had no data for any of its triggers. */
  failOnNoData: boolean;
  /** `record-statuses`: every judgement as a commit status on the pin commit (GitHub stores only). */
  recordStatuses: boolean;
}

export class InputError extends Error {
  override name = 'InputError';
}

export function readSettings(
  input: (name: string) => string,
  parseDuration: (s: string) => number | undefined,
): Settings {
  const mode = input('mode') || 'auto';
  if (!['auto', 'propose', 'dry-run', 'gate', 'doctor'].includes(mode)) {
    throw new InputError(`input mode must be auto, propose, dry-run, gate or doctor, not "${mode}"`);
  }
  const duration = (name: string, fallback?: string): number | undefined => {
    const raw = input(name) || fallback;
    if (!raw) return undefined;
    const ms = parseDuration(raw);
    if (ms === undefined || ms <= 0)
      throw new InputError(`input ${name} must be a duration such as 30s, 10m or 1h, not "${raw}"`);
    return ms;
  };
  const flag = (name: string, fallback = 'false'): boolean => {
    const raw = input(name) || fallback;
    const value = raw.toLowerCase();
    if (!['true', 'false'].includes(value))
      throw new InputError(`input ${name} must be true or false, not "${raw}"`);
    return value === 'true';
  };
  const shardText = input('shard').trim();
  const shard = shardText ? parseShard(shardText) : undefined;
  if (shard && !shard.ok) throw new InputError(`input shard ${shard.problem}`);
  return {
    config: input('config') || '.github/pinback.yml',
    token: input('token'),
    gitopsRepo: input('gitops-repo') || undefined,
    gitopsBranch: input('gitops-branch') || undefined,
    mode: mode === 'auto' ? undefined : (mode as ActionMode),
    services: splitTerms(input('services')),
    shard: shard?.shard,
    watchMs: duration('watch'),
    intervalMs: duration('interval', '1m')!,
    failOnStop: flag('fail-on-stop'),
    failOnNoData: flag('fail-on-no-data'),
    recordStatuses: flag('record-statuses', 'true'),
  };
}
