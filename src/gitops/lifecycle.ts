import { rmSync } from 'node:fs';
import { StoreError } from './store.js';

/** A git process the store started, as far as stopping it goes. */
export interface Stoppable {
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * What a pinback process must settle before it ends, however it ends: the temporary directories
 * its stores made (removed at exit), the commits in flight (a signal waits for them: a branch that
 * moved must have its work tree brought along), and the git processes it runs (stopped before
 * their directories go). One per process, `processState`; tests make their own.
 */
export class ProcessState {
  private readonly temps = new Set<string>();
  private readonly children = new Set<Stoppable>();
  private readonly wakers = new Set<() => void>();
  private inFlight = 0;
  private stopping: (() => void) | undefined;
  private exitHook = false;
  /** Commits this process landed, newest last: the message of a stopped run names them. */
  readonly landed: string[] = [];

  /** A temporary directory to remove at exit, if its owner does not remove it first. */
  trackTemp(dir: string): void {
    this.temps.add(dir);
    if (!this.exitHook) {
      this.exitHook = true;
      process.once('exit', () => this.releaseNow());
    }
  }

  untrackTemp(dir: string): void {
    this.temps.delete(dir);
  }

  trackChild(child: Stoppable): void {
    this.children.add(child);
  }

  untrackChild(child: Stoppable): void {
    this.children.delete(child);
  }

  /** Stops every git process still running, then removes every temporary directory; synchronous. */
  releaseNow(): void {
    for (const c of this.children) c.kill('SIGTERM');
    this.children.clear();
    for (const dir of this.temps) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Gone already, or not ours to remove any more: the next run's sweep looks at it again.
      }
    }
    this.temps.clear();
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  get commitsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Enters a commit's point of no return (the branch is about to move). Refused once the process
   * is stopping: a commit not started is abandoned, cleanly.
   */
  beginCommit(): void {
    if (this.stopping) throw new StoreError('pinback is stopping: the commit was abandoned before it landed');
    this.inFlight++;
  }

  /** Leaves it; when the process is stopping and this was the last one, it stops now. */
  endCommit(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.stopping) this.stopping();
  }

  committed(sha: string): void {
    this.landed.push(sha);
  }

  /**
   * Starts stopping: `then` runs as soon as no commit is in flight (at once when none is), and
   * nothing new starts. Wakes a paused test hook.
   */
  stopWhenSettled(then: () => void): void {
    this.stopping = then;
    for (const wake of [...this.wakers]) wake();
    if (this.inFlight === 0) then();
  }

  /** Resolves when the process starts stopping, or after `ms`. */
  waitForStop(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

export const processState = new ProcessState();

/** Named moments of a run for the test hook below. */
export type PausePoint =
  /** A remote's temporary clone is made. */
  | 'cloned'
  /** The commit object is built; the branch has not moved. */
  | 'before-commit'
  /** The branch moved (local update-ref, remote push); a checked-out work tree is not updated yet. */
  | 'after-ref'
  /** The index holds the commit's files; the work tree does not yet. */
  | 'after-index'
  /** The commit is complete (work tree too); its incident is not opened yet. */
  | 'after-commit';

/**
 * Test hook, for the e2e kill tests only (test/cli/kill*.test.ts). With the environment variable
 * `PINBACK_TEST_PAUSE_AT=<point>`, the process writes `pinback: test: paused at <point>` on stderr
 * when it reaches that point and waits there until a signal starts stopping it (or 60 s pass), so
 * a test can SIGTERM or SIGKILL it at that exact moment. Inert unless the variable is set.
 */
export async function pauseAt(
  point: PausePoint,
  hook: { state: ProcessState; env: NodeJS.ProcessEnv; tell: (line: string) => void } = {
    state: processState,
    env: process.env,
    tell: (line) => process.stderr.write(line),
  },
): Promise<void> {
  if (hook.env.PINBACK_TEST_PAUSE_AT !== point) return;
  hook.tell(`pinback: test: paused at ${point}\n`);
  await hook.state.waitForStop(60_000);
}
