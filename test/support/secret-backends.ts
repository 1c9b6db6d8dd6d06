/**
 * Backends that fail in every way, for the secrets tests (issue 12), and a policy that reaches them with
 * credentials in every style a provider or notifier takes. Every text pinback writes where it stays (stdout,
 * stderr, `--json`, the job summary, outputs, incidents, commit messages) must hold none of SECRETS, in
 * any encoded form.
 *
 * Modes, one path prefix of the backend each (plus a closed port and a TLS server):
 *   refused   a port nobody listens on
 *   echo401   401 whose status message and body echo the request's URL, headers and body
 *   echo500   500 with a Prometheus/Datadog-shaped JSON error echoing the same (retried, then given up)
 *   hang      never answers (the providers' timeout is 1 s)
 *   redirect  302 to another origin, which answers 200 with the echo (and records what it was sent)
 *   tls       HTTPS with a self-signed certificate (when openssl is there)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The credentials, each unmistakable; none may appear anywhere pinback writes. */
export const CREDS = {
  promUrlUser: 'promuser',
  // Characters that percent-encoding changes: the echo of the Basic header is base64 of the decoded form.
  promUrlPass: 'urlPa55/Sec+ret-one',
  promBearer: 'bearerTok3n-secret-two',
  promBasicUser: 'basicuser',
  promBasicPass: 'basicPa55-secret-three',
  promHeader: 'tenantKey-secret-four',
  httpHeader: 'xApiKey-secret-five',
  httpQuery: 'queryKey-secret-six',
  ddApi: 'ddApiKey-secret-seven',
  ddApp: 'ddAppKey-secret-eight',
  slackPath: 'slackHook-secret-nine',
  hookPath: 'webHook-secret-ten',
  hookHeader: 'hookHeader-secret-eleven',
} as const;

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every form a secret could leak in: raw, URL-encoded, and the base64 of each Basic pair. */
export const SECRETS: string[] = [
  ...Object.entries(CREDS)
    .filter(([k]) => !k.endsWith('User'))
    .flatMap(([, v]) => [v, encodeURIComponent(v)]),
  b64(`${CREDS.promUrlUser}:${CREDS.promUrlPass}`),
  b64(`${CREDS.promBasicUser}:${CREDS.promBasicPass}`),
];

/** The secrets found in `text` (none, when all is well), with where they were found. */
export function leaks(where: string, text: string): string[] {
  return SECRETS.filter((s) => text.includes(s)).map((s) => `${where}: ${s}`);
}

export const MODES = ['refused', 'echo401', 'echo500', 'hang', 'redirect', 'tls'] as const;
export type Mode = (typeof MODES)[number];

export interface Recorded {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Backends {
  /** Base URLs per mode (`http://127.0.0.1:PORT/echo401`); tls is absent without openssl. */
  base: Partial<Record<Mode, string>>;
  /** What the other origin of `redirect` was sent. */
  redirected: Recorded[];
  close(): Promise<void>;
}

function echo(req: IncomingMessage, body: string): string {
  return `${req.method} ${req.url} headers=${JSON.stringify(req.headers)} body=${body}`;
}

function collect(req: IncomingMessage, then: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'pinback-secrets-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startBackends(): Promise<Backends> {
  const redirected: Recorded[] = [];
  const other = createServer((req, res) =>
    collect(req, (body) => {
      redirected.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`redirected: ${echo(req, body)}`);
    }),
  );
  const otherPort = await listen(other);

  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const mode = (req.url ?? '').split('/')[1];
    const said = echo(req, body);
    switch (mode) {
      case 'echo401':
        res.statusMessage = `authentication failed for ${req.headers.authorization ?? 'nobody'}`;
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`401 authentication failed: ${said}`);
        return;
      case 'echo500':
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'error',
            errorType: 'internal',
            error: `internal error: ${said}`,
            errors: [`internal error: ${said}`],
          }),
        );
        return;
      case 'redirect':
        // A login page elsewhere (what the backend puts in the location is its own business).
        res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/login` }).end();
        return;
      case 'hang':
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no mode: ${said}`);
    }
  };
  const backend = createServer((req, res) => collect(req, (body) => answer(req, res, body)));
  const port = await listen(backend);

  const closed = createServer();
  const refusedPort = await listen(closed);
  await closeServer(closed);

  let tls: Server | undefined;
  let tlsPort: number | undefined;
  if (haveOpenssl()) {
    tls = createHttpsServer(selfSigned(), (req, res) =>
      collect(req, (body) => res.writeHead(200).end(`tls: ${echo(req, body)}`)),
    );
    tlsPort = await listen(tls);
  }

  const base: Partial<Record<Mode, string>> = {
    refused: `http://127.0.0.1:${refusedPort}/refused`,
    echo401: `http://127.0.0.1:${port}/echo401`,
    echo500: `http://127.0.0.1:${port}/echo500`,
    hang: `http://127.0.0.1:${port}/hang`,
    redirect: `http://127.0.0.1:${port}/redirect`,
    ...(tlsPort === undefined ? {} : { tls: `https://127.0.0.1:${tlsPort}/tls` }),
  };
  return {
    base,
    redirected,
    close: async () => {
      await Promise.all([closeServer(backend), closeServer(other), tls ? closeServer(tls) : undefined]);
    },
  };
}

