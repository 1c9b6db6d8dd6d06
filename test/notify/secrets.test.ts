/**
 * Issue 12 at the notifiers (unit: a stand-in fetch, no socket): a webhook's URL is its secret, so a
 * failure says the status or the network trouble and nothing the receiver wrote, a malformed URL is not
 * quoted, `user:password@` is sent as Basic auth, and redirects are not followed (the headers would go along).
 */
import { describe, expect, it } from 'vitest';
import type { RollbackNotice } from '../../src/notify/event.js';
import { notifiers, notifyAll } from '../../src/notify/index.js';
import { slackNotifier } from '../../src/notify/slack.js';
import { webhookNotifier, webhookSecrets } from '../../src/notify/webhook.js';

const notice: RollbackNotice = {
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: '0123456789abcdef',
  severity: 'critical',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: [],
  links: {},
};

const SLACK = 'https://hooks.slack.com/services/T0ACME/B0PINBACK/s3cr3tW3bh00kT0k3n';

interface Call {
  url: string;
  init: RequestInit;
}

function stub(answer: (url: string) => Response | Error): typeof fetch & { calls: Call[] } {
  const calls: Call[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    const a = answer(url);
    if (a instanceof Error) throw a;
    return a;
  };
  return Object.assign(f as typeof fetch, { calls });
}

async function warningsOf(list: ReturnType<typeof notifiers>): Promise<string[]> {
  const warnings: string[] = [];
  await notifyAll(list, notice, (w) => warnings.push(w));
  return warnings;
}

describe('notification failures say the status only', () => {
  it('does not repeat a receiver error page that echoes the path and the headers', async () => {
    const f = stub(
      (url) =>
        new Response(`no such hook ${new URL(url).pathname} (X-Hook-Token: hdr-s3cr3t-value)`, {
          status: 404,
        }),
    );
    const warnings = await warningsOf([
      slackNotifier(SLACK, f),
      webhookNotifier('https://hooks.example/p/hook-s3cr3t', { 'X-Hook-Token': 'hdr-s3cr3t-value' }, f),
    ]);
    expect(warnings).toEqual([
      'notification to slack https://hooks.slack.com/… failed: HTTP 404',
      'notification to webhook https://hooks.example/… failed: HTTP 404',
    ]);
  });

  it('does not quote a network error that names the URL', async () => {
    const f = stub((url) => new TypeError(`fetch failed for ${url}`));
    const [w] = await warningsOf([slackNotifier(SLACK, f)]);
    expect(w).not.toContain('s3cr3tW3bh00kT0k3n');
    expect(w).not.toContain('/services/');
  });

  it('does not quote a malformed URL, and sends nothing', async () => {
    const f = stub(() => new Response('ok'));
    const warnings = await warningsOf([
      slackNotifier('hooks.slack.com/services/T0/B0/s3cr3t-no-scheme', f),
      webhookNotifier('https://hooks.example/p/s3cr3t with space', {}, f),
      webhookNotifier('', {}, f),
    ]);
    expect(f.calls).toHaveLength(0);
    expect(warnings).toHaveLength(3);
    for (const w of warnings) expect(w).not.toContain('s3cr3t');
    expect(warnings[0]).toContain('is not a valid URL (expected https://...)');
    expect(warnings[1]).toContain('contains whitespace');
    expect(warnings[2]).toContain('is empty');
  });

  it('sends user info as Basic auth, never in the URL', async () => {
    const f = stub(() => new Response('ok'));
    await warningsOf([webhookNotifier('https://bot:pa%24%24word@hooks.example/in', {}, f)]);
    expect(f.calls[0]!.url).toBe('https://hooks.example/in');
    expect((f.calls[0]!.init.headers as Record<string, string>).authorization).toBe(
      `Basic ${Buffer.from('bot:pa$$word').toString('base64')}`,
    );
  });

  it('follows no redirect: the headers would go to wherever it points', async () => {
    const f = stub(
      () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } }),
    );
    const [w] = await warningsOf([
      webhookNotifier('https://hooks.example/in', { 'X-Hook-Token': 't0k3n-value' }, f),
    ]);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]!.init.redirect).toBe('manual');
    expect(w).toBe(
      'notification to webhook https://hooks.example/… failed: HTTP 302 (a redirect, not followed: give the URL it points to)',
    );
  });
});

describe('webhookSecrets', () => {
  it('lists the URL, its path, its last segment, user info, secret query values and header values', () => {
    expect(
      webhookSecrets('https://bot:pw-123@hooks.example/services/T0/B0/last-segment-secret?sig=abcdef', {
        'X-Hook-Token': 'hdr-value',
        'Content-Type': 'application/json',
      }),
    ).toEqual([
      'https://bot:pw-123@hooks.example/services/T0/B0/last-segment-secret?sig=abcdef',
      '/services/T0/B0/last-segment-secret',
      'last-segment-secret',
      'pw-123',
      'bot:pw-123',
      'pw-123',
      'abcdef',
      'hdr-value',
    ]);
  });
});
