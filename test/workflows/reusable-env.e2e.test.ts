import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/cli.js';
import { type Context, runStep, stepOf, type Workflow } from '../support/workflow.js';

/*
 * The `env` step of the reusable workflow's guard job, in bash as the runner runs it: what reaches
 * the Action's step (GITHUB_ENV), what is masked first (`::add-mask::`), and what it refuses. The
 * caller's secrets arrive as the `env` secret's NAME=value lines, or, with `secrets: inherit`, as the
 * secrets named in the input `secrets-to-env`.
 */

const WORKFLOW = parse(readFileSync(join(ROOT, '.github/workflows/pinback.yml'), 'utf8')) as Workflow;
const ENV_STEP = stepOf(WORKFLOW, 'guard', 'env');

const call = (o: { env?: string; names?: string; inherited?: Record<string, string> }): Context => ({
  inputs: { 'secrets-to-env': o.names ?? '' },
  // With `secrets: inherit`, the secrets context holds every secret of the caller's.
  secrets: { env: o.env ?? '', github_token: 'ghs_job', ...o.inherited },
});
const run = (ctx: Context) => runStep(ENV_STEP, ctx, tmpdir());
const masks = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length));
/** The log as the runner shows it: without the mask commands, which it never prints. */
const visible = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe("the reusable workflow's env step", () => {
  it('exports each NAME=value line of the env secret, masking each value before anything else', async () => {
    const r = await run(
      call({
        env: [
          '# the policy reads these',
          'PROMETHEUS_URL=https://prom.acme.test:9090',
          '',
          '  SLACK_WEBHOOK_URL = https://hooks.slack.com/services/T0/B0/s3cr3t=with=equals',
          'PROM_TOKEN=100%real\r',
        ].join('\n'),
      }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.exported).toEqual({
      PROMETHEUS_URL: 'https://prom.acme.test:9090',
      SLACK_WEBHOOK_URL: ' https://hooks.slack.com/services/T0/B0/s3cr3t=with=equals',
      PROM_TOKEN: '100%real',
    });
    // `%` is escaped as the runner reads a command's data (%25), so the mask is the value itself.
    expect(masks(r.stdout)).toEqual([
      'https://prom.acme.test:9090',
      ' https://hooks.slack.com/services/T0/B0/s3cr3t=with=equals',
      '100%25real',
    ]);
    expect(r.stdout.indexOf('::add-mask::https://prom')).toBeLessThan(
      r.stdout.indexOf('exported PROMETHEUS_URL'),
    );
    expect(visible(r.stdout)).not.toContain('s3cr3t');
  });

  it('exports the secrets that secrets-to-env names, from `secrets: inherit`, each line of a multi-line one masked', async () => {
    const key = '-----BEGIN KEY-----\nAAAA\n-----END KEY-----';
    const r = await run(
      call({
        names: 'PROMETHEUS_URL, DD_API_KEY\nGCP_KEY',
        inherited: {
          PROMETHEUS_URL: 'https://prom',
          DD_API_KEY: 'dd-s3cr3t',
          GCP_KEY: key,
          OTHER: 'not asked for',
        },
      }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.exported).toEqual({ PROMETHEUS_URL: 'https://prom', DD_API_KEY: 'dd-s3cr3t', GCP_KEY: key });
    expect(masks(r.stdout)).toEqual([
      'https://prom',
      'dd-s3cr3t',
      '-----BEGIN KEY-----',
      'AAAA',
      '-----END KEY-----',
    ]);
  });

  it('exports nothing and says nothing when given nothing', async () => {
    const r = await run(call({}));
    expect(r.code).toBe(0);
    expect(r.exported).toEqual({});
    expect(r.stdout).toBe('');
  });

  it('leaves an empty value out, with a warning that names the variable', async () => {
    const r = await run(call({ env: 'PROMETHEUS_URL=https://prom\nSLACK_WEBHOOK_URL=' }));
    expect(r.code).toBe(0);
    expect(r.exported).toEqual({ PROMETHEUS_URL: 'https://prom' });
    expect(r.stdout).toContain(
      "::warning title=pinback env::the env secret, line 2: SLACK_WEBHOOK_URL is empty, so it is not exported: is the caller's secret set?",
    );
  });

  it.each([
    [
      'a line that is not NAME=value',
      'PROMETHEUS_URL https://s3cr3t',
      'the env secret, line 1: not NAME=value',
    ],
    [
      'a name that is no variable name',
      '1PROM=https://s3cr3t',
      "the env secret, line 1: the name is not an environment variable's",
    ],
    [
      "the runner's own variable",
      'GITHUB_TOKEN=s3cr3t',
      'the env secret, line 1: GITHUB_TOKEN belongs to the runner or the Action',
    ],
    [
      'an input of the Action',
      'INPUT_MODE=s3cr3t',
      'the env secret, line 1: INPUT_MODE belongs to the runner or the Action',
    ],
    [
      'NODE_OPTIONS',
      'NODE_OPTIONS=--require=s3cr3t',
      'the env secret, line 1: NODE_OPTIONS belongs to the runner or the Action',
    ],
    ['a name given twice', 'A=s3cr3t\nB=1\nA=2', 'the env secret, line 3: A is given twice'],
  ])('refuses %s, without showing the line', async (_what, env, message) => {
    const r = await run(call({ env }));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`::error title=pinback env::${message}`);
    expect(visible(r.stdout)).not.toContain('s3cr3t');
  });

  it('refuses a name in secrets-to-env that the call did not pass, saying how to pass it', async () => {
    const r = await run(call({ names: 'PROMETHEUS_URL', inherited: {} }));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(
      '::error title=pinback env::secrets-to-env: PROMETHEUS_URL is not a secret this workflow was given: call it with `secrets: inherit`',
    );
  });

  it('is given the secrets context only when secrets-to-env asks for some', async () => {
    const { evaluate } = await import('../support/workflow.js');
    const secrets = String(ENV_STEP.env!.SECRETS);
    expect(evaluate(secrets, call({}))).toBe('');
    expect(JSON.parse(String(evaluate(secrets, call({ names: 'A', inherited: { A: 'x' } }))))).toMatchObject({
      A: 'x',
    });
  });
});
