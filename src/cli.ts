#!/usr/bin/env node
/**
 * The CLI's entry: parses the command line and prints help and the version itself. A command's code
 * (the policy loader with zod and yaml, the stores, the providers) is imported only when a command
 * runs, so `pinback --help` starts about as fast as node does (bench/startup.mjs,
 * test/startup.e2e.test.ts).
 */
import { type CommandLine, parseCommandLine } from './cli/args.js';
import { PolicyError, UsageError } from './config/errors.js';

async function main(argv: string[]): Promise<number> {
  const line: CommandLine = parseCommandLine(argv);
  if (line.kind === 'print') {
    process.stdout.write(`${line.text}\n`);
    return 0;
  }
  const { runCommand } = await import('./cli/commands.js');
  return runCommand(line.command, line.values, line.selection, line.operands);
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
