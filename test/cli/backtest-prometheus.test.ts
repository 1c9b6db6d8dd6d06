/**
 * `pinback backtest` on a real Prometheus (Debian's package) with deploys read from a GitOps
 * history: three deploys of `shop`, one of which (1.2.0) fails 8% of requests where the others
 * fail 1%. Exactly that one is reported as rolled back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { GitOpsRepo } from '../support/gitops.js';
import {
  counterSeries,
  findPrometheus,
  type RunningPrometheus,
  startPrometheus,
} from '../support/prometheus.js';

const bins = findPrometheus();
const inCi = Boolean(process.env.CI);

/** Errors a minute of 1,000 requests, per version: 1.2.0 is the bad release. */
const ERRORS: Record<string, number> = { '1.0.0': 10, '1.1.0': 10, '1.2.0': 80, '1.3.0': 10 };

function shopSeries(start: number, end: number): string[] {
  const lines = ['# HELP shop_requests Requests served.', '# TYPE shop_requests counter'];
  for (const [version, errors] of Object.entries(ERRORS)) {
    lines.push(...counterSeries(`shop_requests_total{version="${version}",code="500"}`, errors, start, end));
    lines.push(
      ...counterSeries(`shop_requests_total{version="${version}",code="200"}`, 1000 - errors, start, end),
    );
  }
  return lines;
}

const PIN = 'apps/shop/kustomization.yaml';
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/shop\n    newTag: ${tag}\n`;

const policy = (url: string) => `version: 1
providers:
  prom: { type: prometheus, url: "${url}", timeout: 5s }
defaults: { provider: prom, step: 1m }
services:
  shop:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/shop }
    guard_window: 30m
    triggers:
      errors:
        ratio:
          bad: 'sum(increase(shop_requests_total{version="{{version}}",code="500"}[{{step}}]))'
          total: 'sum(increase(shop_requests_total{version="{{version}}"}[{{step}}]))'
        max_increase: 20%
        reason: error_spike
`;

describe.skipIf(!bins && !inCi)('pinback backtest against a real Prometheus and a GitOps history', () => {
  let prom: RunningPrometheus;
  const dir = mkdtempSync(join(tmpdir(), 'pinback-backtest-prom-'));

  beforeAll(async () => {
    if (!bins)
      throw new Error('CI needs the prometheus and promtool binaries: apt-get install -y prometheus');
    prom = await startPrometheus(bins, Date.now(), shopSeries);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it('reports exactly the bad deploy as rolled back', async () => {
    const repo = new GitOpsRepo();
    const end = prom.dataEnd.getTime() / 1000;
    // Deploys 105, 70 and 35 minutes before the data ends, after a first pin long before; on whole
    // minutes, as the fixture's one scrape a minute needs for increase() over a one-minute step.
    const pins: Array<[string, number]> = [
      ['1.0.0', 5 * 3600],
      ['1.1.0', 105 * 60],
      ['1.2.0', 70 * 60],
      ['1.3.0', 35 * 60],
    ];
    for (const [tag, before] of pins) {
      repo.write(PIN, kustomization(tag));
      repo.commitAt(`deploy shop ${tag}`, end - before);
    }
    writeFileSync(join(dir, 'pinback.yml'), policy(prom.url));
    const r = await runCli(['backtest', '-c', join(dir, 'pinback.yml'), '--gitops', repo.dir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      deploys: Array<{ candidate: string; stable: string; rolled_back: boolean; timeline: string }>;
    };
    expect(out.deploys.map((d) => [d.candidate, d.stable, d.rolled_back])).toEqual([
      ['1.1.0', '1.0.0', false],
      ['1.2.0', '1.1.0', true],
      ['1.3.0', '1.2.0', false],
    ]);
    expect(out.deploys[0]!.timeline).toMatch(/^[.?]{30}$/);
  }, 60_000);
});
