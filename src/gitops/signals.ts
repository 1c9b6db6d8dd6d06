import { processState, type ProcessState } from './lifecycle.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The shell's exit status for a process ended by a signal: 128 + its number. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface StopOptions {
  /** Says why the process stops: stderr for the CLI, the failed step for the Action. */
  say: (message: string) => void;
  /** Ends the process; process.exit by default. */
  exit?: ((code: number) => void) | undefined;
  /** How long a commit in flight is waited for before the process stops anyway (default 20 s). */
  graceMs?: number | undefined;
  state?: ProcessState | undefined;
  /** Where the handlers go; the process by default. */
  on?: ((signal: StopSignal, handler: () => void) => void) | undefined;
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * SIGTERM and SIGINT (a cancelled job, a stopped container, Ctrl-C) stop pinback cleanly: a commit
 * in flight is finished (its branch and work tree move together; a remote's push is answered),
 * nothing new starts, the git processes are stopped, the temporary clones removed, and the process
 * exits with 128 + the signal's number after saying what was committed. A second signal, or a
 * commit still in flight after `graceMs`, stops it at once (a local work tree left half updated is
 * finished by the next run). What this run did not get to (an incident, a notification) the next
 * one does: it opens a standing rollback's missing incident.
 */
export function stopCleanlyOnSignals(opts: StopOptions): void {
  const state = opts.state ?? processState;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const on = opts.on ?? ((signal, handler) => process.on(signal, handler));
  let first: StopSignal | undefined;
  let finished = false;
  const finish = (signal: StopSignal, cut: boolean) => {
    if (finished) return;
    finished = true;
    state.releaseNow();
    const landed = state.landed.map(short);
    const what = cut
      ? 'while a commit was in flight; run pinback again: it finishes what this run left'
      : landed.length > 0
        ? `after committing ${landed.join(', ')}; run pinback again: it opens what this run did not (an incident, notifications)`
        : 'before committing anything';
    opts.say(`stopped by ${signal} ${what}`);
    exit(SIGNAL_EXIT[signal]);
  };
  const handle = (signal: StopSignal) => {
    if (first !== undefined) {
      finish(signal, state.commitsInFlight > 0);
      return;
    }
    first = signal;
    if (state.commitsInFlight > 0) opts.say(`${signal}: finishing the commit in flight, then stopping`);
    const timer = setTimeout(() => finish(signal, true), opts.graceMs ?? 20_000);
    timer.unref();
    state.stopWhenSettled(() => {
      clearTimeout(timer);
      finish(signal, false);
    });
  };
  on('SIGINT', () => handle('SIGINT'));
  on('SIGTERM', () => handle('SIGTERM'));
}
