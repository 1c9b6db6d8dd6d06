import { describe, expect, it } from 'vitest';
import { historyFirst, planReads } from '../../src/github/read-plan.js';
import { type ReadRequest, StoreError } from '../../src/gitops/store.js';

const T1 = new Date('2024-05-01T10:00:00Z');
const T2 = new Date('2024-05-01T12:00:00Z');
const read = (historyOf: string, limit: number, since?: Date, files: string[] = []): ReadRequest => ({
  files,
  historyOf,
  limit,
  since,
});

describe('planReads: the walks of a batch', () => {
  it.each<[string, ReadRequest[], { path: string; since?: string; first: number; want: number }[]]>([
    [
      'one walk per file',
      [read('a', 50), read('b', 50)],
      [
        { path: 'a', first: 63, want: 0 },
        { path: 'b', first: 63, want: 0 },
      ],
    ],
    [
      'one walk for a file named twice, as deep as the deepest',
      [read('a', 2), read('a', 50)],
      [{ path: 'a', first: 63, want: 0 }],
    ],
    [
      'one walk for the same file and `since`, wanting the most since',
      [read('a', 2, T1), read('a', 9, T1)],
      [{ path: 'a', since: T1.toISOString(), first: 12, want: 1009 }],
    ],
    [
      'a walk each for another `since`: `until` differs',
      [read('a', 5, T1), read('a', 5, T2), read('a', 5)],
      [
        { path: 'a', since: T1.toISOString(), first: 7, want: 1005 },
        { path: 'a', since: T2.toISOString(), first: 7, want: 1005 },
        { path: 'a', first: 7, want: 0 },
      ],
    ],
    ['no walk for a read without history', [read('a', 0, T1)], []],
    [
      'paths normalized before they are compared',
      [read('./a//b', 1), read('a/b', 1)],
      [{ path: 'a/b', first: 2, want: 0 }],
    ],
  ])('%s', (_, requests, walks) => {
    expect(
      planReads(requests).walks.map(({ id: _id, ...w }) => ({ ...w, since: w.since ?? undefined })),
    ).toEqual(walks.map((w) => ({ since: undefined, ...w })));
  });

  it('keeps each request its own limit, files and `since` (none where it reads no history)', () => {
    const [a, b] = planReads([read('a', 3, T1, ['./x', 'a']), read('a', 0, T1)]).reads;
    expect(a).toMatchObject({
      path: 'a',
      limit: 3,
      since: T1,
      files: [
        { key: './x', path: 'x' },
        { key: 'a', path: 'a' },
      ],
    });
    expect(a!.walk).toBeDefined();
    expect(b).toMatchObject({ limit: 0, since: undefined, walk: undefined });
  });

  it.each([
    ['an unsafe history path', read('../etc/passwd', 1), /escape the repository/],
    ['an unsafe file', read('a', 1, undefined, ['.git/config']), /\.git directory/],
    ['an invalid `since`', read('a', 1, new Date(Number.NaN)), /history since must be a valid time/],
  ])('refuses %s', (_, request, message) => {
    expect(() => planReads([request])).toThrow(StoreError);
    expect(() => planReads([request])).toThrow(message);
  });
});

describe('planReads: the pages of a batch', () => {
  const many = (n: number, files = 1) =>
    Array.from({ length: n }, (_, i) =>
      read(
        `p${i}`,
        50,
        undefined,
        Array.from({ length: files }, (_, k) => `f${i}-${k}`),
      ),
    );

  it.each<[string, ReadRequest[], { paths: number; files: number }[]]>([
    ['no page for no request', [], []],
    [
      'one page for a read without history: it resolves the head',
      [read('a', 0, undefined, ['x'])],
      [{ paths: 0, files: 1 }],
    ],
    ['one page up to 100 history files', many(100), [{ paths: 100, files: 100 }]],
    ['pages of about equal size past 125', many(300), [100, 100, 100].map((n) => ({ paths: n, files: n }))],
    [
      '8 pages for 1,000 services',
      many(1000, 2),
      Array.from({ length: 8 }, () => ({ paths: 125, files: 250 })),
    ],
    [
      'more pages where the files alone need them (300 a page)',
      many(10, 70),
      [
        { paths: 4, files: 234 },
        { paths: 4, files: 234 },
        { paths: 2, files: 232 },
      ],
    ],
  ])('%s', (_, requests, pages) => {
    expect(planReads(requests).pages.map((p) => ({ paths: p.paths.length, files: p.files.length }))).toEqual(
      pages,
    );
  });

  it('reads each file once, and every walk of a file on the page of its chain aliases', () => {
    const { pages } = planReads(
      [read('a', 1, T1, ['x', 'y']), read('a', 1, T2, ['y']), read('b', 1, undefined, ['x'])],
      {
        paths: 1,
        files: 300,
      },
    );
    expect(pages.map((p) => [p.paths, p.walks.map((w) => w.path), p.files])).toEqual([
      [['a'], ['a', 'a'], ['x']],
      [['b'], ['b'], ['y']],
    ]);
  });

  it.each([
    [0, 0],
    [1, 2],
    [4, 5],
    [50, 63],
    [80, 100],
    [500, 100],
  ])('reads %i entries as %i: a quarter more for merges, at most a connection of 100', (limit, first) => {
    expect(historyFirst(limit)).toBe(first);
  });
});
