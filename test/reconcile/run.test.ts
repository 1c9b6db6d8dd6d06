/**
 * Issue 13: a run over many services reads the repository once for all of them, judges them
 * concurrently, and writes the rollbacks they decide as one chain: a lost race re-reads only the
 * services concerned.
 */
import { describe, expect, it } from 'vitest';
import { onceSink } from '../../src/incident/sink.js';
import { run } from '../../src/reconcile/run.js';
import { Clock } from '../support/clock.js';
import {
  breaching,
  CANDIDATE,
  fleetNames,
  fleetPolicy,
  fleetRun,
  kustomization,
  pinOf,
  STABLE,
} from '../support/fleet.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

function setup(count: number, opts: { killSwitch?: boolean } = {}) {
  const clock = new Clock();
  const repo = new MemoryGitOps(clock.ms);
  const names = fleetNames(count);
  for (const s of names) repo.write(pinOf(s), kustomization(s, STABLE));
  if (opts.killSwitch) repo.write('flags.yaml', 'writes: on\n');
  repo.commitAt('deploy 1.0.0', 86_400);
  for (const s of names) repo.write(pinOf(s), kustomization(s, CANDIDATE));
  repo.commitAt('deploy 1.1.0', 300);
  const policy = fleetPolicy(
    names,
    opts.killSwitch
      ? ['on_rollback: { kill_switch: { file: flags.yaml, yaml_path: writes, value: "off" } }']
      : [],
  );
  return { clock, repo, policy, names };
}

async function runAll(s: ReturnType<typeof setup>) {
  const chains: number[] = [];
  const chain = s.repo.commitChain.bind(s.repo);
  s.repo.commitChain = async (head, commits) => {
    chains.push(commits.length);
    return chain(head, commits);
  };
  const result = await run(
    s.policy.services,
    {
      store: s.repo,
      providers: new Map([['file', breaching]]),
      incidents: onceSink(undefined),
      now: s.clock.now,
    },
    fleetRun(s.policy),
  );
  return { result, chains };
}

describe('run over many services', () => {
  it('reads the repository once and lands every rollback, written together', async () => {
    const s = setup(200);
    const { result, chains } = await runAll(s);
    expect(result.failures).toEqual([]);
    expect(result.report.services.map((r) => r.action)).toEqual(s.names.map(() => 'rolled_back'));
    expect(s.repo.reads).toBe(1);
    expect(s.repo.count()).toBe(2 + 200);
    // Every service its own commit; far fewer chains than commits.
    expect(chains.reduce((a, b) => a + b, 0)).toBe(200);
    expect(chains.length).toBeLessThan(20);
    for (const name of s.names) expect(s.repo.file(pinOf(name))).toBe(kustomization(name, STABLE));
  });

  it('reads again only the services whose decision another rollback of the run changed', async () => {
    // All three turn one kill switch off: the first lands, the others read again and find it off.
    const s = setup(3, { killSwitch: true });
    const { result } = await runAll(s);
    expect(result.failures).toEqual([]);
    expect(result.report.services.map((r) => r.action)).toEqual([
      'rolled_back',
      'rolled_back',
      'rolled_back',
    ]);
    expect(s.repo.reads).toBeGreaterThan(1);
    expect(s.repo.file('flags.yaml')).toBe('writes: off\n');
  });

  it('a second run over the same services finds every rollback standing and writes nothing', async () => {
    const s = setup(50);
    await runAll(s);
    const commits = s.repo.count();
    const { result } = await runAll(s);
    expect(result.failures).toEqual([]);
    expect(s.repo.count()).toBe(commits);
  });
});
