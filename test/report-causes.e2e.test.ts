import { describe, expect, it } from 'vitest';
import { fileProvider } from '../src/metrics/file.js';
import { createPrometheusProvider } from '../src/metrics/prometheus.js';
import { providerIn } from '../src/report.js';
import { FakeServer, instantRetries, metricQuery } from './metrics/helpers.js';

/** e2e: a loopback port. The causes the providers really write name their source for the summary. */
describe('providerIn on real causes', () => {
  it('finds the source in the causes the providers write', async () => {
    const server = new FakeServer();
    const url = await server.listen();
    await server.close(); // nothing listens there any more: Prometheus is down
    const down = await createPrometheusProvider({ type: 'prometheus', url }, instantRetries()).query(
      metricQuery({ query: 'up' }),
    );
    const gone = await fileProvider('/nonexistent/pinback/metrics.json').query(metricQuery());
    expect(down.kind === 'no_data' && providerIn(down.cause)).toBe(`prometheus ${url}`);
    expect(gone.kind === 'no_data' && providerIn(gone.cause)).toBe(
      'metrics file /nonexistent/pinback/metrics.json',
    );
  });
});
