import { UsageError } from './errors.js';
import { compileGlob, isGlob } from './glob.js';
import type { Policy, ServicePolicy } from './policy.js';
import { formatShard, type Shard } from './shard.js';
import { inShard } from './shard-of.js';
import { didYouMean } from './suggest.js';

/**
 * What a command was asked to look at: the terms it was given (`--service`, the Action's
 * `services`, a dispatch's services or service), then this run's shard of what they pick
 * (`--shard`, the Action's `shard`). Two fields, not one list: the shard is no service name, and
 * each source of terms (an input, an event) comes and goes without taking the shard with it.
 */
export interface Selection {
  /** Service names and globs (glob.ts); none, or an empty list: every service. */
  terms?: readonly string[] | undefined;
  /** The share of the chosen services this run takes, when N runs split them (shard.ts). */
  shard?: Shard | undefined;
}

/** How many services an error message names before it only counts the rest. */
const LISTED = 20;

function listed(names: readonly string[]): string {
  if (names.length <= LISTED) return names.join(', ');
  return `${names.slice(0, LISTED).join(', ')}, … (${names.length} in all)`;
}

function compiled(term: string): (name: string) => boolean {
  const glob = compileGlob(term);
  if (!glob.ok) throw new UsageError(`service pattern "${term}": ${glob.problem}`);
  return glob.match;
}

/** Every name or glob that picks at least one service, or a usage error naming those that pick none. */
function byTerms(policy: Policy, terms: readonly string[]): ServicePolicy[] {
  const known = policy.services.map((s) => s.name);
  const chosen = new Set<string>();
  const unknownNames: string[] = [];
  const emptyGlobs: string[] = [];
  for (const term of terms) {
    if (!isGlob(term)) {
      if (known.includes(term)) chosen.add(term);
      else unknownNames.push(term);
      continue;
    }
    const hits = known.filter(compiled(term));
    if (!hits.length) emptyGlobs.push(term);
    for (const h of hits) chosen.add(h);
  }
  if (unknownNames.length || emptyGlobs.length) {
    const hints = unknownNames.flatMap((n) => {
      const h = didYouMean(n, known);
      return h ? [unknownNames.length > 1 ? `${h} for ${n}` : h] : [];
    });
    const what = [
      ...(unknownNames.length ? [`no service ${unknownNames.join(', ')}`] : []),
      ...(emptyGlobs.length ? [`no service matches ${emptyGlobs.join(', ')}`] : []),
    ];
    const notes = [
      ...(hints.length ? [`did you mean ${hints.join(', ')}?`] : []),
      ...(emptyGlobs.length || hints.length < unknownNames.length ? [`services: ${listed(known)}`] : []),
    ];
    throw new UsageError(`${what.join('; ')} in ${policy.file} (${notes.join('; ')})`);
  }
  // Policy order, each service once, however many terms picked it.
  return policy.services.filter((s) => chosen.has(s.name));
}

/** The services the terms pick, before any shard: all of them when there are no terms. */
function chosenBy(policy: Policy, terms: readonly string[] | undefined): ServicePolicy[] {
  return terms?.length ? byTerms(policy, terms) : policy.services;
}

/**
 * The services a command was asked about: all of them, or those the names and globs pick, then of
 * those the shard's share (shard ∘ glob). A name the policy does not have, or a glob that matches
 * none of its services, is a usage error for every command alike: a guard must never quietly guard
 * nothing. A shard left with no service is not: with N shards over few services some hold none,
 * and such a run has nothing to do (`nothingToDo` says so).
 */
export function selectServices(policy: Policy, selection: Selection = {}): ServicePolicy[] {
  const chosen = chosenBy(policy, selection.terms);
  const { shard } = selection;
  return shard ? chosen.filter((s) => inShard(s.name, shard)) : chosen;
}

/**
 * The line a run prints when its shard holds none of the services chosen (`nothing to do: shard
 * 3/4 holds none of the 12 chosen services`), so that an empty report reads as a decision, not as a
 * guard that saw nothing; undefined when there is something to do. Only a shard can empty a
 * selection: terms that pick nothing are a usage error (selectServices).
 */
export function nothingToDo(policy: Policy, selection: Selection): string | undefined {
  const { shard } = selection;
  if (!shard) return undefined;
  const chosen = chosenBy(policy, selection.terms);
  if (chosen.some((s) => inShard(s.name, shard))) return undefined;
  const of = formatShard(shard);
  return chosen.length === 1
    ? `nothing to do: shard ${of} does not hold ${chosen[0]!.name}, the one chosen service`
    : `nothing to do: shard ${of} holds none of the ${chosen.length} chosen services`;
}

/**
 * Terms as a test of names, for a command with no policy to choose from (`audit` from the
 * trailers alone, where the services are those its records name): a name matches itself, a glob
 * what it matches. A malformed glob is a usage error, as in selectServices.
 */
export function matchesTerms(terms: readonly string[]): (name: string) => boolean {
  const tests = terms.map((t) => (isGlob(t) ? compiled(t) : (name: string) => name === t));
  return (name) => tests.some((test) => test(name));
}
