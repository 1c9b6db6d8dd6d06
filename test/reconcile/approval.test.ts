/**
 * Human approval only where the case is ambiguous (issue 15): `mode: auto` with `approve_below: 5x`
 * proposes a x1.8 error regression and waits; the same candidate shown past 5x while the proposal is
 * open is committed, and the proposal closed as superseded. The CLI, with no pull requests, reports
 * `awaiting_approval` and commits nothing. In process, on an in-memory GitOps store and a fixed clock.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { type Incident, incidentTitle, renderIncident } from '../../src/incident/render.js';
import { type IncidentSink, type IncidentUpdate, onceSink } from '../../src/incident/sink.js';
import type { MetricQuery, MetricsProvider } from '../../src/metrics/provider.js';
import { isFinal, type Next } from '../../src/reconcile/decide.js';
import { DEFAULT_RUN, type FoundProposal, type Proposal, type Proposals } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const START = Date.UTC(2026, 11, 2, 12, 0, 0);

const POLICY = `version: 1
services:
  api:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    approve_below: 5x
    triggers:
      errors:
        ratio: {}
        max_increase: 20%
        reason: error_spike
`;

/** A repository whose api went 1.0.0 (a day ago) -> 1.1.0 (ten minutes ago), on the shared clock. */
function repo(clock: Clock): MemoryGitOps {
  const r = new MemoryGitOps(clock.ms);
  r.write(PIN, k('1.0.0')).commitAt('deploy 1.0.0', 86_400);
  r.write(PIN, k('1.1.0')).commitAt('deploy 1.1.0', 600);
  return r;
}

/**
 * Per-minute counts since the deploy: 10,000 requests a minute for each version, 1% bad for the
 * stable and `factor` times that for the candidate (the factor is read at each query).
 */
function errors(rates: { factor: number }): MetricsProvider {
  return {
    query: async (q: MetricQuery) => {
      const end = Math.floor(q.end.getTime() / 1000);
      const start = Math.floor((q.start ?? new Date(q.end.getTime() - q.windowMs)).getTime() / 1000);
      const bad = q.version === '1.1.0' ? 0.01 * rates.factor : 0.01;
      const samples = [];
      for (let t = start + 60; t <= end; t += 60)
        samples.push({ t, v: q.part === 'bad' ? bad * 10_000 : 10_000 });
      return { kind: 'samples', samples };
    },
  };
}

/** Pull requests in memory: open, closed with a comment, found by branch. */
function pulls(): Proposals & {
  opened: Proposal[];
  comments: string[];
  state: Map<string, FoundProposal>;
} {
  const state = new Map<string, FoundProposal>();
  const opened: Proposal[] = [];
  const comments: string[] = [];
  return {
    opened,
    comments,
    state,
    find: async (branch) => state.get(branch),
    open: async (p) => {
      opened.push(p);
      if (!state.has(p.branch))
        state.set(p.branch, { url: `https://github.com/acme/gitops/pull/${state.size + 1}`, state: 'open' });
      return state.get(p.branch)!.url;
    },
    close: async (branch, comment) => {
      const found = state.get(branch);
      if (found?.state !== 'open') return undefined;
      comments.push(comment);
      state.set(branch, { ...found, state: 'rejected' });
      return found.url;
    },
  };
}

function sink(): IncidentSink & { opened: Incident[]; updates: IncidentUpdate[] } {
  const opened: Incident[] = [];
  const updates: IncidentUpdate[] = [];
  return {
    opened,
    updates,
    open: async (i) => {
      const created = !opened.some((o) => o.id === i.id);
      if (created) opened.push(i);
      return { where: `incident-${i.id}`, created };
    },
    note: async (id) => `incident-${id}`,
    update: async (id, _s, u) => {
      const added = !updates.some((x) => x.key === u.key);
      if (added) updates.push(u);
      return { where: `incident-${id}`, added };
    },
  };
}

/** One scheduled run: a fresh process (its own once-sink) on the same repository and sinks. */
async function run(
  store: MemoryGitOps,
  clock: Clock,
  rates: { factor: number },
  incidents: IncidentSink,
  proposals?: Proposals,
  text = POLICY,
) {
  const policy = parsePolicy(text, 'p.yml', {});
  const { report } = await reconcileService(
    policy.services[0]!,
    {
      store,
      providers: new Map([['file', errors(rates)]]),
      incidents: onceSink(incidents),
      proposals,
      now: () => new Date(clock.t),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: policy.digest,
      actor: 't',
      runUrl: undefined,
      author: { name: 'p', email: 'p@x' },
      mode: undefined,
    },
  );
  return report;
}

