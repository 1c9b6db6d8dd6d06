import { describe, expect, it } from 'vitest';
import { summaryMarkdown, usageLine } from '../../src/action/summary.js';
import type { StoreUsage } from '../../src/gitops/store.js';
import type { Report } from '../../src/report.js';
import { serviceLine, withData } from '../support/report.js';

const points = (used: number, remaining: number, resetAt?: string) => ({
  used,
  remaining,
  limit: 5000,
  resetAt,
});

describe('the job summary says what the run spent of the GitHub API', () => {
  it.each<[string, StoreUsage | undefined, string | undefined]>([
    [
      'requests by kind, points used, and the budget left until it resets',
      { requests: 3, reads: 2, writes: 1, points: points(4, 4996, '2024-05-01T15:00:00Z') },
      'GitHub API: 3 requests (2 reads, 1 write), 4 rate-limit points used, 4,996 of 5,000 left until 15:00 UTC',
    ],
    [
      'one of each, in the singular',
      { requests: 1, reads: 1, writes: 0, points: points(1, 999, '2024-05-01T09:42:10Z') },
      'GitHub API: 1 request (1 read, 0 writes), 1 rate-limit point used, 999 of 5,000 left until 09:42 UTC',
    ],
    [
      'no reset time where none was reported',
      { requests: 12, reads: 10, writes: 2, points: points(31, 4969) },
      'GitHub API: 12 requests (10 reads, 2 writes), 31 rate-limit points used, 4,969 of 5,000 left',
    ],
    [
      'requests alone where no query reported its cost (only writes were made)',
      { requests: 2, reads: 0, writes: 2 },
      'GitHub API: 2 requests (0 reads, 2 writes)',
    ],
    ['nothing where the store made no request', { requests: 0, reads: 0, writes: 0 }, undefined],
    ['nothing where the store counts nothing (a git store)', undefined, undefined],
  ])('%s', (_, usage, line) => {
    expect(usageLine(usage)).toBe(line);
  });

  const report: Report = { version: 1, services: [serviceLine('api', [withData('errors')], 'allow')] };

  it('ends the summary with that line', () => {
    const usage: StoreUsage = {
      requests: 2,
      reads: 1,
      writes: 1,
      points: points(1, 4998, '2024-05-01T15:00:00Z'),
    };
    const md = summaryMarkdown(report, 'schedule', usage);
    expect(md.trimEnd().split('\n').at(-1)).toBe(
      'GitHub API: 2 requests (1 read, 1 write), 1 rate-limit point used, 4,998 of 5,000 left until 15:00 UTC',
    );
    expect(summaryMarkdown(report, 'schedule')).not.toContain('GitHub API');
  });
});
