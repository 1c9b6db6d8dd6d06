#!/usr/bin/env node
/**
 * A relay for Alertmanager before 0.32, whose webhook cannot shape its body: it receives
 * Alertmanager's webhook message and sends GitHub the repository_dispatch that Alertmanager 0.32+
 * sends itself with the `payload:` of docs/alerts.md. Node 20+, no dependency.
 *
 *   GITHUB_TOKEN=... PINBACK_REPO=acme/pinback-guard node alertmanager-relay.mjs
 *
 * Environment: GITHUB_TOKEN (may create repository_dispatch events on PINBACK_REPO), PINBACK_REPO
 * (owner/name of the repository whose workflow runs pinback), PORT (default 9095), EVENT_TYPE
 * (default alertmanager), GITHUB_API_URL (default https://api.github.com; GitHub Enterprise:
 * https://HOST/api/v3). Alertmanager posts to http://RELAY:9095/.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** The keys of Alertmanager's message a guard reads (GitHub allows client_payload 10 top-level keys). */
export function dispatchOf(message, eventType = 'alertmanager') {
  return {
    event_type: eventType,
    client_payload: {
      receiver: message.receiver,
      status: message.status,
      externalURL: message.externalURL,
      alerts: message.alerts,
    },
  };
}

/** Alertmanager retries a 5xx and gives up on a 4xx: GitHub's refusal of a request is not retried. */
const answerFor = (status) => (status >= 200 && status < 300 ? 200 : status >= 500 ? 502 : status);

export function startRelay({ port = 9095, repo, token, apiUrl = 'https://api.github.com', eventType } = {}) {
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo ?? '')) throw new Error('PINBACK_REPO must be owner/name');
  if (!token) throw new Error('GITHUB_TOKEN is empty');
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      let message;
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (req.method !== 'POST' || !Array.isArray(message?.alerts)) throw new Error('not a webhook message');
      } catch {
        res.writeHead(400).end('expected an Alertmanager webhook message (POST, JSON, with alerts)\n');
        return;
      }
      try {
        const r = await fetch(`${apiUrl.replace(/\/$/, '')}/repos/${repo}/dispatches`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/vnd.github+json',
            'content-type': 'application/json',
            'user-agent': 'pinback-alertmanager-relay',
            'x-github-api-version': '2022-11-28',
          },
          body: JSON.stringify(dispatchOf(message, eventType)),
        });
        const text = await r.text();
        res.writeHead(answerFor(r.status)).end(r.ok ? '' : `GitHub answered ${r.status}: ${text}\n`);
      } catch (e) {
        res.writeHead(502).end(`GitHub unreachable: ${e.message}\n`);
      }
    });
  });
  server.listen(port);
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env;
  const server = startRelay({
    port: Number(env.PORT ?? 9095),
    repo: env.PINBACK_REPO,
    token: env.GITHUB_TOKEN,
    apiUrl: env.GITHUB_API_URL,
    eventType: env.EVENT_TYPE,
  });
  server.on('listening', () => console.log(`relaying Alertmanager to ${env.PINBACK_REPO} on :${server.address().port}`));
}
