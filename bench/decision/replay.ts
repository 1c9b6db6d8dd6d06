/**
 * Replays scenarios through the real CLI: each chunk becomes a series file (src/backtest/series-file.ts)
 * judged by `node dist/cli.js backtest -c <policy> --series <file> --json`, so the benchmark measures
 * exactly what ships, policy loading and the replay schedule included. The Kayenta-style reference
 * judges the same series in this process while the CLI runs.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { simulateCanary } from './canary.js';
import type { Kind, Scenario } from './families.js';
import { kayenta, type KayentaVerdict } from './kayenta.js';

const run = promisify(execFile);

/** The policy and service each kind is judged by: the recommended defaults, unchanged. */
export const POLICIES: Record<Kind, { file: string; service: string }> = {
  http: { file: 'examples/policies/http-service.yml', service: 'api' },
  ai: { file: 'examples/policies/ai-agent.yml', service: 'support-agent' },
};

/** Deploys a series file holds: a 5000 rpm HTTP deploy with its buckets is ~70 KB of JSON. */
export const CHUNK = 200;
/** Any fixed time: the series carry their own timestamps. */
const DEPLOY_AT = 1_767_225_600;

export interface PinbackVerdict {
  stopS: number | null;
  triggers: string[];
  reason: string | null;
  timeline: string;
}

export interface Outcome {
  scenario: Scenario;
  pinback: PinbackVerdict;
  kayenta: KayentaVerdict;
}

// The part of backtestJson (src/commands/backtest.ts) the benchmark reads.
const backtestOutput = z.object({
  summary: z.object({ deploys: z.number() }),
  deploys: z.array(
    z.object({
      id: z.string(),
      rolled_back: z.boolean(),
      first_stop: z
        .object({ after_s: z.number(), reason: z.string(), triggers: z.array(z.string()) })
        .nullable(),
      timeline: z.string(),
    }),
  ),
});

/** Chunks of at most CHUNK scenarios of one kind (one policy per CLI run), in the scenarios' order. */
export function chunksOf(list: readonly Scenario[]): Scenario[][] {
  const out: Scenario[][] = [];
  for (const kind of ['http', 'ai'] as const) {
    const mine = list.filter((s) => s.kind === kind);
    for (let i = 0; i < mine.length; i += CHUNK) out.push(mine.slice(i, i + CHUNK));
  }
  return out;
}

/**
 * Simulates a chunk, judges it with the reference, writes its series file, and replays it through
 * the CLI. The file is removed afterwards unless `keep` (to rerun a scenario by hand).
 */
export async function replayChunk(
  chunk: readonly Scenario[],
  o: { cli: string; policies: Record<Kind, string>; dir: string; name: string; keep: boolean },
): Promise<Outcome[]> {
  const kind = chunk[0]!.kind;
  const policy = POLICIES[kind];
  const reference = new Map<string, KayentaVerdict>();
  const deploys = chunk.map((s) => {
    const series = simulateCanary(s.canary, DEPLOY_AT);
    reference.set(
      s.id,
      kayenta(kind, { candidate: series.candidate!, stable: series.stable! }, DEPLOY_AT, s.canary.minutes),
    );
    return {
      id: s.id,
      service: policy.service,
      candidate: 'candidate',
      stable: 'stable',
      at: DEPLOY_AT,
      until: DEPLOY_AT + s.canary.minutes * 60,
      metrics: series,
    };
  });
  const file = join(o.dir, `${o.name}.json`);
  writeFileSync(file, JSON.stringify({ version: 1, deploys }));
  // backtest --series replaces every provider with the file's data: the URL is never contacted.
  const env = { ...process.env, PROMETHEUS_URL: 'http://prometheus.invalid:9090' };
  const { stdout } = await run(
    process.execPath,
    [o.cli, 'backtest', '-c', o.policies[kind], '--series', file, '--json'],
    { env, maxBuffer: 1 << 28 },
  );
  if (!o.keep) rmSync(file, { force: true });
  const parsed = backtestOutput.parse(JSON.parse(stdout));
  const byId = new Map(parsed.deploys.map((d) => [d.id, d]));
  return chunk.map((scenario): Outcome => {
    const d = byId.get(scenario.id);
    if (!d) throw new Error(`backtest of ${file} has no deploy ${scenario.id}`);
    return {
      scenario,
      pinback: {
        stopS: d.first_stop?.after_s ?? null,
        triggers: d.first_stop?.triggers ?? [],
        reason: d.first_stop?.reason ?? null,
        timeline: d.timeline,
      },
      kayenta: reference.get(scenario.id)!,
    };
  });
}
