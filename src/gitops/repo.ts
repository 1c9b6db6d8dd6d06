import type { Git, GitOutput, GitRunOptions } from './git-command.js';
import { said } from './git-errors.js';
import { StoreError } from './store.js';
import { makeTempDir, removeTempDir } from './temp.js';

/**
 * Settings that make every command byte-exact and machine-readable whatever the user's config says:
 * no end-of-line conversion, no signature or rename-following noise in logs, no colour, raw paths.
 */
const FIXED_CONFIG = [
  'core.autocrlf=false',
  'core.eol=lf',
  'core.safecrlf=false',
  'core.quotePath=false',
  'core.splitIndex=false',
  'log.showSignature=false',
  'log.follow=false',
  'log.showRoot=true',
  'i18n.logOutputEncoding=UTF-8',
  'color.ui=false',
  'diff.noprefix=false',
].flatMap((kv) => ['-c', kv]);

export type Run = (args: readonly string[], options?: GitRunOptions) => Promise<GitOutput>;

/** Runs git in `cwd` with the fixed settings. */
export function runIn(git: Git, cwd: string): Run {
  return (args, options) => git.run([...FIXED_CONFIG, ...args], { cwd, ...options });
}

/** The commit `ref` names, or undefined when there is none. */
export async function resolveRef(run: Run, ref: string): Promise<string | undefined> {
  const out = await run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return out.exitCode === 0 ? out.stdout.toString().trim() : undefined;
}

export async function checkBranchName(git: Git, branch: string): Promise<void> {
  const ok =
    branch !== '' &&
    !branch.startsWith('-') &&
    (await git.run(['check-ref-format', `refs/heads/${branch}`])).exitCode === 0;
  if (!ok) throw new StoreError(`${JSON.stringify(branch)} is not a valid branch name`);
}

export interface RepoInit {
  git: Git;
  /** The work tree (local) or the temporary bare clone (remote): every command's cwd. */
  root: string;
  gitDir: string;
  /** The target as messages name it (credentials redacted). */
  shown: string;
  /** The branch the store serves. */
  branch: string;
  /** The directory scratch directories go into, created if need be. */
  scratchParent: () => Promise<string>;
  onWarning?: ((message: string) => void) | undefined;
}

/** The repository a git store's commands run in, and the branch it serves. */
export class Repo {
  readonly git: Git;
  readonly run: Run;
  readonly root: string;
  readonly gitDir: string;
  readonly shown: string;
  readonly branch: string;
  private readonly warned = new Set<string>();

  constructor(private readonly init: RepoInit) {
    this.git = init.git;
    this.run = runIn(init.git, init.root);
    this.root = init.root;
    this.gitDir = init.gitDir;
    this.shown = init.shown;
    this.branch = init.branch;
  }

  describe(): string {
    return `${this.shown} (branch ${this.branch})`;
  }

  /** Runs git and returns its output; a non-zero exit is a StoreError saying what was being done. */
  async must(args: readonly string[], doing: string, options?: GitRunOptions): Promise<Buffer> {
    const out = await this.run(args, options);
    if (out.exitCode !== 0) {
      throw new StoreError(`${doing} in ${this.describe()} failed (git said: ${said(out.stderr)})`);
    }
    return out.stdout;
  }

  /** The tip of `branch` in this repository, or undefined when it does not exist. */
  tip(branch: string): Promise<string | undefined> {
    return resolveRef(this.run, `refs/heads/${branch}`);
  }

  async hasCommit(oid: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', `${oid}^{commit}`])).exitCode === 0;
  }

  /** A new scratch directory (marked as pinback's); the caller removes it with dropScratch. */
  async scratch(): Promise<string> {
    return makeTempDir(await this.init.scratchParent(), 'pinback-commit-');
  }

  dropScratch(dir: string): Promise<void> {
    return removeTempDir(dir);
  }

  /** Tells about a problem that does not fail the operation; the same one once (watch rounds repeat). */
  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.init.onWarning?.(message);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
