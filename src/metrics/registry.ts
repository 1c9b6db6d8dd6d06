import type { ProviderConfig } from '../config/schema.js';
import { fileProvider } from './file.js';
import type { MetricsProvider } from './provider.js';

export interface ProviderOverrides {
  /** `--metrics-file`: replaces the path of every file provider, and backs the implicit one. */
  metricsFile?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/** A provider that cannot be built answers no data with the reason, so the trigger is inconclusive. */
function unavailable(cause: string): MetricsProvider {
  return { query: async () => ({ kind: 'no_data', cause }) };
}

export function createProvider(
  name: string,
  config: ProviderConfig | undefined,
  o: ProviderOverrides,
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
    default:
      return unavailable(`provider type ${config.type} is not available in this build`);
  }
}
