/**
 * src/redact.ts (unit): what keeps credentials out of causes, commit bodies and logs.
 */
import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  cleanCause,
  commitCause,
  expandSecrets,
  headerSecrets,
  redactSecrets,
  scrubber,
  SERVER_SAID,
  splitUserinfo,
  urlSecrets,
} from '../../src/redact.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('scrubber', () => {
  const scrub = scrubber(['p@ss/w rd+1', 'alice:p@ss/w rd+1', 'tok"en\\x', undefined, 'ab']);

  it.each([
    ['raw', 'p@ss/w rd+1'],
    ['URL-encoded', encodeURIComponent('p@ss/w rd+1')],
    ['URL-encoded, lower-case hex', encodeURIComponent('p@ss/w rd+1').toLowerCase()],
    ['form-encoded', 'p%40ss%2Fw+rd%2B1'],
    ['base64 of user:password (an echoed Basic header)', b64('alice:p@ss/w rd+1')],
    ['JSON-escaped', JSON.stringify('tok"en\\x').slice(1, -1)],
  ])('replaces the %s form', (_what, form) => {
    expect(scrub(`denied for ${form}.`)).toBe('denied for ***.');
  });

  it('leaves secrets too short to be one, and other text, alone', () => {
    expect(scrub('about ab and abc')).toBe('about ab and abc');
  });

  it('lists each form once, longest first', () => {
    const forms = expandSecrets(['a b']);
    expect(forms).toEqual([...new Set(forms)].sort((x, y) => y.length - x.length));
    expect(forms).toContain('a%20b');
    expect(forms).toContain('a+b');
    expect(forms).toContain(b64('a b'));
  });
});

describe('redactSecrets', () => {
  it.each([
    ['http://user:pa55@prom:9090/api', 'http://user:***@prom:9090/api'],
    ['GET /q?api_key=abc123&query=up', 'GET /q?api_key=***&query=up'],
    ['?x_auth_token=zzz9&sig=abc', '?x_auth_token=***&sig=***'],
    ['authentication failed for Bearer eyJhbGciOi.abc-def', 'authentication failed for Bearer ***'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic ***'],
    ['authorization: bearer sometoken', 'authorization: ***'],
    ['{"DD-API-KEY":"k1","password": "hunter2"}', '{"DD-API-KEY":"***","password": "***"}'],
    ['dd-api-key: 0123abc, next', 'dd-api-key: ***, next'],
    [`token ghp_${'a'.repeat(36)} refused`, 'token *** refused'],
    ['posted to https://hooks.slack.com/services/T0/B0/XyZ then', 'posted to https://hooks.slack.com/… then'],
    ['xoxb-1234567890-abcdef', '***'],
  ])('%s', (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it.each([
    'prometheus http://127.0.0.1:9090: HTTP 401 Unauthorized (check headers, basic_auth or bearer_token)',
    'Basic authentication required',
    'datadog https://api.datadoghq.com: HTTP 403 Forbidden (check api_key, app_key and site)',
    'error_rate=0.071>0.05; latency_p99{service="api",le="0.25"}',
    'http https://metrics.example/api?q={{query}}: select $.data matched nothing (top-level keys: status, data)',
    'https://github.com/acme/app/issues/7',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('causes', () => {
  const cause = `prometheus http://p:9090: HTTP 401 Unauthorized (check headers)${SERVER_SAID}denied Bearer abc.def.ghi`;

  it('a commit keeps the provider and the status, never the server words', () => {
    expect(commitCause(cause)).toBe('prometheus http://p:9090: HTTP 401 Unauthorized (check headers)');
    expect(commitCause(`baseline: ${cause}`)).toBe(
      'baseline: prometheus http://p:9090: HTTP 401 Unauthorized (check headers)',
    );
    expect(commitCause('x'.repeat(400))).toHaveLength(200);
  });

  it('any cause is one line, capped, with what looks like a credential redacted', () => {
    expect(cleanCause(`a\nb token=s3cr3t ${'x'.repeat(600)}`)).toMatch(/^a b token=\*\*\* x+…$/);
    expect(cleanCause('y'.repeat(600))).toHaveLength(500);
  });
});

describe('credentials of a configuration', () => {
  it('a URL: its password, user:password, and secret-named query values', () => {
    expect(urlSecrets('https://bob:p%40ss@h/x?api_key=k-1&q={{query}}&token={{env}}&step=60')).toEqual([
      'p@ss',
      'bob:p@ss',
      'p%40ss',
      'k-1',
    ]);
    expect(urlSecrets('https://ghtoken123@h/')).toEqual(['ghtoken123', 'ghtoken123:']);
    expect(urlSecrets('not a url')).toEqual([]);
  });

  it('headers: each value, the token after a scheme, a Basic pair decoded', () => {
    expect(
      headerSecrets({
        Authorization: `Basic ${b64('carol:pw-9')}`,
        'X-Api-Key': 'k-2',
        Accept: 'application/json',
      }),
    ).toEqual([`Basic ${b64('carol:pw-9')}`, b64('carol:pw-9'), 'pw-9', 'carol:pw-9', 'k-2']);
  });

  it('user info becomes a Basic header and leaves the URL', () => {
    expect(splitUserinfo('http://u%20x:p%2Fw@h:9090/p?q=1')).toEqual({
      url: 'http://h:9090/p?q=1',
      authorization: `Basic ${b64('u x:p/w')}`,
    });
    expect(splitUserinfo('http://h/')).toEqual({ url: 'http://h/' });
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/s3cr3t', undefined],
    ['http://127.0.0.1:8080/hook', undefined],
    ['', 'is empty (is the variable it comes from set?)'],
    [
      'https://hooks.slack.com/services/T0/B0/s3cr3t\n',
      'contains whitespace (a newline or space copied along with it?)',
    ],
    ['hooks.slack.com/services/T0/B0/s3cr3t', 'is not a valid URL (expected https://...)'],
    ['https://[s3cr3t/x', 'is not a valid URL'],
    ['ftp://files.example/s3cr3t', 'must be an http(s) URL, not ftp:'],
  ])('%j: %s', (url, problem) => {
    expect(checkWebhookUrl(url)).toBe(problem);
  });
});
