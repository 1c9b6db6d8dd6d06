/**
 * A Slack message stays within Block Kit's limits however many triggers breach and however long the
 * names: Slack refuses a message with one block over a limit whole (`invalid_blocks`), so a big
 * incident would otherwise tell nobody.
 */
import { describe, expect, it } from 'vitest';
import { headline, type RollbackNotice } from '../../src/notify/event.js';
import {
  MAX_EVIDENCE_LINES,
  SLACK_LIMITS,
  slackLimitProblems,
  slackMessage,
} from '../../src/notify/slack.js';

const notice: RollbackNotice = {
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: '0123456789abcdef',
  severity: 'high',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: [],
  links: {
    incident: 'https://github.com/acme/gitops/issues/7',
    run: 'https://github.com/acme/gitops/actions/runs/1',
  },
};

const texts = (m: ReturnType<typeof slackMessage>) => JSON.stringify(m.blocks);

describe('Slack messages within Block Kit limits', () => {
  it('200 breaching triggers: within every limit, the first 20 shown, "…and 180 more" said', () => {
    const evidence = Array.from(
      { length: 200 },
      (_, i) => `trigger_${i}_error_rate_by_route_and_region=0.0${i}>0.05`,
    );
    const m = slackMessage({ ...notice, evidence });
    expect(slackLimitProblems(m)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(texts(m)).toContain('trigger_19_error_rate');
    expect(texts(m)).not.toContain('trigger_20_error_rate');
    expect(texts(m)).toContain(
      `…and ${200 - MAX_EVIDENCE_LINES} more breaching triggers (the incident lists them all)`,
    );
  });

  it('long trigger names full of characters Slack escapes still fit each section', () => {
    const evidence = Array.from({ length: 200 }, (_, i) => `${'<&>'.repeat(400)}_${i}=1>0`);
    const m = slackMessage({ ...notice, evidence });
    expect(slackLimitProblems(m)).toEqual([]);
    const sections = m.blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(1);
  });

  it('a headline past 150 characters (digests) is cut in the header and given whole below it', () => {
    const n = { ...notice, from: `2.4.0@sha256:${'a'.repeat(64)}`, to: `2.3.3@sha256:${'b'.repeat(64)}` };
    const m = slackMessage(n);
    expect(slackLimitProblems(m)).toEqual([]);
    expect(m.blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(m.blocks[0]).length).toBeLessThan(250);
    // Whole, as mrkdwn (`->` escaped).
    expect(m.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${headline(n).replace('->', '-&gt;')}*` },
    });
  });

  it('one breaching trigger: no "more" line', () => {
    const m = slackMessage({ ...notice, evidence: ['error_rate=0.071>0.05'] });
    expect(texts(m)).not.toContain('more breaching');
  });

  it('slackLimitProblems names what breaks a limit', () => {
    const m = slackMessage(notice);
    const broken = {
      ...m,
      blocks: [
        ...m.blocks,
        { type: 'header' as const, text: { type: 'plain_text' as const, text: 'h'.repeat(151) } },
        ...Array.from({ length: 50 }, () => ({ type: 'divider' as const })),
      ],
    };
    expect(slackLimitProblems(broken)).toEqual([
      `${broken.blocks.length} blocks > 50`,
      `block ${m.blocks.length}: header of 151 characters > 150`,
    ]);
  });
});
