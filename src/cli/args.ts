import { parseArgs } from 'node:util';
import { UsageError } from '../config/errors.js';
import type { Selection } from '../config/select.js';
import { parseShard } from '../config/shard.js';
import { didYouMean } from '../config/suggest.js';
import { OPTIONS, type OptionName } from './options.js';
import {
  COMMAND_NAMES,
  COMMANDS,
  type CommandName,
  type CommandSpec,
  commandUsage,
  globalUsage,
} from './usage.js';
import { VERSION } from './version.js';

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/**
 * What a command line asks for: text to print (help, version), or a command with its options and
 * the services it selects (`--service`, `--shard`), read once here for every command.
 */
export type CommandLine =
  | { kind: 'print'; text: string }
  | { kind: 'command'; command: CommandName; values: Values; selection: Selection; operands: string[] };

const GLOBAL: readonly OptionName[] = ['help', 'version'];

const isCommand = (word: string): word is CommandName => (COMMAND_NAMES as string[]).includes(word);

function commandNamed(word: string): CommandName {
  if (isCommand(word)) return word;
  const hint = didYouMean(word, COMMAND_NAMES);
  throw new UsageError(
    `unknown command "${word}"${hint ? ` (did you mean "${hint}"?)` : ''}; the commands: ${COMMAND_NAMES.join(', ')} (see pinback --help)`,
  );
}

/** The commands an option belongs to, for a message about one that does not apply. */
function commandsWith(option: OptionName): CommandName[] {
  return COMMAND_NAMES.filter((c) => (COMMANDS[c].options as readonly OptionName[]).includes(option));
}

const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * Pure: argv (without node and the script) to what to do. Every problem is a UsageError that says
 * what was wrong and where to read more: an unknown command or option (with a did-you-mean), an
 * option of another command, a stray argument, a missing value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError(`no command given\n\n${globalUsage()}`);
  if (first === '-h' || first === '--help') return { kind: 'print', text: globalUsage() };
  if (first === '-V' || first === '--version') return { kind: 'print', text: VERSION };
  if (first === 'help') {
    if (rest.length > 1) throw new UsageError(`pinback help takes one command, not "${rest.join(' ')}"`);
    return {
      kind: 'print',
      text: rest[0] === undefined ? globalUsage() : commandUsage(commandNamed(rest[0])),
    };
  }
  if (first.startsWith('-')) {
    throw new UsageError(
      `${first} before a command: the command comes first, as in pinback run ${first} (see pinback --help)`,
    );
  }
  const command = commandNamed(first);
  const allowed = new Set<OptionName>([...COMMANDS[command].options, ...GLOBAL]);
  const see = `see pinback ${command} --help`;

  // A lenient pass first, for messages better than parseArgs' own; the strict pass below checks values.
  const { tokens } = parseArgs({
    args: [...rest],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const names = tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  if (names.includes('help')) return { kind: 'print', text: commandUsage(command) };
  if (names.includes('version')) return { kind: 'print', text: VERSION };
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (!isOption(t.name)) {
      const hint = t.rawName.startsWith('--') ? didYouMean(t.name, allowed) : undefined;
      throw new UsageError(
        `unknown option ${t.rawName} for pinback ${command}${hint ? ` (did you mean --${hint}?)` : ''}; ${see}`,
      );
    }
    if (!allowed.has(t.name)) {
      const owners = commandsWith(t.name).map((c) => `pinback ${c}`);
      throw new UsageError(
        `${t.rawName} does not apply to pinback ${command} (it is an option of ${owners.join(', ')}); ${see}`,
      );
    }
  }
  // A command that takes operands (`pinback import FILE...`) reads them; any other refuses them.
  const takesOperands = (COMMANDS[command] as CommandSpec).operands !== undefined;
  const stray = takesOperands
    ? undefined
    : tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  if (stray) {
    const what = stray.kind === 'positional' ? `argument "${stray.value}"` : 'argument "--"';
    throw new UsageError(`unexpected ${what} for pinback ${command}: every value follows its option; ${see}`);
  }
  let values: Values;
  let operands: string[];
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: OPTIONS,
      strict: true,
      allowPositionals: takesOperands,
    });
    values = parsed.values;
    operands = parsed.positionals;
  } catch (e) {
    // A missing value (`--gitops` last) or a value for a flag (`--json=yes`).
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(`${(e as Error).message}; ${see}`);
    }
    throw e;
  }
  const selection: Selection = { terms: values.service };
  if (values.shard !== undefined) {
    const parsed = parseShard(values.shard);
    if (!parsed.ok) throw new UsageError(`--shard ${parsed.problem}; ${see}`);
    selection.shard = parsed.shard;
  }
  return { kind: 'command', command, values, selection, operands };
}
