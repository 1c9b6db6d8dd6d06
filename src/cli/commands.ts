/**
 * The CLI's commands, loaded by src/cli.ts only once a command line names one: `--help`,
 * `--version` and usage errors never evaluate the policy loader, the stores or the providers.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { backtest, backtestJson, backtestText } from '../commands/backtest.js';
import { historyDeploys, seriesDeploys } from '../commands/backtest-sources.js';
import { check, lockedMessage } from '../commands/check.js';
import { demo } from '../commands/demo.js';
import { evaluate, type EvaluateOptions } from '../commands/evaluate.js';
import { formatIssue, UsageError } from '../config/errors.js';
import { parseDuration } from '../config/duration.js';
import { loadPolicy } from '../config/load.js';
import type { Mode } from '../config/policy.js';
import { nothingToDo, type Selection, selectServices } from '../config/select.js';
import { setCliStoreWarning } from '../gitops/open.js';
import { stopCleanlyOnSignals } from '../gitops/signals.js';
import { fileIncidentSink } from '../incident/file.js';
import { onceSink } from '../incident/sink.js';
import { decisionLogFile } from '../records/log-file.js';
import { providersFor } from '../metrics/registry.js';
import { notifiers } from '../notify/index.js';
import type { Ports } from '../reconcile/ports.js';
import { run } from '../reconcile/run.js';
import { watch } from '../reconcile/watch.js';
import { blindness, blindnessWarnings, humanLine, type Report } from '../report.js';
import type { Values } from './args.js';
import { auditCommand } from './audit.js';
import { DEFAULT_CONFIG } from './options.js';
import { withStore } from './store.js';
import type { CommandName } from './usage.js';

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

const asJson = (value: unknown) => JSON.stringify(value, null, 2);

function print(report: Report, json: boolean): void {
  if (json) process.stdout.write(`${asJson(report)}\n`);
  else for (const s of report.services) process.stdout.write(`${humanLine(s)}\n`);
}

/**
 * A shard that holds none of the chosen services: its line for people, or with --json what the
 * command prints over no service (`json`), so that a matrix's merge reads every shard alike; exit 0.
 * Nothing is opened or read: there is nothing to read for.
 */
function idle(line: string, json: string | undefined): number {
  process.stdout.write(`${json ?? line}\n`);
  return 0;
}

const NO_SERVICE: Report = { version: 1, services: [] };

/**
 * Runs one command of a parsed command line; its exit status. Errors are the entry's to print.
 * `selection` is the command line's `--service` and `--shard` (args.ts).
 */
