#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { audit, auditTable } from './commands/audit.js';
import { backtest, backtestJson, backtestText } from './commands/backtest.js';
import { historyDeploys, seriesDeploys } from './commands/backtest-sources.js';
import { check, lockedMessage } from './commands/check.js';
import { demo } from './commands/demo.js';
import { evaluate } from './commands/evaluate.js';
import { PolicyError, UsageError } from './config/errors.js';
import { parseDuration } from './config/duration.js';
import { loadPolicy } from './config/load.js';
import type { Mode, Policy } from './config/policy.js';
import { selectServices } from './config/select.js';
import { openCliStore } from './gitops/open.js';
import type { GitOpsStore } from './gitops/store.js';
import { fileIncidentSink } from './incident/file.js';
import { onceSink } from './incident/sink.js';
import { providersFor } from './metrics/registry.js';
import { notifiers } from './notify/index.js';
import type { Ports } from './reconcile/ports.js';
import { run } from './reconcile/run.js';
import { watch } from './reconcile/watch.js';
import { humanLine, type Report } from './report.js';

const USAGE = `pinback: GitOps rollback reconciler

Usage:
  pinback run      [-c FILE] [--gitops PATH|URL] [--branch B] [--metrics-file F]
                   [--service S]... [--mode auto|dry-run] [--incident-dir DIR] [--json]
                   [--watch DURATION --interval DURATION]   keep evaluating; act within one interval
  pinback evaluate [-c FILE] [--metrics-file F] [--candidate V] [--stable V] [--since TIME]
                   [--service S]... [--json]
  pinback audit    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]... [--json]
  pinback check    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]...
  pinback backtest [-c FILE] (--series FILE | --gitops PATH|URL [--branch B]) [--service S]...
                   [--step DURATION] [--json]   replay the policy over recorded deploys
  pinback demo

Exit codes: 0 completed, 1 an operation failed or the check gate is closed, 2 usage or policy-file error.`;

const OPTIONS = {
  config: { type: 'string', short: 'c', default: '.github/pinback.yml' },
  gitops: { type: 'string' },
  branch: { type: 'string' },
  'metrics-file': { type: 'string' },
  'incident-dir': { type: 'string' },
  mode: { type: 'string' },
  candidate: { type: 'string' },
  stable: { type: 'string' },
  service: { type: 'string', multiple: true },
  watch: { type: 'string' },
  interval: { type: 'string' },
  series: { type: 'string' },
  since: { type: 'string' },
  step: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export const DEFAULT_AUTHOR = { name: 'pinback', email: 'pinback@users.noreply.github.com' };

async function storeFor(policy: Policy, v: Values): Promise<GitOpsStore> {
  const target = v.gitops ?? policy.gitops?.repo;
  if (!target)
    throw new UsageError(`no GitOps repository: pass --gitops PATH|URL or set gitops.repo in ${policy.file}`);
  // A relative gitops path in the policy is relative to the policy file, like every other path in it.
  const local =
    v.gitops === undefined && /^\.{1,2}\//.test(target) ? resolve(dirname(policy.file), target) : target;
  return openCliStore(local, v.branch ?? policy.gitops?.branch);
}

function durationFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag} takes a duration such as 30s, 10m or 1h, not "${value}"`);
  return ms;
}

function timeFlag(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag} takes unix seconds or an ISO 8601 time, not "${value}"`);
  return new Date(t);
}

function modeOf(v: Values): Mode | undefined {
  if (v.mode === undefined) return undefined;
  if (v.mode === 'auto' || v.mode === 'dry-run') return v.mode;
  if (v.mode === 'propose')
    throw new UsageError('--mode propose opens a pull request: it needs the GitHub Action');
  throw new UsageError(`--mode must be auto or dry-run, not "${v.mode}"`);
}

function print(report: Report, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const s of report.services) process.stdout.write(`${humanLine(s)}\n`);
}

async function withStore<T>(policy: Policy, v: Values, fn: (store: GitOpsStore) => Promise<T>): Promise<T> {
  const store = await storeFor(policy, v);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const { values: v } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'demo') return demo(process.stdout);
  if (!['run', 'evaluate', 'audit', 'check', 'backtest'].includes(command))
    throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);

  const policy = await loadPolicy(v.config);
  switch (command) {
    case 'evaluate': {
      const report = await evaluate(policy, {
        providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
        now: new Date(),
        candidate: v.candidate,
        stable: v.stable,
        since: timeFlag(v.since, '--since'),
        services: v.service,
      });
      print(report, v.json);
      return 0;
    }
    case 'run': {
      const mode = modeOf(v);
      const dir = v['incident-dir'];
      const incidents =
        dir === undefined
          ? undefined
          : fileIncidentSink(resolve(dir), async (service) => {
              const path = policy.services.find((s) => s.name === service)?.onRollback.incident.template;
              return path === undefined ? undefined : readFile(path, 'utf8');
            });
      const watchMs = durationFlag(v.watch, '--watch');
      const intervalMs = durationFlag(v.interval, '--interval') ?? 60_000;
      // Chosen before the repository is opened, one way with or without --watch.
      const services = selectServices(policy, v.service);
      const result = await withStore(policy, v, (store) => {
        const ports: Ports = {
          store,
          providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
          incidents: onceSink(incidents),
          notifiers: (s) => notifiers(s.onRollback.notify),
          warn: (m) => process.stderr.write(`pinback: warning: ${m}\n`),
          now: () => new Date(),
        };
        const ctx = {
          policyFile: policy.file,
          policyDigest: policy.digest,
          actor: `pinback-cli (${userInfo().username})`,
          runUrl: undefined,
          author: policy.gitops?.author ?? DEFAULT_AUTHOR,
          mode,
        };
        if (watchMs === undefined) return run(services, ports, ctx);
        return watch(services, ports, ctx, {
          durationMs: watchMs,
          intervalMs,
          print: (line) => process.stderr.write(`${line}\n`),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        });
      });
      print(result.report, v.json);
      for (const f of result.failures) process.stderr.write(`pinback: ${f.message}\n`);
      return result.failures.length ? 1 : 0;
    }
    case 'backtest': {
      const stepMs = durationFlag(v.step, '--step') ?? 60_000;
      const deploys =
        v.series !== undefined
          ? await seriesDeploys(policy, v.series, v.service)
          : await withStore(policy, v, (store) =>
              historyDeploys(policy, store, {
                services: v.service,
                providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
                now: new Date(),
              }),
            );
      const result = await backtest(policy, deploys, stepMs / 1000);
      process.stdout.write(
        v.json ? `${JSON.stringify(backtestJson(result), null, 2)}\n` : `${backtestText(result)}\n`,
      );
      return 0;
    }
    case 'audit': {
      const entries = await withStore(policy, v, (store) => audit(policy, store, v.service));
      process.stdout.write(
        v.json
          ? `${JSON.stringify({ version: 1, rollbacks: entries }, null, 2)}\n`
          : `${auditTable(entries)}\n`,
      );
      return 0;
    }
    default: {
      const locked = await withStore(policy, v, (store) => check(policy, store, v.service));
      for (const l of locked) process.stderr.write(`${lockedMessage(l)}\n`);
      if (!locked.length) process.stdout.write('no service pins a locked version\n');
      return locked.length ? 1 : 0;
    }
  }
}

// `pinback demo | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usage =
      e instanceof PolicyError ||
      e instanceof UsageError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(e instanceof PolicyError ? `${e.message}\n` : `pinback: ${(e as Error).message}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
