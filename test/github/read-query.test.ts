import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Walk } from '../../src/github/read-plan.js';
import { roundQuery, type RoundSpec } from '../../src/github/read-query.js';
import { callCost } from '../support/fake-github/cost.js';
import { githubSchema } from '../support/fake-github/graphql.js';

const SINCE = '2024-05-01T10:00:00.000Z';
const walks = (n: number, since?: string): Walk[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i,
    path: `apps/svc-${i}/pin.yaml`,
    since,
    first: 63,
    want: 1050,
  }));
const page = (n: number, o: { since?: string; first?: boolean } = {}): RoundSpec => ({
  at: o.first === false ? { head: 'a'.repeat(40) } : { branch: 'main' },
  files: Array.from({ length: 3 * n }, (_, i) => `f/${i}.yaml`),
  walks: walks(n, o.since),
  chain: n > 0 ? { paths: walks(n).map((w) => w.path), parents: o.first !== false } : undefined,
  recent: [],
  merges: [],
  reach: [],
});
const merges = (n: number): RoundSpec => ({
  at: { head: 'a'.repeat(40) },
  files: [],
  walks: [],
  chain: undefined,
  recent: [],
  merges: Array.from({ length: n }, (_, i) => ({ sha: `${i}`.padStart(40, 'b'), paths: ['p/a', 'p/b'] })),
  reach: Array.from({ length: n }, (_, i) => ({ sha: `${i}`.padStart(40, 'c'), paths: ['p/a', 'p/b'] })),
});

/** What GitHub would charge for the round, by its published formula (the stand-in's). */
function measured(spec: RoundSpec) {
  const q = roundQuery(spec, 'acme', 'gitops');
  const document = parse(q.query);
  expect(validate(githubSchema(), document)).toEqual([]);
  const { cost, nodes } = callCost(githubSchema(), document, q.operation, q.variables);
  return { operation: q.operation, cost, nodes, variables: Object.keys(q.variables).length };
}

describe('the rounds of a batched read, as GitHub validates and charges them', () => {
  it.each<[string, RoundSpec, { operation: string; cost: number; nodes: number }]>([
    ['the first page of 2 services', page(2), { operation: 'PinbackRead', cost: 1, nodes: 1026 }],
    [
      'the first page on the default branch, files alone',
      { ...page(0), at: { branch: undefined }, files: ['a.yaml'] },
      { operation: 'PinbackRead', cost: 1, nodes: 0 },
    ],
    [
      'the first page of 2 services, read back by time',
      page(2, { since: SINCE }),
      {
        operation: 'PinbackRead',
        cost: 1,
        nodes: 1226,
      },
    ],
    [
      'the first page of 100 services, by time',
      page(100, { since: SINCE }),
      {
        operation: 'PinbackRead',
        cost: 3,
        nodes: 17_200,
      },
    ],
    [
      'a later page of 100 services: the head by id, the chain without parents',
      page(100, { since: SINCE, first: false }),
      {
        operation: 'PinbackRead',
        cost: 2,
        nodes: 16_400,
      },
    ],
    [
      'a full page: 125 services, by time',
      page(125, { since: SINCE }),
      {
        operation: 'PinbackRead',
        cost: 4,
        nodes: 21_275,
      },
    ],
    ['the merges of a page, on their own', merges(50), { operation: 'PinbackMerges', cost: 1, nodes: 100 }],
  ])('%s', (_, spec, expected) => {
    expect(measured(spec)).toMatchObject(expected);
  });

  it('sends each path and time once, however many parts name it', () => {
    // 100 paths (the files, the walks and the chain share them), 300 files, the time, the branch.
    expect(measured(page(100, { since: SINCE })).variables).toBe(2 + 100 + 300 + 1 + 1);
  });

  it('names a round by what it reads: a page, merges alone, or more changes alone', () => {
    const recent: RoundSpec = { ...merges(0), recent: [{ walk: walks(1, SINCE)[0]!, after: 'Y3Vyc29y' }] };
    expect(measured(recent)).toMatchObject({ operation: 'PinbackRecent', cost: 1, nodes: 100 });
  });
});
