/**
 * The metrics client's own redirect handling (src/metrics/http-redirect.ts) over a scripted fetch (unit):
 * what each hop is sent, and the causes when a redirect cannot be followed.
 */
import { describe, expect, it } from 'vitest';
import { createHttpClient, type FetchInitLike, type FetchLike } from '../../src/metrics/http-client.js';
import { instantRetries } from './helpers.js';

interface Sent {
  url: string;
  init: FetchInitLike;
}

function scripted(...answers: Response[]): FetchLike & { sent: Sent[] } {
  const sent: Sent[] = [];
  const f: FetchLike = async (url, init) => {
    sent.push({ url, init });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!;
    return answer.clone() as unknown as Awaited<ReturnType<FetchLike>>;
  };
  return Object.assign(f, { sent });
}

const redirect = (status: number, location: string) => new Response(null, { status, headers: { location } });

function client(fetch: FetchLike, secrets: string[] = []) {
  return createHttpClient({ label: 'test', fetch, secrets, ...instantRetries() });
}

describe('redirects', () => {
  it('asks fetch not to follow them, and follows a 303 as a GET without body or content type', async () => {
    const f = scripted(redirect(303, '/result'), new Response('{}'));
    const outcome = await client(f).request({
      url: 'http://a.example/q',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': 'k' },
      body: 'query=up',
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(f.sent.map((s) => s.init.redirect)).toEqual(['manual', 'manual']);
    expect(f.sent[1]).toMatchObject({
      url: 'http://a.example/result',
      init: { method: 'GET', body: undefined },
    });
    expect(f.sent[1]!.init.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'pinback',
      'x-api-key': 'k',
    });
  });

  it('sends another origin only accept, user-agent and content-type, and never regains the rest', async () => {
    const f = scripted(
      redirect(307, 'https://b.example/x'),
      redirect(307, 'http://a.example/back'),
      new Response('{}'),
    );
    await client(f).request({
      url: 'http://u:pw@a.example/q',
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'dd-api-key': 'k1', 'x-custom': 'v' },
      body: 'b',
    });
    expect(f.sent[0]!.url).toBe('http://a.example/q');
    expect(f.sent[0]!.init.headers.authorization).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`);
    for (const hop of f.sent.slice(1)) {
      expect(hop.init).toMatchObject({ method: 'POST', body: 'b' });
      expect(hop.init.headers).toEqual({
        accept: 'application/json',
        'user-agent': 'pinback',
        'content-type': 'text/plain',
      });
    }
  });

  it('takes no credentials from a location', async () => {
    const f = scripted(redirect(302, 'http://evil:creds@a.example/next'), new Response('{}'));
    await client(f).request({ url: 'http://a.example/q', method: 'GET' });
    expect(f.sent[1]!.url).toBe('http://a.example/next');
    expect(f.sent[1]!.init.headers.authorization).toBeUndefined();
  });

  it('gives up after 5 redirects, and on a location that is not http(s)', async () => {
    const loop = scripted(redirect(302, '/again'));
    expect(await client(loop).request({ url: 'http://a.example/q', method: 'GET' })).toEqual({
      kind: 'failure',
      cause: 'test: more than 5 redirects (HTTP 302)',
      attempts: 1,
    });
    expect(loop.sent).toHaveLength(6);
    const file = scripted(redirect(301, 'file:///etc/passwd'));
    expect(await client(file).request({ url: 'http://a.example/q', method: 'GET' })).toMatchObject({
      cause: 'test: HTTP 301 redirects to a file: URL, not http(s)',
    });
  });

  it('a 3xx without a location is an answer like any other', async () => {
    const f = scripted(new Response('choose one', { status: 300 }));
    expect(await client(f).request({ url: 'http://a.example/q', method: 'GET' })).toMatchObject({
      kind: 'response',
      status: 300,
    });
  });
});

describe('failure causes', () => {
  it('are scrubbed of the configured secrets and of URL user info', async () => {
    const f: FetchLike = async (url) => {
      throw new TypeError(`something broke for ${url} with key-SECRET-1 (http://u:pw-SECRET-2@h/)`);
    };
    const outcome = await createHttpClient({
      label: 'test',
      fetch: f,
      secrets: ['key-SECRET-1'],
      ...instantRetries(),
      retry: { attempts: 1 },
    }).request({ url: 'http://u:pw-SECRET-2@a.example/q?api_key=q-SECRET-3', method: 'GET' });
    expect(outcome.kind).toBe('failure');
    const cause = outcome.kind === 'failure' ? outcome.cause : '';
    expect(cause).not.toMatch(/SECRET/);
  });

  it('use the standard status phrase, not the server one', async () => {
    const f = scripted(new Response('', { status: 401, statusText: 'denied for Bearer tok-SECRET' }));
    expect(await client(f).request({ url: 'http://a.example/q', method: 'GET' })).toMatchObject({
      statusText: 'Unauthorized',
    });
  });
});
