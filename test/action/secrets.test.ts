/**
 * src/action/secrets.ts (unit): every secret part of the policy is its own mask, and the Action's
 * context scrubs whatever it writes (log lines, annotations, outputs, the summary, errors).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/action/run.js';
import {
  ActionSecrets,
  guardedContext,
  maskPolicySecrets,
  policySecrets,
  scrubError,
} from '../../src/action/secrets.js';
import { loadPolicy } from '../../src/config/load.js';
import type { Policy } from '../../src/config/policy.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const ENV = {
  PROM_PASS: 'prom-url-pass',
  BEARER: 'bearer-token-1',
  BASIC_PASS: 'basic-pass-2',
  DD_API: 'dd-api-key-3',
  DD_APP: 'dd-app-key-4',
  SLACK: 'https://hooks.slack.com/services/T0ACME/B0PINBACK/slack-secret-5',
  HOOK: 'https://hooks.example/in/hook-secret-6?sig=hook-sig-7',
};

const POLICY = `version: 1
providers:
  prom: { type: prometheus, url: "https://reader:\${PROM_PASS}@prom.example", headers: { X-Scope-OrgID: tenant-8 } }
  bearer: { type: prometheus, url: "https://prom.example", bearer_token: "\${BEARER}" }
  basic: { type: prometheus, url: "https://prom.example", basic_auth: { username: alice, password: "\${BASIC_PASS}" } }
  dd: { type: datadog, api_key: "\${DD_API}", app_key: "\${DD_APP}" }
  api: { type: http, url: "https://m.example/q?api_key=query-key-9&q={{query}}", headers: { X-Api-Key: header-key-10 }, select: "$.v" }
services:
  api:
    candidate: 1.1.0
    triggers:
      a: { provider: prom, query: up, max: 1 }
      b: { provider: bearer, query: up, max: 1 }
      c: { provider: basic, query: up, max: 1 }
      d: { provider: dd, query: up, max: 1 }
      e: { provider: api, query: up, max: 1 }
    on_rollback:
      notify:
        - { type: slack, webhook: "\${SLACK}" }
        - { type: webhook, url: "\${HOOK}", headers: { X-Hook-Token: hook-header-11 } }
`;

describe('policy secrets', () => {
  let policy: Policy;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-action-secrets-'));
    writeFileSync(join(dir, 'pinback.yml'), POLICY);
    policy = await loadPolicy(join(dir, 'pinback.yml'), ENV);
  });

  it('masks each secret part on its own, encoded forms included', () => {
    const masks: string[] = [];
    maskPolicySecrets(policy, (s) => masks.push(s));
    for (const part of [
      ENV.PROM_PASS,
      b64(`reader:${ENV.PROM_PASS}`),
      'tenant-8',
      ENV.BEARER,
      ENV.BASIC_PASS,
      b64(`alice:${ENV.BASIC_PASS}`),
      ENV.DD_API,
      ENV.DD_APP,
      'query-key-9',
      'header-key-10',
      ENV.SLACK,
      '/services/T0ACME/B0PINBACK/slack-secret-5',
      'slack-secret-5',
      ENV.HOOK,
      '/in/hook-secret-6',
      'hook-secret-6',
      'hook-sig-7',
      'hook-header-11',
    ]) {
      expect(masks, part).toContain(part);
    }
    expect(new Set(masks).size).toBe(masks.length);
  });

  it('scrubs them all out of any text', () => {
    const secrets = new ActionSecrets();
    secrets.add(...policySecrets(policy));
    const text = Object.values(ENV).join(' | ') + ` ${b64(`alice:${ENV.BASIC_PASS}`)} hook-header-11`;
    const scrubbed = secrets.scrub(text);
    for (const v of Object.values(ENV)) expect(scrubbed).not.toContain(v);
    expect(scrubbed).not.toContain('hook-header-11');
  });
});

describe('the guarded Action context', () => {
  function recorder() {
    const written: string[] = [];
    const ctx: ActionContext = {
      input: () => '',
      event: 'schedule',
      payload: {},
      env: {},
      workspace: '/tmp',
      log: {
        info: (m) => written.push(`info ${m}`),
        warning: (m) => written.push(`warning ${m}`),
        error: (m, at) => written.push(`error ${m} ${at?.title ?? ''}`.trim()),
        secret: (s) => written.push(`mask ${s}`),
      },
      setOutput: (k, v) => written.push(`output ${k}=${v}`),
      summary: async (md) => {
        written.push(`summary ${md}`);
      },
    };
    return { ctx, written };
  }

  it('scrubs log lines, annotations, outputs and the summary; a secret logged once is scrubbed after', async () => {
    const { ctx, written } = recorder();
    const secrets = new ActionSecrets();
    const guarded = guardedContext(ctx, secrets);
    guarded.log.secret('ghs_tokenvalue');
    guarded.log.warning('incident not opened: Bad credentials for ghs_tokenvalue');
    guarded.log.error('failed: ghs_tokenvalue', { title: 'pinback' });
    guarded.log.info('ok ghs_tokenvalue');
    guarded.setOutput('report', '{"cause":"ghs_tokenvalue"}');
    await guarded.summary('| ghs_tokenvalue |');
    expect(written).toEqual([
      'mask ghs_tokenvalue',
      'warning incident not opened: Bad credentials for ***',
      'error failed: *** pinback',
      'info ok ***',
      'output report={"cause":"***"}',
      'summary | *** |',
    ]);
  });

  it('scrubs an error (an octokit RequestError echoing the token)', () => {
    const secrets = new ActionSecrets();
    secrets.add('my-github-token');
    const error = Object.assign(new Error('Validation Failed: my-github-token'), { name: 'HttpError' });
    const scrubbed = scrubError(error, secrets.scrub);
    expect(scrubbed.message).toBe('Validation Failed: ***');
    expect(scrubbed.name).toBe('HttpError');
  });
});
