import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headline } from '../../src/notify/event.js';
import { notifiers, notifyAll, type RollbackNotice } from '../../src/notify/index.js';
import { slackMessage } from '../../src/notify/slack.js';

const notice: RollbackNotice = {
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: '0123456789abcdef',
  severity: 'critical',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: ['error_rate=0.071>0.05'],
  links: {
    commit: 'https://github.com/acme/gitops/commit/abc',
    run: 'https://github.com/acme/app/actions/runs/1',
  },
};

describe('notification messages', () => {
  it('say what the seeds say', () => {
    expect(headline(notice)).toBe(
      'Rollback triggered support-agent@2.4.0 -> 2.3.3, reason=error_spike, stage=canary',
    );
  });

  it('are Slack Block Kit with the headline, the evidence, the severity and the links', () => {
    const m = slackMessage(notice);
    expect(m.text).toBe(headline(notice));
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(m.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: headline(notice), emoji: false },
    });
    expect(JSON.stringify(m.blocks[2])).toContain('severity *critical*');
    expect(JSON.stringify(m.blocks[2])).toContain('<https://github.com/acme/gitops/commit/abc|commit>');
  });

  it('link the incident first in Slack, or name it where it is a file (the CLI)', () => {
    const web = slackMessage({
      ...notice,
      links: { ...notice.links, incident: 'https://github.com/acme/gitops/issues/7' },
    });
    expect(JSON.stringify(web.blocks.at(-1))).toContain(
      'severity *critical* · <https://github.com/acme/gitops/issues/7|incident> · <https://github.com/acme/gitops/commit/abc|commit>',
    );
    const file = slackMessage({ ...notice, links: { incident: 'incidents/support-agent-0123.md' } });
    expect(JSON.stringify(file.blocks.at(-1))).toContain('incident `incidents/support-agent-0123.md`');
  });

  it('escape Slack control characters from metric text', () => {
    const m = slackMessage({ ...notice, evidence: ['x=<!channel>&'] });
    expect(JSON.stringify(m)).toContain('&lt;!channel&gt;&amp;');
  });
});

describe('sending notifications', () => {
  let server: Server;
  let url: string;
  const received: { path: string; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts to Slack and to a generic webhook', async () => {
    const list = notifiers([
      { type: 'slack', webhook: `${url}/slack/T000/B000/secret` },
      { type: 'webhook', url: `${url}/hook`, headers: { 'x-token': 't' } },
    ]);
    await notifyAll(list, notice, () => {
      throw new Error('no warning expected');
    });
    expect(received.find((r) => r.path.startsWith('/slack'))?.body).toMatchObject({ text: headline(notice) });
    expect(received.find((r) => r.path === '/hook')?.body).toMatchObject({
      event: 'pinback.rolled_back',
      service: 'support-agent',
    });
  });

  it('turns a failing endpoint into a warning without its secret URL', async () => {
    const warnings: string[] = [];
    await notifyAll(notifiers([{ type: 'slack', webhook: `${url}/fail/secret-path` }]), notice, (w) =>
      warnings.push(w),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('HTTP 500');
    expect(warnings[0]).not.toContain('secret-path');
  });
});
