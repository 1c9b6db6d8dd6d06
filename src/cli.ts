#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { auditCommand } from './cli/audit.js';
import { type CommandLine, parseCommandLine, type Values } from './cli/args.js';
import { DEFAULT_CONFIG } from './cli/options.js';
import { withStore } from './cli/store.js';
import { backtest, backtestJson, backtestText } from './commands/backtest.js';
import { historyDeploys, seriesDeploys } from './commands/backtest-sources.js';
import { check, lockedMessage } from './commands/check.js';
import { demo } from './commands/demo.js';
import { evaluate, type EvaluateOptions } from './commands/evaluate.js';
import { PolicyError, UsageError } from './config/errors.js';
import { parseDuration } from './config/duration.js';
import { loadPolicy } from './config/load.js';
import type { Mode } from './config/policy.js';
import { selectServices } from './config/select.js';
import { setCliStoreWarning } from './gitops/open.js';
import { stopCleanlyOnSignals } from './gitops/signals.js';
import { fileIncidentSink } from './incident/file.js';
import { onceSink } from './incident/sink.js';
import { providersFor } from './metrics/registry.js';
import { notifiers } from './notify/index.js';
import type { Ports } from './reconcile/ports.js';
import { run } from './reconcile/run.js';
import { watch } from './reconcile/watch.js';
import { blindness, blindnessWarnings, humanLine, type Report } from './report.js';

export const DEFAULT_AUTHOR = { name: 'pinback', email: 'pinback@users.noreply.github.com' };

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

async function main(argv: string[]): Promise<number> {
  const line: CommandLine = parseCommandLine(argv);
  if (line.kind === 'print') {
    process.stdout.write(`${line.text}\n`);
    return 0;
  }
  const { command, values: v } = line;
  if (command === 'demo') return demo(process.stdout);
  // The trailers say everything audit prints: it needs no policy file.
  if (command === 'audit') return auditCommand(v);

  // Metrics sources are checked at load where metrics will be read (a missing file is an error).
  const readsMetrics =
    command === 'run' || command === 'evaluate' || (command === 'backtest' && v.series === undefined);
  const config = v.config ?? DEFAULT_CONFIG;
  const policy = await loadPolicy(config, process.env, {
    ...(readsMetrics
      ? { metrics: { baseDir: dirname(resolve(config)), metricsFile: v['metrics-file'] } }
      : {}),
    // Incident templates are read (from the working directory) only where incidents are written.
    ...(command === 'run' && v['incident-dir'] !== undefined ? { files: { baseDir: process.cwd() } } : {}),
  });
  switch (command) {
    case 'evaluate': {
      const options: EvaluateOptions = {
        providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
        now: new Date(),
        candidate: v.candidate,
        stable: v.stable,
        since: timeFlag(v.since, '--since'),
        services: v.service,
      };
      if (v.branch !== undefined && v.gitops === undefined)
        throw new UsageError('--branch names the branch of --gitops: pass --gitops PATH|URL too');
      // The pins are read only with --gitops, and only where a service has one.
      const pinned = v.gitops !== undefined && selectServices(policy, v.service).some((s) => s.pin);
      const report = pinned
        ? await withStore(policy, v, (store) => evaluate(policy, { ...options, store }))
        : await evaluate(policy, options);
      print(report, v.json);
      for (const line of blindnessWarnings(report)) process.stderr.write(`pinback: warning: ${line}\n`);
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
      // A guard that cannot see says so, loudly; --fail-on-no-data makes it a failed run.
      for (const line of blindnessWarnings(result.report))
        process.stderr.write(`pinback: warning: ${line}\n`);
      const blind = blindness(result.report).some((b) => b.blind);
      return result.failures.length || (v['fail-on-no-data'] && blind) ? 1 : 0;
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

// A cancelled job, a stopped container, Ctrl-C: a commit in flight is finished, temporary clones
// removed, and the exit status is 128 + the signal's number, after a message.
stopCleanlyOnSignals({ say: (m) => process.stderr.write(`pinback: ${m}\n`) });
// What the git store notices without failing (a work tree it could not update, a shallow clone).
setCliStoreWarning((m) => process.stderr.write(`pinback: warning: ${m}\n`));

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
