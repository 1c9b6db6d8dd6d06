import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processState } from './lifecycle.js';

/** How one git invocation runs. */
export interface GitRunOptions {
  /** Working directory; the caller's when absent. */
  cwd?: string | undefined;
  /** Variables added to (and overriding) the runner's environment for this invocation only. */
  env?: Readonly<Record<string, string>> | undefined;
  /** Bytes fed to git's standard input (closed at once when absent). */
  input?: string | Uint8Array | undefined;
}

/** What one git invocation produced. A non-zero exit is an answer, not an exception. */
export interface GitOutput {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * The narrow port every git-backed store talks through (like actions/checkout's command manager):
 * an argument array in, exit code and output back. Tests can substitute a fake.
 */
export interface Git {
  /** Runs `git ...args`; rejects only when git cannot be run at all (not installed, killed, output too large). */
  run(args: readonly string[], options?: GitRunOptions): Promise<GitOutput>;
}

/**
 * Variables that point git at a particular repository, index or object store. Inherited from a
 * parent git process (a hook, `git rebase --exec`) they would redirect every command, so they are
 * dropped; the store names its repository explicitly.
 */
const REPOSITORY_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE',
  'GIT_REPLACE_REF_BASE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_QUARANTINE_PATH',
  'GIT_INTERNAL_SUPER_PREFIX',
  // Identity comes from each commit request, never from the environment or global config.
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
];

export interface CreateGitOptions {
  /** The git executable; `git` on PATH by default. */
  binary?: string;
  /** The environment to start from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Kill a git process that runs longer than this (milliseconds); no limit by default. */
  timeoutMs?: number;
}

const MAX_OUTPUT = 512 * 1024 * 1024;

/**
 * The real runner: execFile with an argument array (no shell), never prompting for credentials
 * (`GIT_TERMINAL_PROMPT=0`), with C-locale messages so stderr can be matched, and without any
 * inherited variable that would redirect git to another repository.
 */
export function createGit(options: CreateGitOptions = {}): Git {
  const binary = options.binary ?? 'git';
  const base: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const name of REPOSITORY_ENV) delete base[name];
  Object.assign(base, {
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    LANGUAGE: 'C',
  });
  return {
    run(args, runOptions = {}) {
      return new Promise((resolve, reject) => {
        const child = execFile(
          binary,
          [...args],
          {
            cwd: runOptions.cwd,
            env: { ...base, ...runOptions.env },
            encoding: 'buffer',
            maxBuffer: MAX_OUTPUT,
            timeout: options.timeoutMs ?? 0,
            windowsHide: true,
          },
          (error, stdout, stderr) => {
            processState.untrackChild(child);
            const err = error as (Error & { code?: unknown; killed?: boolean }) | null;
            if (err && typeof err.code !== 'number') {
              const why =
                err.code !== 'ENOENT'
                  ? `git ${args.join(' ')} failed: ${err.message}`
                  : runOptions.cwd !== undefined && !existsSync(runOptions.cwd)
                    ? `cannot run git in "${runOptions.cwd}": no such directory`
                    : `cannot run "${binary}": is git installed and on PATH?`;
              reject(new Error(why));
              return;
            }
            resolve({
              exitCode: err ? (err.code as number) : 0,
              stdout,
              stderr: stderr.toString('utf8'),
            });
          },
        );
        // A process that is stopping stops its git processes before removing their directories.
        processState.trackChild(child);
        // git may exit before reading all input (an error it reports itself); ignore EPIPE here.
        child.stdin?.on('error', () => {});
        child.stdin?.end(runOptions.input ?? '');
      });
    },
  };
}
