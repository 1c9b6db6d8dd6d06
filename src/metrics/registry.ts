import { resolve } from 'node:path';
import type { Policy, ProviderPolicy } from '../config/policy.js';
import { boundedProvider } from './bounded.js';
import { createDatadogProvider } from './datadog.js';
import { fileProvider } from './file.js';
import type { ProviderHttpOptions } from './http-client.js';
import { createHttpJsonProvider } from './http.js';
import { createPrometheusProvider } from './prometheus.js';
import type { MetricsProvider } from './provider.js';

export interface ProviderOverrides {
  /** `--metrics-file`: replaces the path of every file provider, and backs the implicit one. */
  metricsFile?: string | undefined;
  /** Effects of the network providers' HTTP clients (sleep, fetch, retries): for tests. */
  http?: ProviderHttpOptions | undefined;
}

/** A provider that cannot be built answers no data with the reason, so the trigger is inconclusive. */
function unavailable(cause: string): MetricsProvider {
  return { query: async () => ({ kind: 'no_data', cause }) };
}

/**
 * Builds one provider from its policy entry (durations already in milliseconds). A network provider
 * has its own bound on queries in flight (`concurrency`), so a slow or hanging backend holds its
 * own slots and never another provider's.
 */
export function createProvider(
  name: string,
  config: ProviderPolicy | undefined,
  o: ProviderOverrides = {},
): MetricsProvider {
  if (!config) {
    return o.metricsFile
      ? fileProvider(o.metricsFile)
      : unavailable(
          `no metrics source for provider "${name}": pass --metrics-file or declare it under providers:`,
        );
  }
  switch (config.type) {
    case 'file':
      return fileProvider(o.metricsFile ?? config.path);
    case 'prometheus': {
      const { timeout, step, concurrency, ...rest } = config;
      const p = createPrometheusProvider({ ...rest, timeout_ms: timeout, step_ms: step }, o.http);
      return boundedProvider(p, concurrency, name);
    }
    case 'datadog': {
      const { timeout, concurrency, ...rest } = config;
      return boundedProvider(
        createDatadogProvider({ ...rest, timeout_ms: timeout }, o.http),
        concurrency,
        name,
      );
    }
    case 'http': {
      const { timeout, concurrency, ...rest } = config;
      return boundedProvider(
        createHttpJsonProvider({ ...rest, timeout_ms: timeout }, o.http),
        concurrency,
        name,
      );
    }
  }
}

/**
 * One provider per name the policy's triggers use. A file provider's relative `path` is taken from
 * `baseDir` (the CLI: the policy file's folder; the Action: the workspace).
 */
export function providersFor(
  policy: Policy,
  baseDir: string,
  metricsFile?: string,
): Map<string, MetricsProvider> {
  const providers = new Map<string, MetricsProvider>();
  for (const name of new Set(policy.services.flatMap((s) => s.queries.map((q) => q.provider)))) {
    const config = policy.providers[name];
    const local = config?.type === 'file' ? { ...config, path: resolve(baseDir, config.path) } : config;
    providers.set(name, createProvider(name, local, { metricsFile: metricsFile && resolve(metricsFile) }));
  }
  return providers;
}
