import { describe, expect, it } from 'vitest';
import type { RollbackNotice } from '../../src/notify/event.js';
import { slackLimitProblems, slackMessage } from '../../src/notify/slack.js';

const notice = (o: Partial<RollbackNotice> = {}): RollbackNotice => ({
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: '4f0b267b36b5b7d0',
  severity: 'critical',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: ['errors=0.0602>0.006013', 'err=0.2>0.1'],
  links: {},
  ...o,
});

const evidenceText = (n: RollbackNotice) =>
  slackMessage(n)
    .blocks.filter((b) => b.type === 'section')
    .map((b) => (b.type === 'section' ? b.text?.text : ''))
    .join('\n');

describe("Slack: the breaching metric's sparkline on its evidence line", () => {
  it('follows the term of its own trigger', () => {
    const n = notice({ trends: { errors: '▁▄▇█', err: '█▁' } });
    expect(evidenceText(n)).toBe('• `errors=0.0602&gt;0.006013` ▁▄▇█\n• `err=0.2&gt;0.1` █▁');
    expect(slackLimitProblems(slackMessage(n))).toEqual([]);
  });

  it('leaves a line without a trend as it was', () => {
    expect(evidenceText(notice({ trends: { errors: '▁█' } }))).toBe(
      '• `errors=0.0602&gt;0.006013` ▁█\n• `err=0.2&gt;0.1`',
    );
    expect(evidenceText(notice())).toBe('• `errors=0.0602&gt;0.006013`\n• `err=0.2&gt;0.1`');
  });

  it('escapes and bounds what it is given', () => {
    expect(
      evidenceText(notice({ evidence: ['errors=1>0'], trends: { errors: `<!here>${'█'.repeat(40)}` } })),
    ).toBe(`• \`errors=1&gt;0\` &lt;!here&gt;${'█'.repeat(16)}…`);
  });
});
