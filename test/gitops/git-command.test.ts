import { afterAll, describe, expect, it } from 'vitest';
import { createGit } from '../../src/gitops/git-command.js';
import { GitCommandError, gitOk, gitText, initRepo, removeTempDirs, tempDir } from '../support/git.js';

afterAll(removeTempDirs);

describe('createGit', () => {
  it('passes arguments to git verbatim, without a shell', async () => {
    const dir = await tempDir();
    const out = await createGit().run(['check-ref-format', '--normalize', 'refs/heads/$(touch pwned);x'], {
      cwd: dir,
    });
    expect(out.exitCode).toBe(1); // ';' and '(' are not shell syntax here, just an invalid name
    expect(out.stdout.toString()).toBe('');
  });

  it('answers a non-zero exit with the code and stderr instead of throwing', async () => {
    const dir = await tempDir();
    const out = await createGit().run(['rev-parse', 'HEAD'], { cwd: dir });
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain('not a git repository');
  });

  it('runs with C-locale messages and no terminal prompt', async () => {
    const dir = await tempDir();
    const git = createGit({ env: { ...process.env, LC_ALL: 'de_DE.UTF-8', GIT_TERMINAL_PROMPT: '1' } });
    const env = await git.run(['-c', 'alias.e=!env', 'e'], { cwd: dir });
    const vars = env.stdout.toString();
    expect(vars).toContain('GIT_TERMINAL_PROMPT=0');
    expect(vars).toContain('LC_ALL=C');
  });

  it('ignores an inherited GIT_DIR that would redirect it to another repository', async () => {
    const repo = await initRepo();
    const other = await tempDir();
    const git = createGit({ env: { ...process.env, GIT_DIR: `${other}/nothing` } });
    const out = await git.run(['rev-parse', 'HEAD'], { cwd: repo.dir });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.toString().trim()).toBe(await repo.head());
  });

  it('feeds input to standard input', async () => {
    const dir = await tempDir();
    const out = await gitText(createGit(), ['hash-object', '--stdin'], { cwd: dir, input: 'hello\n' });
    expect(out).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('gitOk throws GitCommandError with the exit code and stderr', async () => {
    const dir = await tempDir();
    const error = await gitOk(createGit(), ['rev-parse', 'HEAD'], { cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).stderr).toContain('not a git repository');
  });

  it('rejects with a clear message when git cannot be started', async () => {
    await expect(createGit({ binary: 'git-does-not-exist-here' }).run(['--version'])).rejects.toThrow(
      /is git installed/,
    );
  });
});
