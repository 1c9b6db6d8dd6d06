import { scrubber } from '../redact.js';
import { headline, type Notifier, type RollbackNotice } from './event.js';
import { postJson, redactUrl } from './post.js';
import { webhookSecrets } from './webhook.js';

/** Slack mrkdwn: `&`, `<` and `>` are the only characters to escape. */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Block Kit message: the seeds' headline, the evidence, and links to commit, incident and run. */
export function slackMessage(n: RollbackNotice): Record<string, unknown> {
  const links = [
    n.links.commit && `<${n.links.commit}|commit>`,
    n.links.pullRequest && `<${n.links.pullRequest}|pull request>`,
    n.links.incident && `<${n.links.incident}|incident>`,
    n.links.run && `<${n.links.run}|run>`,
  ].filter(Boolean);
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(headline(n))}*` } },
  ];
  if (n.evidence.length) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: n.evidence.map((e) => `• \`${mrkdwn(e.replace(/`/g, "'"))}\``).join('\n'),
      },
    });
  }
  if (links.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });
  return { text: headline(n), blocks };
}

export function slackNotifier(webhook: string, fetchImpl?: typeof fetch): Notifier {
  const scrub = scrubber(webhookSecrets(webhook));
  return {
    send: (n) => postJson(webhook, slackMessage(n), {}, fetchImpl, undefined, scrub),
    describe: () => `slack ${redactUrl(webhook)}`,
  };
}
