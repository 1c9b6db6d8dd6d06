import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeWhenDone } from './git.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'ci-bot',
  GIT_AUTHOR_EMAIL: 'ci@acme.example',
  GIT_COMMITTER_NAME: 'ci-bot',
  GIT_COMMITTER_EMAIL: 'ci@acme.example',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** A real GitOps repository in a temp dir, with commits at chosen times. */
export class GitOpsRepo {
  readonly dir: string;

  /**
   * In `dir`, or in a new temporary directory, removed when the test is done (after the test file
   * where it is made outside a test, e.g. in a beforeAll). A given `dir` stays the caller's to remove.
   */
  constructor(dir?: string) {
    if (dir === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'pinback-gitops-'));
      removeWhenDone(this.dir);
    } else this.dir = dir;
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, ...IDENTITY },
    });
  }

  write(path: string, content: string | Buffer): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), content);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  /** `git show REV:path`, byte for byte. */
  show(rev: string, path: string): Buffer {
    return execFileSync('git', ['show', `${rev}:${path}`], {
      cwd: this.dir,
      env: { ...process.env, ...IDENTITY },
    });
  }

  /** Commits every change with author and committer date `secondsAgo` before now. */
  commit(message: string, secondsAgo = 0): string {
    return this.commitAt(message, Math.floor(Date.now() / 1000) - secondsAgo);
  }

  /** Commits every change with author and committer date `unixSeconds`, exactly. */
  commitAt(message: string, unixSeconds: number): string {
    const date = `@${unixSeconds} +0000`;
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
      cwd: this.dir,
      env: { ...process.env, ...IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return this.head();
  }

  /** The branch tip, read from the ref file (no process) where git keeps it loose, as after a commit. */
  head(): string {
    const ref = /^ref: (.+)$/m.exec(readFileSync(join(this.dir, '.git', 'HEAD'), 'utf8'))?.[1];
    const loose = ref ? join(this.dir, '.git', ref) : undefined;
    if (loose && existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    return this.git('rev-parse', 'HEAD').trim();
  }

  count(): number {
    return Number(this.git('rev-list', '--count', 'HEAD').trim());
  }

  /** A bare clone to act as the remote of racing runs, removed when the test is done. */
  bareClone(): string {
    const bare = mkdtempSync(join(tmpdir(), 'pinback-remote-'));
    removeWhenDone(bare);
    execFileSync('git', ['clone', '-q', '--bare', this.dir, bare], { env: { ...process.env, ...IDENTITY } });
    return bare;
  }
}

/** `{service: {version: {trigger: [samples]}}}` for the file provider, samples ending now. */
export function metricsJson(data: Record<string, Record<string, Record<string, number[]>>>): string {
  const now = Math.floor(Date.now() / 1000);
  const out: Record<string, Record<string, Record<string, [number, number][]>>> = {};
  for (const [s, versions] of Object.entries(data)) {
    out[s] = {};
    for (const [v, triggers] of Object.entries(versions)) {
      out[s]![v] = {};
      for (const [t, values] of Object.entries(triggers)) {
        out[s]![v]![t] = values.map((x, i) => [now - (values.length - 1 - i) * 30, x]);
      }
    }
  }
  return JSON.stringify(out);
}
