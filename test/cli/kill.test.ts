/**
 * Issue 12, "Faults": pinback killed at exact moments of a rollback (SIGTERM: a cancelled job or a
 * stopped container; SIGKILL: an OOM kill), on a local work tree and on a remote, then run once
 * more. Whatever the moment, the end is the same: exactly one rollback commit, the lock, a clean
 * work tree, one incident, and no temporary directory left behind.
 *
 * The moments are deterministic: `PINBACK_TEST_PAUSE_AT=<point>` (src/gitops/lifecycle.ts) makes
 * the CLI say `pinback: test: paused at <point>` and wait there; the test kills it then.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { CLI, runCli } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const PIN = 'apps/kz/kustomization.yaml';
const LOCK = '.pinback/locks/kz.yaml';
const kz = (v: string) =>
  `resources: [deployment.yaml]\nimages:\n  - name: ghcr.io/acme/kz\n    newTag: ${v}\n`;
const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m }
services:
  kz:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/kz }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
`;

interface Env {
  repo: GitOpsRepo;
  /** What the CLI is pointed at: the work tree, or a bare remote. */
  target: string;
  policy: string;
  incidents: string;
  /** TMPDIR of every run: where temporary clones and scratch directories go. */
  tmp: string;
}

function setup(remote: boolean): Env {
  const dir = mkdtempSync(join(tmpdir(), 'pinback-kill-'));
  removeWhenDone(dir);
  const repo = new GitOpsRepo();
  repo.write(PIN, kz('v1.0.0'));
  repo.commit('deploy v1.0.0', 3 * 86_400);
  repo.write(PIN, kz('v1.1.0'));
  repo.commit('deploy v1.1.0', 600);
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  const bad = { error_rate: [0.09, 0.1] };
  const good = { error_rate: [0.01, 0.01] };
  writeFileSync(join(dir, 'metrics.json'), metricsJson({ kz: { 'v1.1.0': bad, 'v1.0.0': good } }));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  return {
    repo,
    target: remote ? repo.bareClone() : repo.dir,
    policy: join(dir, 'pinback.yml'),
    incidents: join(dir, 'incidents'),
    tmp,
  };
}

const args = (env: Env) => ['run', '-c', env.policy, '--gitops', env.target, '--incident-dir', env.incidents];

/** Starts a run that pauses at `point`; resolves once it is there. */
function startPaused(env: Env, point: string): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args(env)], {
    env: { ...process.env, TMPDIR: env.tmp, PINBACK_TEST_PAUSE_AT: point },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stdout?.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never paused at ${point}: ${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`pinback: test: paused at ${point}`)) {
        clearTimeout(timer);
        resolve({ child, stderr: () => err });
      }
    });
    child.once('exit', () => reject(new Error(`exited before pausing at ${point}: ${err}`)));
  });
}

/**
 * The process's end once its output is read to the end too: 'exit' may come before the last of
 * stderr (the "stopped by SIGTERM" line) has been read; 'close' comes after both.
 */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const done = () => resolve({ code: child.exitCode, signal: child.signalCode });
    const ended = child.exitCode !== null || child.signalCode !== null;
    if (ended && (child.stderr?.readableEnded ?? true) && (child.stdout?.readableEnded ?? true)) done();
    else child.once('close', done);
  });
}

/** The branch's git, wherever it lives. */
function git(env: Env, ...a: string[]): string {
  return env.repo.git(...(env.target === env.repo.dir ? a : ['--git-dir', env.target, ...a]));
}

const rollbackIds = (env: Env) =>
  git(env, 'log', '--format=%(trailers:key=Rollback-Id,valueonly)', 'main').split('\n').filter(Boolean);
const tempDirs = (env: Env) => readdirSync(env.tmp).filter((n) => n.startsWith('pinback-'));
const incidentFiles = (env: Env) => {
  try {
    return readdirSync(env.incidents).filter((n) => n.endsWith('.md'));
  } catch {
    return [];
  }
};

/** Makes what a killed run left in TMPDIR look two hours old, as a later run would find it. */
function age(env: Env): void {
  const then = new Date(Date.now() - 2 * 3600_000);
  for (const name of tempDirs(env)) utimesSync(join(env.tmp, name, '.pinback-temp'), then, then);
}

/** The run after the fault, and the state every fault must end in. */
async function runAgainAndCheck(env: Env, remote: boolean): Promise<void> {
  age(env);
  const r = await runCli([...args(env), '--json'], { env: { TMPDIR: env.tmp } });
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as Report;
  expect(report.services[0]).toMatchObject({ service: 'kz', from: 'v1.1.0', to: 'v1.0.0' });
  expect(['rolled_back', 'already_rolled_back']).toContain(report.services[0]!.action);
  expect(report.services[0]!.incident).toMatch(/kz-[0-9a-f]{16}\.md$/);
  expect(rollbackIds(env)).toHaveLength(1);
  expect(git(env, 'show', `main:${PIN}`)).toContain('newTag: v1.0.0');
  expect(git(env, 'show', `main:${LOCK}`)).toContain('version: "v1.1.0"');
  if (!remote) {
    expect(env.repo.git('status', '--porcelain')).toBe('');
    expect(env.repo.read(PIN)).toContain('newTag: v1.0.0');
  }
  expect(incidentFiles(env)).toHaveLength(1);
  expect(tempDirs(env)).toEqual([]);
}