export async function runCommand(
  command: CommandName,
  v: Values,
  selection: Selection,
  operands: readonly string[] = [],
): Promise<number> {
  // A cancelled job, a stopped container, Ctrl-C: a commit in flight is finished, temporary clones
  // removed, and the exit status is 128 + the signal's number, after a message.
  stopCleanlyOnSignals({ say: (m) => process.stderr.write(`pinback: ${m}\n`) });
  // What the git store notices without failing (a work tree it could not update, a shallow clone).
  setCliStoreWarning((m) => process.stderr.write(`pinback: warning: ${m}\n`));

  if (command === 'demo') return demo(process.stdout);
  // Reads Argo Rollouts and Flagger manifests, not a policy: it writes one.
  if (command === 'import') {
    const { importCommand } = await import('../commands/import.js');
    return importCommand(
      { files: operands, out: v.out, service: v.service?.at(-1), args: v.arg ?? [] },
      {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        env: process.env,
      },
    );
  }
  // The trailers say everything audit prints: it needs no policy file. It takes no --shard (args.ts
  // refuses it): a listing of the past is not work to split.
  if (command === 'audit') return auditCommand(v);

  // Metrics sources are checked at load where metrics will be read (a missing file is an error).
  const readsMetrics =
    command === 'run' ||
    command === 'evaluate' ||
    command === 'gate' ||
    (command === 'backtest' && v.series === undefined);
  const config = v.config ?? DEFAULT_CONFIG;
  const policy = await loadPolicy(config, process.env, {
    ...(readsMetrics
      ? { metrics: { baseDir: dirname(resolve(config)), metricsFile: v['metrics-file'] } }
      : {}),
    // Incident templates are read (from the working directory) only where incidents are written.
    ...(command === 'run' && v['incident-dir'] !== undefined ? { files: { baseDir: process.cwd() } } : {}),
  });
  for (const w of policy.warnings ?? []) process.stderr.write(`pinback: warning: ${formatIssue(w)}\n`);
  // Checked once the policy is read (an unknown name is exit 2 here), acted on once the command's
  // own flags are checked: an empty shard still refuses a bad flag, as the other shards do.
  const empty = nothingToDo(policy, selection);
  switch (command) {
    case 'evaluate': {
      const options: EvaluateOptions = {
        providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
        now: new Date(),
        candidate: v.candidate,
        stable: v.stable,
        since: timeFlag(v.since, '--since'),
        selection,
      };
      if (v.branch !== undefined && v.gitops === undefined)
        throw new UsageError('--branch names the branch of --gitops: pass --gitops PATH|URL too');
      if (empty !== undefined) return idle(empty, v.json ? asJson(NO_SERVICE) : undefined);
      // The pins are read only with --gitops, and only where a service has one.
      const pinned = v.gitops !== undefined && selectServices(policy, selection).some((s) => s.pin);
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
      const services = selectServices(policy, selection);
      if (empty !== undefined) return idle(empty, v.json ? asJson(NO_SERVICE) : undefined);
      const result = await withStore(policy, v, (store) => {
        const ports: Ports = {
          store,
          providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
          incidents: onceSink(incidents),
          notifiers: (s) => notifiers(s.onRollback.notify),
          decisions:
            v['decision-log'] === undefined ? undefined : decisionLogFile(resolve(v['decision-log'])),
          warn: (m) => process.stderr.write(`pinback: warning: ${m}\n`),
          now: () => new Date(),
        };
        const ctx = {
          policyFile: policy.file,
          policyDigest: policy.digest,
          actor: `pinback-cli (${userInfo().username})`,
          runUrl: undefined,
          author: policy.gitops?.author ?? DEFAULT_AUTHOR,
          recordAuthors: policy.gitops?.recordAuthors,
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
      if (empty !== undefined) {
        const none = v.json ? asJson(backtestJson(await backtest(policy, [], stepMs / 1000))) : undefined;
        return idle(empty, none);
      }
      const deploys =
        v.series !== undefined
          ? await seriesDeploys(policy, v.series, selection)
          : await withStore(policy, v, (store) =>
              historyDeploys(policy, store, {
                selection,
                providers: providersFor(policy, dirname(resolve(policy.file)), v['metrics-file']),
                now: new Date(),
              }),
            );
      const result = await backtest(policy, deploys, stepMs / 1000);
      process.stdout.write(v.json ? `${asJson(backtestJson(result))}\n` : `${backtestText(result)}\n`);
      return 0;
    }
    case 'gate': {
      // Loaded only for this command, as doctor is.
      const { gateCommand } = await import('./gate.js');
      return gateCommand(policy, v);
    }
    case 'doctor': {
      // Loaded only for this command: the checks and the render stay out of the others' start.
      const { doctorCommand } = await import('./doctor.js');
      return doctorCommand(policy, v, selection, empty);
    }
    default: {
      if (empty !== undefined) return idle(empty, undefined);
      const locked = await withStore(policy, v, (store) => check(policy, store, selection));
      for (const l of locked) process.stderr.write(`${lockedMessage(l)}\n`);
      if (!locked.length) process.stdout.write('no service pins a locked version\n');
      return locked.length ? 1 : 0;
    }
  }
}
