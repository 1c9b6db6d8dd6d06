/**
 * Where a backtest's deploys and series come from: a series file (deploys and metrics recorded
 * together), or the pins' git history with the policy's own metrics providers.
 */
import { readFile } from 'node:fs/promises';
import { deploysFromHistory } from '../backtest/deploys.js';
import { parseSeriesFile } from '../backtest/series-file.js';
import type { Policy } from '../config/policy.js';
import type { GitOpsStore } from '../gitops/store.js';
import { memoryProvider } from '../metrics/file.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { BacktestDeploy } from './backtest.js';
import { UsageError } from '../config/errors.js';
import { type Selection, selectServices } from '../config/select.js';

/** Pin commits read per service: enough for weeks of deploys, bounded like every history walk. */
const HISTORY_LIMIT = 200;

export async function seriesDeploys(
  policy: Policy,
  file: string,
  selection: Selection,
): Promise<BacktestDeploy[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--series ${file}: cannot read: ${(e as Error).message}`);
  }
  const parsed = parseSeriesFile(raw);
  if (!parsed.ok) throw new UsageError(`series file ${file} ${parsed.cause}`);
  // With no selection, every deploy of the file: one of a service the policy lacks is an error
  // (backtest.ts) rather than quietly dropped.
  const selects = Boolean(selection.terms?.length) || selection.shard !== undefined;
  const wanted = selects ? new Set(selectServices(policy, selection).map((s) => s.name)) : undefined;
  return parsed.deploys
    .filter((d) => wanted === undefined || wanted.has(d.service))
    .map((d) => {
      const source = memoryProvider(d.metrics, `series file ${file} (deploy ${d.id})`);
      const service = policy.services.find((s) => s.name === d.service);
      // Every provider the service names reads the recorded series instead.
      const names = new Set(service?.queries.map((q) => q.provider) ?? []);
      const providers = new Map<string, MetricsProvider>([...names].map((n) => [n, source]));
      const guard = (service?.guardWindowMs ?? 7_200_000) / 1000;
      return {
        deploy: { ...d, until: d.until ?? d.at + guard },
        providers,
      };
    });
}

export async function historyDeploys(
  policy: Policy,
  store: GitOpsStore,
  o: { selection: Selection; providers: ReadonlyMap<string, MetricsProvider>; now: Date },
): Promise<BacktestDeploy[]> {
  const out: BacktestDeploy[] = [];
  for (const service of selectServices(policy, o.selection)) {
    if (!service.pin) {
      // Named outright, it was asked for; picked by a glob or a shard, it is one of many.
      if (o.selection.terms?.includes(service.name)) {
        throw new UsageError(
          `service ${service.name} has no pin: its deploys cannot be read from git (use --series)`,
        );
      }
      continue;
    }
    const snap = await store.read({ files: [], historyOf: service.pin.file, limit: HISTORY_LIMIT });
    const deploys = deploysFromHistory({
      service: service.name,
      file: service.pin.file,
      locator: service.pin.locator,
      history: snap.history,
      guardWindowS: service.guardWindowMs / 1000,
      now: o.now.getTime() / 1000,
    });
    out.push(...deploys.map((deploy) => ({ deploy, providers: o.providers })));
  }
  return out;
}