type Moment = [point: string, committed: boolean];

const LOCAL: Moment[] = [
  ['before-commit', false],
  ['after-ref', true],
  ['after-index', true],
  ['after-commit', true],
];
const REMOTE: Moment[] = [
  ['cloned', false],
  ['before-commit', false],
  ['after-ref', true],
  ['after-commit', true],
];

for (const [where, moments] of [
  ['a local work tree', LOCAL],
  ['a remote', REMOTE],
] as const) {
  const remote = where === 'a remote';
  describe.concurrent(`pinback killed on ${where}, then run again`, () => {
    for (const [point, committed] of moments) {
      it(`SIGTERM at ${point}: finishes or abandons the commit cleanly, exits 143, and the next run completes`, async () => {
        const env = setup(remote);
        const { child, stderr } = await startPaused(env, point);
        child.kill('SIGTERM');
        expect(await exited(child)).toEqual({ code: 143, signal: null });
        // The commit in flight (the branch moved, the work tree not yet) is finished, not cut.
        expect(rollbackIds(env)).toHaveLength(committed ? 1 : 0);
        if (!remote) expect(env.repo.git('status', '--porcelain')).toBe('');
        expect(stderr()).toMatch(
          committed
            ? /pinback: stopped by SIGTERM after committing [0-9a-f]{12}; run pinback again/
            : /pinback: stopped by SIGTERM before committing anything/,
        );
        expect(tempDirs(env)).toEqual([]);
        expect(incidentFiles(env)).toEqual([]);
        await runAgainAndCheck(env, remote);
      });

      it(`SIGKILL at ${point}: the next run repairs what it left and opens the incident`, async () => {
        const env = setup(remote);
        const { child } = await startPaused(env, point);
        child.kill('SIGKILL');
        expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
        expect(rollbackIds(env)).toHaveLength(committed ? 1 : 0);
        // A remote's temporary clone stays behind, marked as pinback's; the next run sweeps it.
        if (remote) expect(tempDirs(env)).toHaveLength(1);
        await runAgainAndCheck(env, remote);
      });
    }
  });
}

describe('pinback killed between the branch and the work tree', () => {
  it('leaves a staged revert that the next run puts right, and only that', async () => {
    const env = setup(false);
    const { child } = await startPaused(env, 'after-ref');
    child.kill('SIGKILL');
    await exited(child);
    // What issue 12 found: the commit is there, the index and work tree still hold the files before it.
    expect(env.repo.git('status', '--porcelain')).toBe(`D  ${LOCK}\nM  ${PIN}\n`);
    // A person's unrelated edit is no part of it.
    env.repo.write('notes.txt', 'mine\n');
    const r = await runCli(args(env), { env: { TMPDIR: env.tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pinback: warning: finished updating .* to pinback's commit [0-9a-f]{12}/);
    expect(env.repo.git('status', '--porcelain')).toBe('?? notes.txt\n');
    expect(incidentFiles(env)).toHaveLength(1);
  });
});

describe('pinback tells what the git store noticed', () => {
  it('a stale .git/index.lock: the commit lands, the warning is on stderr, the next run finishes the work tree', async () => {
    const env = setup(false);
    writeFileSync(join(env.repo.dir, '.git', 'index.lock'), '');
    const r = await runCli(args(env), { env: { TMPDIR: env.tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /pinback: warning: committed [0-9a-f]{12} to main, but could not update the index and work tree of .*index is locked/,
    );
    expect(rollbackIds(env)).toHaveLength(1);
    // Stays put while the lock does, and says so again.
    const locked = await runCli(args(env), { env: { TMPDIR: env.tmp } });
    expect(locked.stderr).toMatch(/pinback: warning: .* still show pinback's commit [0-9a-f]{12} reverted/);
    // What a person does once no git command runs.
    rmSync(join(env.repo.dir, '.git', 'index.lock'));
    await runAgainAndCheck(env, false);
  });

  it('a shallow clone: the warning that its history may be incomplete', async () => {
    const env = setup(false);
    const shallow = join(env.tmp, '..', 'shallow');
    env.repo.git('clone', '-q', '--depth=1', `file://${env.repo.dir}`, shallow);
    const r = await runCli(['run', '-c', env.policy, '--gitops', shallow, '--mode', 'dry-run'], {
      env: { TMPDIR: env.tmp },
    });
    expect(r.stderr).toContain('pinback: warning: ');
    expect(r.stderr).toContain('is a shallow clone');
  });
});
