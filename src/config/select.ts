import { UsageError } from './errors.js';
import type { Policy, ServicePolicy } from './policy.js';

/**
 * The services a command was asked about: all of them, or the named ones. A name the policy does
 * not have is a usage error, for every command alike: a guard must never quietly guard nothing.
 */
export function selectServices(policy: Policy, names: readonly string[] | undefined): ServicePolicy[] {
  if (!names?.length) return policy.services;
  const known = new Set(policy.services.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(
      `no service ${unknown.join(', ')} in ${policy.file} (services: ${[...known].join(', ')})`,
    );
  }
  return policy.services.filter((s) => names.includes(s.name));
}
