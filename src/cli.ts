#!/usr/bin/env node
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, UsageError } from './commands/evaluate.js';
import { PolicyError } from './config/errors.js';
import { loadPolicy } from './config/load.js';
import type { Policy } from './config/policy.js';
import type { MetricsProvider } from './metrics/provider.js';
import { createProvider } from './metrics/registry.js';
import { humanLine, type Report } from './report.js';

const USAGE = `pinback: GitOps rollback reconciler

Usage:
  pinback run      [-c FILE] [--gitops PATH|URL|OWNER/NAME] [--branch B] [--metrics-file F]
                   [--service S]... [--mode auto|propose|dry-run] [--incident-dir DIR] [--json]
  pinback evaluate [-c FILE] [--metrics-file F] [--candidate V] [--stable V] [--service S]... [--json]
  pinback audit    [--gitops ...] [--service S] [--json]
  pinback check    [-c FILE] [--gitops ...]
  pinback demo

Exit codes: 0 completed, 1 an operation failed or the check gate is closed, 2 usage or policy-file error.`;

const OPTIONS = {
  config: { type: 'string', short: 'c', default: '.github/pinback.yml' },
  'metrics-file': { type: 'string' },
  candidate: { type: 'string' },
  stable: { type: 'string' },
  service: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function providersFor(policy: Policy, metricsFile: string | undefined): Map<string, MetricsProvider> {
  const base = dirname(resolve(policy.file));
  const names = new Set(policy.services.flatMap((s) => s.queries.map((q) => q.provider)));
  const providers = new Map<string, MetricsProvider>();
  for (const name of names) {
    const config = policy.providers[name];
    const local = config?.type === 'file' ? { ...config, path: resolve(base, config.path) } : config;
    providers.set(name, createProvider(name, local, { metricsFile: metricsFile && resolve(metricsFile) }));
  }
  return providers;
}

function print(report: Report, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const s of report.services) process.stdout.write(`${humanLine(s)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  switch (command) {
    case 'evaluate': {
      const policy = await loadPolicy(values.config);
      const report = await evaluate(policy, {
        providers: providersFor(policy, values['metrics-file']),
        now: new Date(),
        candidate: values.candidate,
        stable: values.stable,
        services: values.service,
      });
      print(report, values.json);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof PolicyError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`pinback: ${(e as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`pinback: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);
