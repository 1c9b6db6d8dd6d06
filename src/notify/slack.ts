import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { scrubber } from '../redact.js';
import { headline, labelledLinks, type Notifier, type RollbackNotice, webLink } from './event.js';
import { postJson, redactUrl } from './post.js';
import { webhookSecrets } from './webhook.js';

/**
 * Block Kit's limits (docs.slack.dev, "Blocks"): a message whose blocks break one is refused whole
 * (`invalid_blocks`), so the message is built within them however many triggers breach.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  /** The notification text (`text`): Slack cuts a message at 40,000; a pager's preview is far shorter. */
  text: 3000,
} as const;

/** Evidence lines shown: past a screenful, the incident holds the table and Slack says how many more. */
export const MAX_EVIDENCE_LINES = 20;
/** One trigger's term, before escaping: a long query-derived name must not take a section alone. */
const MAX_TERM = 200;

/** A Slack message: the notification text and its typed blocks (type-only import: nothing enters the bundle). */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack mrkdwn: `&`, `<` and `>` are the only characters to escape. */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` characters, an ellipsis marking a cut. */
function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Escaped mrkdwn cut to `max` characters without splitting an entity (`&amp;`) in two. */
function cutMrkdwn(escaped: string, max: number): string {
  return escaped.length > max ? `${escaped.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…` : escaped;
}

/**
 * One breaching trigger as the evidence section shows it: `• \`error_rate=0.071>0.05\` ▁▁▅▇█`, the
 * sparkline of its metric after the term when there is one (at most 24 characters: chart/sparkline.ts).
 */
export function evidenceLine(term: string, trend?: string): string {
  const spark = trend ? ` ${mrkdwn(cut(trend, 24))}` : '';
  return `• \`${mrkdwn(cut(term.replace(/`/g, "'"), MAX_TERM))}\`${spark}`;
}

/** The trend of the trigger a term names (`name=value>limit`): the longest name the term starts with. */
function trendOf(n: RollbackNotice, term: string): string | undefined {
  const names = Object.keys(n.trends ?? {}).filter((name) => term.startsWith(`${name}=`));
  const name = names.sort((a, b) => b.length - a.length)[0];
  return name === undefined ? undefined : n.trends![name];
}

/** The evidence, a line per trigger, packed into sections of at most 3,000 characters each. */
function evidenceSections(n: RollbackNotice): SectionBlock[] {
  const lines = n.evidence.slice(0, MAX_EVIDENCE_LINES).map((term) => evidenceLine(term, trendOf(n, term)));
  const hidden = n.evidence.length - Math.min(n.evidence.length, MAX_EVIDENCE_LINES);
  if (hidden > 0) {
    const where = n.links.incident ? 'the incident lists them all' : 'the run lists them all';
    lines.push(`…and ${hidden} more breaching trigger${hidden === 1 ? '' : 's'} (${where})`);
  }
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts.length - 1;
    if (last >= 0 && texts[last]!.length + 1 + line.length <= SLACK_LIMITS.sectionText) {
      texts[last] += `\n${line}`;
    } else texts.push(line);
  }
  return texts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

/** Severity and links in one context line, links dropped from the end should they not fit. */
function contextBlock(n: RollbackNotice): ContextBlock {
  const parts = [`severity *${n.severity}*`];
  for (const { label, href } of labelledLinks(n)) parts.push(`<${mrkdwn(href)}|${label}>`);
  // The CLI's incident is a Markdown file: named, not linked.
  if (n.links.incident && !webLink(n.links.incident))
    parts.push(`incident \`${cutMrkdwn(mrkdwn(n.links.incident), 300)}\``);
  let text = '';
  for (const p of parts) {
    const next = text ? `${text} · ${p}` : p;
    if (next.length > SLACK_LIMITS.sectionText) break;
    text = next;
  }
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * A Block Kit message: the seeds' headline as the header, the evidence (at most
 * MAX_EVIDENCE_LINES lines, then "…and N more"), the severity and the links (incident first).
 * Within SLACK_LIMITS by construction; test/notify/slack-limits.test.ts checks 200 breaching triggers.
 */
export function slackMessage(n: RollbackNotice): SlackMessage {
  const line = headline(n);
  const header: HeaderBlock = {
    type: 'header',
    text: { type: 'plain_text', text: cut(line, SLACK_LIMITS.headerText), emoji: false },
  };
  const blocks: KnownBlock[] = [header];
  // A headline past the header's 150 characters (digests as versions) is given whole below it.
  if (line.length > SLACK_LIMITS.headerText) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${cutMrkdwn(mrkdwn(line), SLACK_LIMITS.sectionText - 2)}*` },
    });
  }
  blocks.push(...evidenceSections(n), contextBlock(n));
  return { text: cut(line, SLACK_LIMITS.text), blocks };
}

/** What breaks Block Kit's limits in a message (empty when none): for tests and for anyone changing the blocks. */
export function slackLimitProblems(m: SlackMessage): string[] {
  const problems: string[] = [];
  if (m.blocks.length > SLACK_LIMITS.blocks)
    problems.push(`${m.blocks.length} blocks > ${SLACK_LIMITS.blocks}`);
  if (m.text.length > SLACK_LIMITS.text) problems.push(`text of ${m.text.length} characters`);
  m.blocks.forEach((b, i) => {
    if (b.type === 'header' && b.text.text.length > SLACK_LIMITS.headerText)
      problems.push(`block ${i}: header of ${b.text.text.length} characters > ${SLACK_LIMITS.headerText}`);
    if (b.type === 'section' && (b.text?.text.length ?? 0) > SLACK_LIMITS.sectionText)
      problems.push(`block ${i}: section of ${b.text!.text.length} characters > ${SLACK_LIMITS.sectionText}`);
    if (b.type === 'section' && (b.text?.text.length ?? 0) === 0) problems.push(`block ${i}: empty section`);
    if (b.type === 'context') {
      if (b.elements.length > SLACK_LIMITS.contextElements)
        problems.push(`block ${i}: ${b.elements.length} context elements > ${SLACK_LIMITS.contextElements}`);
      for (const e of b.elements)
        if ('text' in e && e.text.length > SLACK_LIMITS.sectionText)
          problems.push(`block ${i}: context text of ${e.text.length} characters`);
    }
  });
  return problems;
}

export function slackNotifier(webhook: string, fetchImpl?: typeof fetch): Notifier {
  const scrub = scrubber(webhookSecrets(webhook));
  return {
    send: (n) => postJson(webhook, slackMessage(n), {}, fetchImpl, undefined, scrub),
    describe: () => `slack ${redactUrl(webhook)}`,
  };
}
