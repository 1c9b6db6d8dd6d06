/**
 * The Action's `mode: doctor` against the GitHub stand-in, in process: the checklist in the job
 * summary on any event, the GitOps repository read through the GitHub store, the token's access
 * asked with `GET /repos/{owner}/{repo}` of each repository written, nothing written; the step
 * fails only when a service falls short of the policy's `doctor:` minimum.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ActionContext, runAction } from '../../src/action/run.js';
import { readSettings } from '../../src/action/settings.js';
import { parseDuration } from '../../src/config/duration.js';
import type { DoctorReport } from '../../src/doctor/readiness.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { policy, type Scenario, STABLE, useScenarios } from '../support/github-action.js';

const { make } = useScenarios();

interface Ran {
  failure: string | undefined;
  summary: string;
  outputs: Record<string, string>;
  warnings: string[];
}

async function doctorRun(s: Scenario, event = 'workflow_dispatch'): Promise<Ran> {
  const ran: Ran = { failure: undefined, summary: '', outputs: {}, warnings: [] };
  const inputs: Record<string, string> = {
    token: 'test-token',
    config: '.github/pinback.yml',
    mode: 'doctor',
  };
  const ctx: ActionContext = {
    input: (name) => inputs[name] ?? '',
    event,
    payload: eventPayload('workflow_dispatch', { repo: 'acme/app' }) as unknown as Record<string, unknown>,
    env: { GITHUB_API_URL: s.fake.url, GITHUB_GRAPHQL_URL: s.fake.graphqlUrl, GITHUB_REPOSITORY: 'acme/app' },
    workspace: s.workspace,
    log: { info: () => {}, warning: (m) => ran.warnings.push(m), error: () => {}, secret: () => {} },
    setOutput: (name, value) => {
      ran.outputs[name] = value;
    },
    summary: async (md) => {
      ran.summary += md;
    },
  };
  ran.failure = await runAction(ctx);
  return ran;
}

describe('the input mode', () => {
  it('takes doctor, and names it among the modes when refused', () => {
    const input = (mode: string) => (name: string) => (name === 'mode' ? mode : '');
    expect(readSettings(input('doctor'), parseDuration).mode).toBe('doctor');
    expect(() => readSettings(input('doctr'), parseDuration)).toThrow(
      'input mode must be auto, propose, dry-run, gate or doctor, not "doctr"',
    );
  });
});

describe('mode: doctor on a workflow_dispatch', () => {
  let s: Scenario;
  let ran: Ran;
  let report: DoctorReport;

  beforeAll(async () => {
    s = await make();
    ran = await doctorRun(s);
    report = JSON.parse(ran.outputs.doctor!) as DoctorReport;
  });

  it('passes: the policy sets no minimum', () => {
    expect(ran.failure).toBeUndefined();
    expect(report.ok).toBe(true);
  });

  it('writes the checklist with its score to the job summary', () => {
    expect(ran.summary).toContain('## pinback doctor');
    expect(ran.summary).toContain('### `support-agent` (`canary`): 5/8');
    expect(ran.summary).toContain('| ✅ | a stable to return to, unlocked `stable` | 2.3.3, unlocked');
    expect(ran.summary).toContain('`set services.support-agent.on_rollback.verify: { window: 10m }`');
  });

  it('reads the stable from the GitOps repository through the GitHub store', () => {
    expect(report.services[0]!.checks[0]).toMatchObject({ check: 'stable', status: 'pass' });
    expect(report.services[0]!.checks[0]!.detail).toMatch(
      new RegExp(`^${STABLE.replace(/\./g, '\\.')}, unlocked`),
    );
  });

  it("asks GitHub what the token may do in the GitOps and the incidents' repository, once each", () => {
    const asked = s.fake.requests.filter((r) => r.operation === 'repos/get').map((r) => r.path);
    expect(asked.sort()).toEqual(['/repos/acme/app', '/repos/acme/gitops']);
    expect(report.services[0]!.checks[7]).toMatchObject({ check: 'token', status: 'pass' });
    expect(report.services[0]!.checks[7]!.detail).toBe(
      'acme/gitops: contents: write, pull-requests: write, statuses: write; acme/app: issues: write',
    );
  });

  it('writes nothing: one read, no commit, no issue', () => {
    expect(s.fake.requests.filter((r) => r.kind === 'graphql').map((r) => r.operation)).toEqual([
      'PinbackRead',
    ]);
    expect(s.fake.issues('acme/app')).toEqual([]);
    expect(ran.outputs).toMatchObject({ decision: 'none', 'rolled-back': 'false' });
  });
});

describe('mode: doctor with a minimum the service misses', () => {
  let ran: Ran;

  beforeAll(async () => {
    const s = await make();
    await writeFile(
      join(s.workspace, '.github', 'pinback.yml'),
      `${policy()}doctor: { require: [owners, verify, kill_switch] }\n`,
    );
    ran = await doctorRun(s, 'schedule');
  });

  it('fails the step, naming the services and the minimum', () => {
    expect(ran.failure).toBe(
      "1 of 1 service(s) below the policy's minimum (doctor.require: owners, verify, kill_switch): support-agent",
    );
  });

  it('says in the summary which required checks fail', () => {
    expect(ran.summary).toContain('- **fails:** kill_switch is required (doctor.require) and missing');
    expect(ran.summary).toContain('- **fails:** verify is required (doctor.require) and missing');
    expect(ran.summary).not.toContain('owners is required');
  });
});

describe('mode: doctor with a token that cannot see the GitOps repository', () => {
  it('marks the token check missing with what GitHub answered', async () => {
    const s = await make();
    s.fake.failNext(
      { method: 'GET', path: /^\/repos\/acme\/gitops$/ },
      { status: 404, body: { message: 'Not Found' } },
    );
    const ran = await doctorRun(s);
    const report = JSON.parse(ran.outputs.doctor!) as DoctorReport;
    const token = report.services[0]!.checks.find((c) => c.check === 'token')!;
    expect(token.status).toBe('missing');
    expect(token.detail).toContain('the token cannot read acme/gitops: Not Found');
  });
});
