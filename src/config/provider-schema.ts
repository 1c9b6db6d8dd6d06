/** The metrics providers of the policy file (`providers:`): file, prometheus, datadog, http. */
import { z } from 'zod';
import { checkSelect } from '../metrics/json-path.js';
import { checked, httpUrl } from './schema-values.js';
import { positiveDuration } from './trigger-schema.js';
import { httpUrlProblem } from './values.js';

export const headers = z
  .record(z.string(), z.string())
  .describe('HTTP headers sent with every request; values may use ${ENV_VAR}.');

const fileProvider = z.strictObject({
  type: z
    .literal('file')
    .describe('Metrics from a JSON file: {"<service>": {"<version>": {"<trigger>": value}}}.'),
  path: z
    .string()
    .min(1)
    .describe(
      "The JSON file, relative to the policy file (CLI) or the workspace (Action); the CLI's --metrics-file overrides it.",
    ),
});
const tls = {
  ca: z
    .string()
    .optional()
    .describe("A PEM file of the certificate authorities to trust for this provider's HTTPS."),
  insecure_skip_verify: z
    .boolean()
    .optional()
    .describe("Do not verify the server's TLS certificate (a test set-up only)."),
};
/** Most queries in flight to one provider at once (src/metrics/bounded.ts); normalize.ts sets the default. */
const CONCURRENCY =
  'expected a positive integer: the most queries in flight to this provider at once (default 16)';
const concurrency = z
  .int({ error: CONCURRENCY })
  .min(1, { error: CONCURRENCY })
  .describe('The most queries in flight to this provider at once (default 16); the others wait their turn.');
const timeout = positiveDuration.describe(
  'How long one request may take before it is retried or, after the retries, answers no data (default 10s).',
);
const prometheusProvider = z.strictObject({
  type: z
    .literal('prometheus')
    .describe("Prometheus' HTTP API (also Thanos, Mimir, VictoriaMetrics, Grafana Cloud): range queries."),
  url: httpUrl('http://prometheus:9090').describe(
    'The base URL of the API, e.g. http://prometheus:9090 or ${PROMETHEUS_URL}; user:password@ becomes Basic auth.',
  ),
  headers: headers.optional(),
  basic_auth: z
    .strictObject({
      username: z.string().describe('The Basic auth user name.'),
      password: z.string().describe('The Basic auth password; write ${ENV_VAR}, never the secret itself.'),
    })
    .optional()
    .describe('HTTP Basic credentials.'),
  bearer_token: z
    .string()
    .optional()
    .describe('Sent as Authorization: Bearer <token>; write ${ENV_VAR}, never the secret itself.'),
  timeout: timeout.optional(),
  step: positiveDuration
    .optional()
    .describe('The resolution of single-query triggers that name no step of their own (default 1m).'),
  concurrency: concurrency.optional(),
  ...tls,
});
const datadogProvider = z.strictObject({
  type: z.literal('datadog').describe("Datadog's metrics query API (/api/v1/query)."),
  site: z
    .string()
    .default('datadoghq.com')
    .describe(
      'The Datadog site: datadoghq.com (default), us3.datadoghq.com, datadoghq.eu, ap1.datadoghq.com…',
    ),
  api_key: z.string().min(1).describe('The Datadog API key; write ${ENV_VAR}, never the secret itself.'),
  app_key: z
    .string()
    .min(1)
    .describe('The Datadog application key; write ${ENV_VAR}, never the secret itself.'),
  base_url: httpUrl('https://api.datadoghq.eu')
    .optional()
    .describe('Replaces https://api.<site>, e.g. for a proxy.'),
  timeout: timeout.optional(),
  concurrency: concurrency.optional(),
  ...tls,
});
const httpProvider = z.strictObject({
  type: z.literal('http').describe('Any HTTP API answering JSON; a JSONPath picks the numbers.'),
  url: checked((url) => httpUrlProblem(url, 'https://metrics.example.com/api/v1/query?q={{query}}')).describe(
    'The request URL; placeholders such as {{query}}, {{start}} and {{end}} are filled (percent-encoded) per query.',
  ),
  method: z.enum(['GET', 'POST']).optional().describe('GET, or POST (the default when a body is set).'),
  headers: headers.optional(),
  body: z
    .string()
    .optional()
    .describe('The request body (POST); placeholders are JSON-escaped, so put them inside JSON strings.'),
  select: z
    .string()
    .min(1)
    .superRefine((expression, ctx) => {
      const problem = checkSelect(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'An RFC 9535 JSONPath to a number, an array of numbers, [time, value] pairs or objects in the answer.',
    ),
  time_field: z
    .string()
    .optional()
    .describe(
      "Objects selected: the field of a sample's time (default time; seconds, milliseconds or ISO 8601).",
    ),
  value_field: z
    .string()
    .optional()
    .describe("Objects selected: the field of a sample's value (default value)."),
  timeout: timeout.optional(),
  concurrency: concurrency.optional(),
  ...tls,
});
export const provider = z.discriminatedUnion('type', [
  fileProvider,
  prometheusProvider,
  datadogProvider,
  httpProvider,
]);