describe('mode auto with approve_below 5x, on GitHub (pull requests)', () => {
  const clock = new Clock(START);
  const store = repo(clock);
  const rates = { factor: 1.8 };
  const incidents = sink();
  const prs = pulls();

  it('proposes a x1.8 regression instead of committing it, and says why it waits', async () => {
    const report = await run(store, clock, rates, incidents, prs);
    expect(report).toMatchObject({
      decision: 'stop',
      action: 'proposed',
      pull_request: 'https://github.com/acme/gitops/pull/1',
      approval: { clear_cut: false },
    });
    const why =
      'errors x1.8 the stable (0.018 vs 0.01): above the 1.2x tolerance, not shown past the 5x auto level';
    expect(report.approval!.why).toBe(why);
    expect(report.detail).toBe(`waits for a person: not clear-cut (${why})`);
    expect(store.file(PIN)).toBe(k('1.1.0'));
    expect(store.count()).toBe(2);
    const body = prs.opened.at(-1)!.body;
    expect(body).toContain('**It waits for a person: the evidence is not clear-cut.**');
    expect(body).toContain('above the 1.2x tolerance, not shown past the 5x auto level');
    const [incident] = incidents.opened;
    expect(incidentTitle(incident!)).toBe('Rollback awaiting approval: api 1.1.0 -> 1.0.0 (error_spike)');
    expect(renderIncident(incident!)).toContain('but the evidence is not clear-cut, so a person decides');
  });

  it('waits on a re-run while the evidence stays ambiguous: no second proposal', async () => {
    clock.advance(60_000);
    const report = await run(store, clock, rates, incidents, prs);
    expect(report).toMatchObject({
      action: 'proposed',
      pull_request: 'https://github.com/acme/gitops/pull/1',
    });
    expect(prs.state.size).toBe(1);
    expect(store.count()).toBe(2);
  });

  it('commits the rollback itself once the evidence is clear-cut, closing the proposal as superseded', async () => {
    clock.advance(60_000);
    rates.factor = 10;
    const report = await run(store, clock, rates, incidents, prs);
    expect(report).toMatchObject({
      action: 'rolled_back',
      approval: { clear_cut: true },
      pull_request: 'https://github.com/acme/gitops/pull/1',
    });
    expect(report.detail).toContain('committed past the clear-cut level (errors x10 the stable');
    expect(store.file(PIN)).toBe(k('1.0.0'));
    expect(store.log()[0]!.sha).toBe(report.commit);
    expect([...prs.state.values()]).toEqual([
      { url: 'https://github.com/acme/gitops/pull/1', state: 'rejected' },
    ]);
    expect(prs.comments).toHaveLength(1);
    expect(prs.comments[0]).toContain(`Superseded by \`${report.commit!.slice(0, 12)}\``);
    expect(prs.comments[0]).toContain('past the 5x auto level');
    expect(incidents.opened).toHaveLength(1);
    // The key of a proposal's ending: its `closed` event, if pinback's closing fires one, adds nothing.
    expect(incidents.updates.map((u) => u.key)).toEqual(['declined']);
    expect(incidents.updates[0]!.markdown).toContain(
      'While the proposal https://github.com/acme/gitops/pull/1 waited for a person, the evidence became clear-cut',
    );
  });

  it('changes nothing on re-runs: no commit, no pull request, the clear-cut level recorded once', async () => {
    const head = store.head();
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      const report = await run(store, clock, rates, incidents, prs);
      expect(report.action).toBe('already_rolled_back');
    }
    expect(store.head()).toBe(head);
    expect(prs.state.size).toBe(1);
    // Opened once, then its body updated to link the incident: nothing since.
    expect(prs.opened).toHaveLength(2);
    expect(prs.comments).toHaveLength(1);
    expect(incidents.opened).toHaveLength(1);
    // The standing rollback's one "repeated" note is every rollback's (act/repeat.ts).
    expect(incidents.updates.map((u) => u.key)).toEqual(['declined', 'repeated']);
  });
});

describe('mode auto with approve_below 5x, in the CLI (no pull requests)', () => {
  const clock = new Clock(START);
  const store = repo(clock);
  const rates = { factor: 1.8 };
  const incidents = sink();

  it('reports awaiting_approval, commits nothing, and opens the incident that says a person decides', async () => {
    const report = await run(store, clock, rates, incidents);
    expect(report).toMatchObject({
      action: 'awaiting_approval',
      commit: null,
      approval: { clear_cut: false },
    });
    expect(report.detail).toMatch(
      /^stop error_spike, but not clear-cut, so a person must decide: errors x1\.8 the stable .*To roll back, set the pin in apps\/api\/kustomization\.yaml to 1\.0\.0 by hand/,
    );
    expect(store.count()).toBe(2);
    expect(incidents.opened).toHaveLength(1);
    expect(renderIncident(incidents.opened[0]!)).toContain(
      'To roll back, set the pin in `apps/api/kustomization.yaml` to `1.0.0` by hand',
    );
  });

  it('commits once the evidence is clear-cut, and the same incident records it', async () => {
    clock.advance(60_000);
    rates.factor = 10;
    const report = await run(store, clock, rates, incidents);
    expect(report).toMatchObject({ action: 'rolled_back', approval: { clear_cut: true } });
    expect(store.file(PIN)).toBe(k('1.0.0'));
    expect(incidents.opened).toHaveLength(1);
    expect(incidents.updates.map((u) => u.key)).toEqual(['clear_cut']);
  });
});