/** `http://user:pass@host:port/path` from a base URL. */
function withUserinfo(base: string, user: string, pass: string): string {
  const u = new URL(base);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(pass);
  return u.toString().replace(/\/$/, '');
}

/**
 * The providers (five credential styles, against every mode), one trigger each, and notifiers (Slack and a
 * webhook with a header, against every mode but hang: a notification waits 10 s a try). Values are written
 * as JSON strings so any character survives YAML.
 */
export function secretsPolicyParts(backends: Backends): {
  providers: string;
  triggers: string;
  notify: string;
} {
  const providers: string[] = [];
  const triggers: string[] = [];
  const notify: string[] = [];
  const q = JSON.stringify;
  for (const [mode, base] of Object.entries(backends.base)) {
    const common = `timeout: 1s`;
    providers.push(
      `  prom_userinfo_${mode}: { type: prometheus, url: ${q(withUserinfo(base, CREDS.promUrlUser, CREDS.promUrlPass))}, ${common} }`,
      `  prom_bearer_${mode}: { type: prometheus, url: ${q(base)}, bearer_token: ${q(CREDS.promBearer)}, headers: { X-Scope-OrgID: ${q(CREDS.promHeader)} }, ${common} }`,
      `  prom_basic_${mode}: { type: prometheus, url: ${q(base)}, basic_auth: { username: ${q(CREDS.promBasicUser)}, password: ${q(CREDS.promBasicPass)} }, ${common} }`,
      `  http_${mode}: { type: http, url: ${q(`${base}/metrics?api_key=${encodeURIComponent(CREDS.httpQuery)}&q={{query}}`)}, headers: { X-Api-Key: ${q(CREDS.httpHeader)} }, select: "$.value", ${common} }`,
      `  datadog_${mode}: { type: datadog, base_url: ${q(base)}, api_key: ${q(CREDS.ddApi)}, app_key: ${q(CREDS.ddApp)}, ${common} }`,
    );
    for (const style of ['prom_userinfo', 'prom_bearer', 'prom_basic', 'http', 'datadog']) {
      triggers.push(`      ${style}_${mode}: { provider: ${style}_${mode}, query: "up", max: 1 }`);
    }
    if (mode !== 'hang') {
      notify.push(
        `        - { type: slack, webhook: ${q(`${base}/services/T0ACME/B0PINBACK/${CREDS.slackPath}`)} }`,
        `        - { type: webhook, url: ${q(`${base}/hooks/${CREDS.hookPath}`)}, headers: { X-Hook-Token: ${q(CREDS.hookHeader)} } }`,
      );
    }
  }
  return { providers: providers.join('\n'), triggers: triggers.join('\n'), notify: notify.join('\n') };
}
