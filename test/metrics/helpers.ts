import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ProviderHttpOptions } from '../../src/metrics/http-client.js';
import type { MetricQuery } from '../../src/metrics/provider.js';

/** A metrics query with test defaults: the candidate 2.4.0 of support-agent over a 10-minute window. */
export function metricQuery(overrides: Partial<MetricQuery> = {}): MetricQuery {
  return {
    service: 'support-agent',
    stage: 'canary',
    trigger: 'error_rate',
    version: '2.4.0',
    stableVersion: '2.3.3',
    query: undefined,
    windowMs: 10 * 60_000,
    end: new Date('2026-01-01T12:00:00Z'),
    args: {},
    reduce: undefined,
    stepMs: undefined,
    ...overrides,
  };
}

/** Fast, deterministic retries: no real waiting, jitter fixed at half, the waits recorded. */
export function instantRetries(): ProviderHttpOptions & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    random: () => 0.5,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** A loopback HTTP server that answers each request with the next handler (the last one repeats). */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private handlers: Handler[] = [];
  private readonly server: Server | HttpsServer;

  constructor(
    server?: Server | HttpsServer,
    private readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.server = server ?? createServer();
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        const handler = this.handlers.length > 1 ? this.handlers.shift() : this.handlers[0];
        if (handler === undefined) {
          res.writeHead(500).end('no handler');
          return;
        }
        handler(recorded, res);
      });
    });
  }

  /** Queues answers, in order; the last keeps answering. */
  answer(...handlers: Handler[]): this {
    this.handlers = handlers;
    return this;
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    return `${this.scheme}://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
}

/** Never answers (until the server closes the connection). */
export const hang: Handler = () => {};
