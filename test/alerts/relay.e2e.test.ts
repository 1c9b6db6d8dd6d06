import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/alert-fixtures.js';
import { ROOT } from '../support/cli.js';

/*
 * examples/alerts/alertmanager-relay.mjs, the recipe for Alertmanager before 0.32, run as
 * docs/alerts.md runs it: Alertmanager's webhook message in, the dispatch 0.32+ sends itself out
 * (the very request test/action/alerts.e2e.test.ts hands the Action).
 */

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: unknown;
}

let github: Server;
let relay: ChildProcess;
let relayUrl: string;
const received: Received[] = [];
let answer = 204;

beforeAll(async () => {
  github = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(answer).end(answer === 204 ? '' : '{"message":"Invalid request."}');
    });
  });
  github.listen(0, '127.0.0.1');
  await once(github, 'listening');
  const api = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  relay = spawn(process.execPath, [resolve(ROOT, 'examples', 'alerts', 'alertmanager-relay.mjs')], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      PINBACK_REPO: 'acme/pinback-guard',
      GITHUB_TOKEN: 'ghs_relaytoken',
      GITHUB_API_URL: api,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(relay.stdout!, 'data')) as [Buffer];
  relayUrl = `http://127.0.0.1:${/:(\d+)$/m.exec(line.toString())![1]}/`;
});

afterAll(async () => {
  relay.kill();
  github.close();
  github.closeAllConnections();
});

const post = (body: string) =>
  fetch(relayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the Alertmanager relay', () => {
  it("sends GitHub the dispatch that Alertmanager 0.32's payload sends, with the token", async () => {
    received.length = 0;
    const r = await post(JSON.stringify(fixture('alertmanager-webhook.json')));
    expect(r.status).toBe(200);
    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/repos/acme/pinback-guard/dispatches',
        headers: expect.objectContaining({
          authorization: 'Bearer ghs_relaytoken',
          accept: 'application/vnd.github+json',
        }),
        body: fixture('alertmanager-dispatch.json'),
      }),
    ]);
  });

  it.each([
    [422, 422],
    [500, 502],
  ])('answers GitHub %i as %i: Alertmanager retries only a 5xx', async (github, relayed) => {
    answer = github;
    const r = await post(JSON.stringify(fixture('alertmanager-webhook.json')));
    answer = 204;
    expect(r.status).toBe(relayed);
    expect(await r.text()).toContain(`GitHub answered ${github}`);
  });

  it('refuses what is no webhook message, sending nothing', async () => {
    received.length = 0;
    const r = await post('{"service": "web"}');
    expect(r.status).toBe(400);
    expect(received).toEqual([]);
  });
});
