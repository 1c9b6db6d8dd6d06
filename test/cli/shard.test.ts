import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { UsageError } from '../../src/config/errors.js';
import { shardOf } from '../../src/config/shard-of.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { BREACHING, FORTY, shardedWorkspace } from '../support/shards.js';

describe('--shard K/N on the command line', () => {
  it.each(['run', 'evaluate', 'check', 'backtest'])('is an option of pinback %s', (command) => {
    const line = parseCommandLine([command, '--shard', '2/4']);
    expect(line).toMatchObject({ kind: 'command', command });
  });

  it('is part of the selection, beside the services chosen and none of them', () => {
    const line = parseCommandLine(['evaluate', '--service', 'api-*', '--shard', '2/4', '--service', 'db']);
    expect(line.kind === 'command' && line.selection).toEqual({
      terms: ['api-*', 'db'],
      shard: { index: 2, count: 4 },
    });
    expect(line.kind === 'command' && line.values.service).toEqual(['api-*', 'db']);
  });

  it('is absent from the selection when not given', () => {
    const line = parseCommandLine(['run', '--service', 'db']);
    expect(line.kind === 'command' && line.selection).toEqual({ terms: ['db'] });
  });

  it.each([
    ['audit', '--shard does not apply to pinback audit'],
    ['demo', '--shard does not apply to pinback demo'],
  ])('is refused by pinback %s', (command, message) => {
    expect(() => parseCommandLine([command, '--shard', '1/2'])).toThrow(message);
  });

  it.each([
    ['0/4', 'K must be from 1 to N'],
    ['5/4', 'K must be from 1 to N'],
    ['1/300', 'N must be from 1 to 256'],
    ['half', 'must be K/N'],
  ])('refuses %s before anything is read: %s', (value, why) => {
    expect(() => parseCommandLine(['run', '--shard', value])).toThrow(UsageError);
    expect(() => parseCommandLine(['run', '--shard', value])).toThrow(
      new RegExp(`^--shard ${why}: .*not "${value}"; see pinback run --help$`),
    );
  });
});

describe('pinback evaluate --shard K/4 over 40 services (the bundled CLI)', () => {
  let dir: string;
  const evaluate = (...extra: string[]) =>
    runCli(['evaluate', '-c', join(dir, 'pinback.yml'), '--json', ...extra], { cwd: dir });
  const names = (stdout: string) => (JSON.parse(stdout) as Report).services.map((s) => s.service);

  beforeAll(() => {
    dir = shardedWorkspace(FORTY, { pinned: false }).dir;
  });

  it('evaluates each service exactly once over the 4 runs', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map((k) => evaluate('--shard', `${k}/4`)));
    for (const r of runs) expect(r.code).toBe(0);
    const seen = runs.flatMap((r) => names(r.stdout));
    expect(seen.toSorted()).toEqual(FORTY);
    // Every shard has some work: a hash that put everything in one shard would pass the line above.
    for (const r of runs) expect(names(r.stdout).length).toBeGreaterThan(0);
    const stops = runs.flatMap((r) =>
      (JSON.parse(r.stdout) as Report).services.filter((s) => s.decision === 'stop'),
    );
    expect(stops.map((s) => s.service)).toEqual([BREACHING]);
  });

  it('splits what a glob picks, the same way (shard ∘ glob)', async () => {
    const all = await evaluate('--service', 'svc-0*');
    const runs = await Promise.all(
      [1, 2, 3, 4].map((k) => evaluate('--service', 'svc-0*', '--shard', `${k}/4`)),
    );
    expect(runs.flatMap((r) => names(r.stdout)).toSorted()).toEqual(names(all.stdout));
    expect(names(all.stdout)).toEqual(FORTY.slice(0, 9));
  });

  it('has nothing to do, exit 0, in a shard that holds none of the services asked for', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((k) => evaluate('--service', 'svc-01', '--shard', `${k}/4`)),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.map((r) => names(r.stdout).length).toSorted()).toEqual([0, 0, 0, 1]);
  });

  it('says so in one line for people, exit 0, in a shard that holds none of the services asked for', async () => {
    const k = (shardOf('svc-01', 4) % 4) + 1;
    const r = await runCli(
      ['evaluate', '-c', join(dir, 'pinback.yml'), '--service', 'svc-01', '--shard', `${k}/4`],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`nothing to do: shard ${k}/4 does not hold svc-01, the one chosen service\n`);
    expect(r.stderr).toBe('');
  });

  it('counts the chosen services the shard holds none of', async () => {
    // Nine services over 16 shards: some shard holds none of them.
    const nine = FORTY.slice(0, 9);
    const k = Array.from({ length: 16 }, (_, i) => i + 1).find(
      (i) => !nine.some((n) => shardOf(n, 16) === i),
    )!;
    const r = await runCli(
      ['evaluate', '-c', join(dir, 'pinback.yml'), '--service', 'svc-0*', '--shard', `${k}/16`],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`nothing to do: shard ${k}/16 holds none of the 9 chosen services\n`);
  });

  it.each([
    ['a glob that matches nothing', ['--service', 'web-*'], 'no service matches web-* in'],
    ['a misspelt name, with a did-you-mean', ['--service', 'svc-100'], 'did you mean svc-10?'],
    ['an unknown name, even in a shard', ['--service', 'nope', '--shard', '1/4'], 'no service nope in'],
    ['a bad shard', ['--shard', '5/4'], '--shard K must be from 1 to N'],
  ])('exits 2 on %s', async (_what, extra, message) => {
    const r = await evaluate(...extra);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('pinback run, check and backtest in a shard that holds none of the services asked for', () => {
  let dir: string;
  /** A shard of 4 without svc-01, and the line it prints. */
  const k = (shardOf('svc-01', 4) % 4) + 1;
  const line = `nothing to do: shard ${k}/4 does not hold svc-01, the one chosen service\n`;
  const cli = (command: string, ...extra: string[]) =>
    runCli([command, '-c', join(dir, 'pinback.yml'), '--service', 'svc-01', '--shard', `${k}/4`, ...extra], {
      cwd: dir,
    });

  beforeAll(() => {
    // No GitOps repository anywhere: a shard with nothing to do opens none.
    dir = shardedWorkspace(FORTY, { pinned: false }).dir;
  });

  it.each(['run', 'check', 'backtest'])('pinback %s prints the line and exits 0', async (command) => {
    const r = await cli(command);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(line);
    expect(r.stderr).toBe('');
  });

  it.each<[string, unknown]>([
    ['run', { version: 1, services: [] }],
    ['backtest', { version: 1, summary: { deploys: 0, rolled_back: 0 }, deploys: [] }],
  ])(
    'pinback %s --json prints its output over no service, for a merge of the shards',
    async (command, json) => {
      const r = await cli(command, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject(json as object);
    },
  );

  it("still refuses the command's bad flags, as the other shards do: exit 2", async () => {
    const r = await cli('run', '--watch', 'soon');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--watch takes a duration');
  });
});
