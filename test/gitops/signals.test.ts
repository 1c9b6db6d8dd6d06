/**
 * SIGTERM and SIGINT stop pinback cleanly: a commit in flight is finished, nothing new starts,
 * temporary directories go, and the exit status is 128 + the signal's number, after a message.
 * Driven with injected signals and exit on a process state of the test's own.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pauseAt, ProcessState } from '../../src/gitops/lifecycle.js';
import { stopCleanlyOnSignals, type StopSignal } from '../../src/gitops/signals.js';
import { StoreError } from '../../src/gitops/store.js';
import { makeTempDir } from '../../src/gitops/temp.js';
import { tempDir } from '../support/git.js';

function harness(graceMs?: number) {
  const state = new ProcessState();
  const said: string[] = [];
  const exits: number[] = [];
  const handlers = new Map<StopSignal, () => void>();
  stopCleanlyOnSignals({
    state,
    graceMs,
    say: (m) => said.push(m),
    exit: (code) => exits.push(code),
    on: (signal, handler) => handlers.set(signal, handler),
  });
  return { state, said, exits, send: (s: StopSignal) => handlers.get(s)!() };
}

describe('a signal', () => {
  it('with no commit in flight: removes the temporary directories and exits at once, 143 for SIGTERM', async () => {
    const h = harness();
    const dir = await makeTempDir(await tempDir(), 'pinback-git-', h.state);
    h.send('SIGTERM');
    expect(h.exits).toEqual([143]);
    expect(h.said).toEqual(['stopped by SIGTERM before committing anything']);
    expect(existsSync(dir)).toBe(false);
  });

  it('SIGINT exits 130 and names the commits this process made', () => {
    const h = harness();
    h.state.committed('0123456789abcdef0123456789abcdef01234567');
    h.send('SIGINT');
    expect(h.exits).toEqual([130]);
    expect(h.said).toEqual([
      'stopped by SIGINT after committing 0123456789ab; run pinback again: it opens what this run did not (an incident, notifications)',
    ]);
  });

  it('waits for the commit in flight, then exits; a new commit is refused meanwhile', () => {
    const h = harness();
    h.state.beginCommit();
    h.send('SIGTERM');
    expect(h.exits).toEqual([]);
    expect(h.said).toEqual(['SIGTERM: finishing the commit in flight, then stopping']);
    expect(() => h.state.beginCommit()).toThrow(StoreError);
    h.state.committed('fedcba9876543210fedcba9876543210fedcba98');
    h.state.endCommit();
    expect(h.exits).toEqual([143]);
    expect(h.said[1]).toMatch(/^stopped by SIGTERM after committing fedcba987654/);
  });

  it('a second signal stops at once, commit or not', () => {
    const h = harness();
    h.state.beginCommit();
    h.send('SIGINT');
    h.send('SIGTERM');
    expect(h.exits).toEqual([143]);
    expect(h.said[1]).toBe(
      'stopped by SIGTERM while a commit was in flight; run pinback again: it finishes what this run left',
    );
    h.state.endCommit();
    expect(h.exits).toEqual([143]);
  });

  it('a commit still in flight after the grace period is cut', async () => {
    const h = harness(20);
    h.state.beginCommit();
    h.send('SIGTERM');
    await new Promise((r) => setTimeout(r, 60));
    expect(h.exits).toEqual([143]);
    expect(h.said[1]).toContain('while a commit was in flight');
  });

  it('wakes a paused test hook, which is inert unless PINBACK_TEST_PAUSE_AT names its point', async () => {
    const state = new ProcessState();
    const told: string[] = [];
    const tell = (line: string) => told.push(line);
    await pauseAt('after-ref', { state, env: {}, tell });
    await pauseAt('after-ref', { state, env: { PINBACK_TEST_PAUSE_AT: 'before-commit' }, tell });
    expect(told).toEqual([]);
    const paused = pauseAt('after-ref', { state, env: { PINBACK_TEST_PAUSE_AT: 'after-ref' }, tell });
    let resumed = false;
    void paused.then(() => (resumed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(told).toEqual(['pinback: test: paused at after-ref\n']);
    expect(resumed).toBe(false);
    state.stopWhenSettled(() => {});
    await paused;
    expect(resumed).toBe(true);
  });
});