describe('a proposal a person closed while the evidence was ambiguous', () => {
  it('does not stop the commit once the evidence is clear-cut: the incident notes the earlier no', async () => {
    const clock = new Clock(START);
    const store = repo(clock);
    const rates = { factor: 1.8 };
    const incidents = sink();
    const prs = pulls();
    await run(store, clock, rates, incidents, prs);
    const [branch] = prs.state.keys();
    prs.state.set(branch!, { url: 'https://github.com/acme/gitops/pull/1', state: 'rejected' });
    clock.advance(60_000);
    expect((await run(store, clock, rates, incidents, prs)).action).toBe('none');
    clock.advance(60_000);
    rates.factor = 10;
    const report = await run(store, clock, rates, incidents, prs);
    expect(report.action).toBe('rolled_back');
    expect(report.detail).toContain(
      'after the proposal https://github.com/acme/gitops/pull/1 was closed without merging',
    );
    expect(prs.comments).toEqual([]);
    expect(incidents.updates.map((u) => u.key)).toEqual(['declined', 'clear_cut']);
  });
});

describe('mode propose with approve_below', () => {
  it('proposes every stop as before: the pull request does not say it waits on a clear-cut level', async () => {
    const clock = new Clock(START);
    const prs = pulls();
    const incidents = sink();
    const policy = POLICY.replace('approve_below: 5x', 'approve_below: 5x\n    mode: propose');
    const report = await run(repo(clock), clock, { factor: 1.8 }, incidents, prs, policy);
    expect(report).toMatchObject({ action: 'proposed', approval: { clear_cut: false } });
    expect(prs.opened.at(-1)!.body).not.toContain('It waits for a person');
    expect(incidentTitle(incidents.opened[0]!)).toBe('Rollback proposed: api 1.1.0 -> 1.0.0 (error_spike)');
  });
});

describe('a dry run', () => {
  it('(--mode dry-run of a mode auto service) says the rollback would wait for a person', async () => {
    const clock = new Clock(START);
    const store = repo(clock);
    const policy = parsePolicy(POLICY, 'p.yml', {});
    const { report } = await reconcileService(
      policy.services[0]!,
      {
        store,
        providers: new Map([['file', errors({ factor: 1.8 })]]),
        incidents: onceSink(undefined),
        now: () => new Date(clock.t),
      },
      {
        ...DEFAULT_RUN,
        policyFile: 'p.yml',
        policyDigest: policy.digest,
        actor: 't',
        runUrl: undefined,
        author: { name: 'p', email: 'p@x' },
        mode: 'dry-run',
      },
    );
    expect(report.action).toBe('dry_run');
    expect(report.detail).toMatch(/^would wait for a person: not clear-cut \(errors x1\.8/);
  });
});

describe('a watch', () => {
  const service = parsePolicy(POLICY, 'p.yml', {}).services[0]!;
  const stop = {
    decision: 'stop' as const,
    reason: 'error_spike',
    evidence: [],
    breaches: 1,
    require: 1,
    alerts: [],
    approval: { clearCut: false, levels: [], why: 'x1.8' },
  };
  const awaiting: Next = {
    kind: 'rollback',
    rollback: {
      from: '1.1.0',
      to: '1.0.0',
      decision: stop,
      pinnedBy: { sha: 'p', time: 0 },
      chain: 1,
      awaiting: 'x1.8',
    },
  };
  it.each([
    ['a rollback awaiting a person', awaiting, 'auto', false],
    [
      'its open proposal in mode auto: the evidence may still become clear-cut',
      { kind: 'report', quiet: 'proposal_open', decision: stop },
      'auto',
      false,
    ],
    [
      'an open proposal in mode propose',
      { kind: 'report', quiet: 'proposal_open', decision: stop },
      'propose',
      true,
    ],
  ] as const)('%s: final %s', (_name, next, mode, final) => {
    expect(isFinal(service, next as Next, mode)).toBe(final);
  });
});
