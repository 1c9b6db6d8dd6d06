import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';

/*
 * Local debugging as the README tells it: `.env.example` as the .env, the dry-run example's GitOps
 * repository from examples/dry-run/gitops.sh, and `npx @github/local-action . src/action/main.ts
 * .env`, which runs the Action's `run()` from the TypeScript sources, @actions/core stubbed by it.
 */

const exec = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; out: string }>((done) => {
    execFile(file, args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        out: `${stdout}\n${stderr}`,
      }),
    );
  });

describe('npx @github/local-action with .env.example', () => {
  let run: { code: number; out: string };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-local-action-'));
    removeWhenDone(dir);
    const gitops = join(dir, 'gitops');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    expect((await exec('bash', ['examples/dry-run/gitops.sh', gitops], env)).code).toBe(0);
    const dotenv = join(dir, '.env');
    writeFileSync(
      dotenv,
      readFileSync(join(ROOT, '.env.example'), 'utf8').replace(
        /^INPUT_GITOPS-REPO=.*$/m,
        `INPUT_GITOPS-REPO=${gitops}`,
      ),
    );
    run = await exec('npx', ['--no-install', '@github/local-action', '.', 'src/action/main.ts', dotenv], env);
  }, 120_000);

  it('finds run() in src/action/main.ts and runs it to the end', () => {
    expect(run.out).not.toContain('does not export a run() function');
    expect(run.code, run.out).toBe(0);
  });

  it('dry-runs the example: stop for support-agent, nothing written', () => {
    expect(run.out).toContain('::set-output name=decision::stop');
    expect(run.out).toContain('::set-output name=rolled-back::false');
    expect(run.out).toMatch(
      /"service":"support-agent","stage":"canary","from":"2.4.0","to":"2.3.3","decision":"stop"/,
    );
    expect(run.out).toContain('"action":"dry_run"');
  });
});
