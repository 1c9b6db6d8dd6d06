import { beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/config/shard-of.js';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { BREACHING, FORTY, type ShardedWorkspace, shardedWorkspace } from '../support/shards.js';

/*
 * The bundled Action in a 4-shard matrix (input `shard: K/4`, the reusable workflow's), in a dry
 * run over pinned services in a local GitOps repository, for the events that bring services of
 * their own: a workflow_dispatch's `services` and a repository_dispatch's alerted service.
 */

const EIGHT = FORTY.slice(0, 8);
const SHARDS = [1, 2, 3, 4];

let ws: ShardedWorkspace;

beforeAll(() => {
  ws = shardedWorkspace(EIGHT, { pinned: true });
});

function inShard(k: number, event: string, payload: unknown, inputs: Record<string, string> = {}) {
  return runAction({
    inputs: {
      config: 'pinback.yml',
      'gitops-repo': ws.repo!.dir,
      mode: 'dry-run',
      shard: `${k}/4`,
      ...inputs,
    },
    event,
    payload,
    workspace: ws.dir,
    // No API at all: any request would fail against this address.
    env: { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/graphql' },
  });
}

const servicesOf = (r: ActionRun) => (JSON.parse(r.outputs.report!) as Report).services;
const namesOf = (r: ActionRun) => servicesOf(r).map((s) => s.service);

describe('a workflow_dispatch in a sharded run', () => {
  it("evaluates the dispatch's services, braces and all, each once over the shards", async () => {
    // The services input is empty: the dispatch's own services are the ones asked for.
    const payload = { inputs: { services: 'svc-0{1,7}' } };
    const runs = await Promise.all(SHARDS.map((k) => inShard(k, 'workflow_dispatch', payload)));
    for (const r of runs) expect(r.code, r.stdout).toBe(0);
    expect(runs.flatMap(namesOf).toSorted()).toEqual(['svc-01', BREACHING]);
    expect(namesOf(runs[shardOf(BREACHING, 4) - 1]!)).toContain(BREACHING);
  });

  it('still prefers the services input to the dispatch', async () => {
    const payload = { inputs: { services: 'svc-01' } };
    const runs = await Promise.all(
      SHARDS.map((k) => inShard(k, 'workflow_dispatch', payload, { services: 'svc-02' })),
    );
    expect(runs.flatMap(namesOf)).toEqual(['svc-02']);
  });
});

describe('a repository_dispatch alert in a sharded run', () => {
  let runs: ActionRun[];
  const owner = shardOf(BREACHING, 4);
  const line = (k: number) =>
    `nothing to do: shard ${k}/4 does not hold ${BREACHING}, the one chosen service`;

  beforeAll(async () => {
    const alert = { client_payload: { service: BREACHING, reason: 'HighErrorRate' } };
    runs = await Promise.all(SHARDS.map((k) => inShard(k, 'repository_dispatch', alert)));
  });

  it('is judged by the one shard that holds the alerted service', () => {
    for (const r of runs) expect(r.code, r.stdout).toBe(0);
    expect(servicesOf(runs[owner - 1]!)).toEqual([
      expect.objectContaining({ service: BREACHING, decision: 'stop', action: 'dry_run' }),
    ]);
    expect(runs.flatMap(namesOf)).toEqual([BREACHING]);
  });

  it('leaves the other shards nothing to do, said in the log and the job summary', () => {
    for (const k of SHARDS.filter((s) => s !== owner)) {
      const r = runs[k - 1]!;
      expect(r.outputs).toMatchObject({ decision: 'none', 'rolled-back': 'false' });
      expect(JSON.parse(r.outputs.report!)).toEqual({ version: 1, services: [] });
      expect(r.stdout).toContain(line(k));
      expect(r.summary).toContain('## pinback (repository_dispatch)');
      expect(r.summary).toContain(line(k));
    }
  });
});

describe('a schedule in a shard that holds none of the services input', () => {
  it('says so in the log and the job summary, and passes', async () => {
    const k = (shardOf('svc-01', 4) % 4) + 1;
    const r = await inShard(k, 'schedule', { schedule: '*/5 * * * *' }, { services: 'svc-01' });
    const line = `nothing to do: shard ${k}/4 does not hold svc-01, the one chosen service`;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(line);
    expect(r.stdout).not.toContain('::error');
    expect(r.summary).toBe(`## pinback (schedule)\n\n${line}\n`);
    expect(r.outputs).toMatchObject({ decision: 'none', 'rolled-back': 'false', commit: '' });
  });

  it('counts the services it holds none of', async () => {
    // Eight services over 16 shards: some shard holds none of them.
    const k = Array.from({ length: 16 }, (_, i) => i + 1).find(
      (i) => !EIGHT.some((n) => shardOf(n, 16) === i),
    )!;
    const r = await inShard(k, 'schedule', {}, { shard: `${k}/16` });
    expect(r.code).toBe(0);
    expect(r.summary).toContain(`nothing to do: shard ${k}/16 holds none of the 8 chosen services`);
  });
});
