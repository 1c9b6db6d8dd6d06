import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Options each command's help explains, and one option it must not list. */
const COMMANDS = {
  run: {
    has: ['--watch DURATION', '--mode auto|dry-run', '--incident-dir DIR', '--gitops PATH|URL'],
    not: '--series',
  },
  evaluate: { has: ['--candidate V', '--since TIME', '--gitops PATH|URL', '--branch B'], not: '--watch' },
  audit: { has: ['--gitops PATH|URL', '--service S', '--json'], not: '--metrics-file' },
  check: { has: ['--gitops PATH|URL', '--service S'], not: '--json' },
  backtest: { has: ['--series FILE', '--step DURATION'], not: '--mode' },
  demo: { has: ['--help'], not: '--gitops' },
} as const;

describe('pinback --help', () => {
  it('lists every command with one line on what it does', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: pinback <command> [options]');
    for (const c of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(r.stdout).toContain('pinback <command> --help');
    expect(r.stdout).toContain('Exit codes: 0 completed');
  });

  it('is what `pinback help` and `-h` print too', async () => {
    const [a, b, c] = await Promise.all([runCli(['--help']), runCli(['help']), runCli(['-h'])]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('goes to stderr with exit 2 when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no command given');
    expect(r.stderr).toContain('Usage: pinback <command> [options]');
  });
});

describe('pinback <command> --help', () => {
  it.each(Object.entries(COMMANDS))(
    '%s prints its own usage, with its options explained',
    async (name, o) => {
      const r = await runCli([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`Usage: pinback ${name}`)).toBe(true);
      for (const flag of o.has) expect(r.stdout).toMatch(new RegExp(`^ +(-\\w, )?${escape(flag)} +\\S`, 'm'));
      expect(r.stdout).not.toContain(o.not);
      expect(r.stdout).toContain('Exit codes:');
    },
  );

  it('is the same as `pinback help <command>` and `-h` after the command', async () => {
    const [a, b, c] = await Promise.all([
      runCli(['run', '--help']),
      runCli(['help', 'run']),
      runCli(['run', '-h']),
    ]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('wins over the other options: nothing runs', async () => {
    const r = await runCli(['run', '--gitops', '/nonexistent', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('Usage: pinback run')).toBe(true);
  });

  it('names an unknown help topic with exit 2', async () => {
    const r = await runCli(['help', 'chek']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "chek" (did you mean "check"?)');
  });
});

describe('pinback --version', () => {
  it.each([{ args: ['--version'] }, { args: ['-V'] }, { args: ['run', '--version'] }])(
    '$args prints the version of package.json',
    async ({ args }) => {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    },
  );

  it('is in the global help', async () => {
    expect((await runCli(['--help'])).stdout).toContain(`pinback ${VERSION}`);
  });
});

describe('options a command does not know', () => {
  it('suggests the option meant, with exit 2', async () => {
    const r = await runCli(['evaluate', '--gitop', 'repo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'pinback: unknown option --gitop for pinback evaluate (did you mean --gitops?); see pinback evaluate --help\n',
    );
  });

  it('suggests an option written with = too', async () => {
    const r = await runCli(['audit', '--servce=api']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --servce for pinback audit (did you mean --service?)');
  });

  it('refuses an option of another command, naming the commands it belongs to', async () => {
    const r = await runCli(['evaluate', '--watch', '5m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'pinback: --watch does not apply to pinback evaluate (it is an option of pinback run); see pinback evaluate --help\n',
    );
  });

  it('refuses --json for check, and --series for run', async () => {
    const check = await runCli(['check', '--json']);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('--json does not apply to pinback check');
    const run = await runCli(['run', '--series', 'x.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--series does not apply to pinback run (it is an option of pinback backtest)',
    );
  });

  it('refuses a stray argument and a missing value', async () => {
    const stray = await runCli(['run', 'api']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('unexpected argument "api" for pinback run');
    const missing = await runCli(['run', '--gitops']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("'--gitops <value>' argument missing");
  });

  it('suggests a command for a misspelt one', async () => {
    const r = await runCli(['evalute']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "evalute" (did you mean "evaluate"?)');
  });

  it('says the command comes first', async () => {
    const r = await runCli(['--json', 'run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the command comes first');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
