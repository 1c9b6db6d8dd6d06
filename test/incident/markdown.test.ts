import { describe, expect, it } from 'vitest';
import { code, text } from '../../src/incident/markdown.js';

describe('text from a dispatch reason, a label or a message', () => {
  it('renders no Markdown image (a tracking pixel) and no link', () => {
    const reason =
      'p99 up ![x](https://evil.example/pixel.png?r=1) see [the runbook](https://evil.example/login)';
    const out = text(reason);
    expect(out).toBe(
      'p99 up !\\[x\\](https://evil.example/pixel.png?r=1) see \\[the runbook\\](https://evil.example/login)',
    );
    expect(out).not.toMatch(/!\[[^\]]*\]\(/);
    expect(out).not.toMatch(/(?<!\\)\[[^\]]*\]\(/);
  });

  it('renders no reference link, and an escaped bracket stays escaped', () => {
    expect(text('[click][1] [1]: https://evil.example')).toBe(
      '\\[click\\]\\[1\\] \\[1\\]: https://evil.example',
    );
    expect(text('\\[x](y)')).toBe('\\\\\\[x\\](y)');
  });

  it('still neutralizes HTML and mentions, and keeps a bare URL a link', () => {
    expect(text('<img src=x> @octocat & https://github.com/acme/gitops/pull/7')).toBe(
      '&lt;img src=x&gt; @\u200boctocat &amp; https://github.com/acme/gitops/pull/7',
    );
  });

  it('keeps a table cell whole', () => {
    expect(text('a | b')).toBe('a \\| b');
  });

  it('leaves code spans as they were', () => {
    expect(code('![x](y)')).toBe('`![x](y)`');
  });
});
