// Command-line parsing shared by the three commands: options first, `--` ends them, and without
// `--` the first argument that is not an option starts the command. `--flag=value`, `--flag value`,
// `-f value` and `-fvalue` are accepted; `--help`, `--version` and a lone `version` print to stdout.

import { EXIT_OK, EXIT_USAGE } from './exitcodes';
import { VERSION } from './version';

export interface OptionSpec {
  long: string;
  short?: string;
  /** Name of the value in the help text; an option without one is a boolean flag. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** The usage line without the program name, e.g. `--pid-file FILE -- COMMAND [ARGS...]`. */
  usage: string;
  summary: string;
  options: OptionSpec[];
  /** Whether arguments after the options form a command to run. */
  takesCommand: boolean;
  /** Text printed after the options in --help, such as the environment variables read. */
  epilog?: string;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'run';
      options: Map<string, string | boolean>;
      command: string[];
      /** Index in argv where the command starts, to find the same words elsewhere (byte for byte). */
      commandIndex: number;
    };

/** Invalid command-line or environment input; the command prints it with the usage line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Parses a boolean the way Go's strconv.ParseBool does; undefined when the text is not one. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) {
    return true;
  }
  if (GO_FALSE.has(text)) {
    return false;
  }
  return undefined;
}

/** @throws UsageError */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  if (argv.length === 1 && argv[0] === 'version') {
    return { kind: 'version' };
  }

  const options = new Map<string, string | boolean>();
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index];
    if (arg === '--') {
      index++;
      break;
    }
    if (arg === '--help' || arg === '-h') {
      return { kind: 'help' };
    }
    if (arg === '--version') {
      return { kind: 'version' };
    }
    if (!arg.startsWith('-') || arg === '-') {
      break;
    }
    index = readOption(spec, argv, index, options);
  }

  const command = argv.slice(index);
  if (!spec.takesCommand && command.length > 0) {
    throw new UsageError(`unexpected argument "${command[0]}"`);
  }
  return { kind: 'run', options, command, commandIndex: index };
}

// Reads the option at argv[index] (and its value) into `options`; returns the next index.
function readOption(spec: CommandSpec, argv: readonly string[], index: number, options: Map<string, string | boolean>): number {
  const arg = argv[index];
  let option: OptionSpec | undefined;
  let inlineValue: string | undefined;

  if (arg.startsWith('--')) {
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    inlineValue = equals === -1 ? undefined : arg.slice(equals + 1);
    option = spec.options.find((candidate) => candidate.long === name);
  } else {
    option = spec.options.find((candidate) => candidate.short === arg[1]);
    inlineValue = arg.length > 2 ? arg.slice(2) : undefined;
  }
  if (!option) {
    throw new UsageError(`unknown option "${arg}"`);
  }

  if (!option.value) {
    options.set(option.long, readBooleanValue(option, arg, inlineValue));
    return index + 1;
  }
  if (inlineValue !== undefined) {
    options.set(option.long, inlineValue);
    return index + 1;
  }
  if (index + 1 >= argv.length) {
    throw new UsageError(`option --${option.long} needs a value (${option.value})`);
  }
  options.set(option.long, argv[index + 1]);
  return index + 2;
}

function readBooleanValue(option: OptionSpec, arg: string, inlineValue: string | undefined): boolean {
  if (inlineValue === undefined) {
    return true;
  }
  // `-sX` would hide a typo in a combined short flag, so only the long form takes a value.
  const parsed = arg.startsWith('--') ? parseGoBool(inlineValue) : undefined;
  if (parsed === undefined) {
    throw new UsageError(`invalid value "${inlineValue}" for --${option.long}: use true or false`);
  }
  return parsed;
}

export function usageLine(spec: CommandSpec): string {
  return `usage: ${spec.name} ${spec.usage}`.trimEnd();
}

export function helpText(spec: CommandSpec): string {
  const lines = [usageLine(spec), '', spec.summary, '', 'options:'];
  const rows = [
    ...spec.options.map((option) => {
      const names = option.short ? `-${option.short}, --${option.long}` : `    --${option.long}`;
      return [option.value ? `${names} ${option.value}` : names, option.help];
    }),
    ['-h, --help', 'print this help and exit'],
    ['    --version', 'print the version and exit'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  for (const [left, right] of rows) {
    lines.push(`  ${left.padEnd(width)}  ${right}`);
  }
  if (spec.epilog) {
    lines.push('', spec.epilog);
  }
  return `${lines.join('\n')}\n`;
}

/** Prints a usage error the common way and returns the exit status for it. */
export function reportUsageError(spec: CommandSpec, error: UsageError): number {
  process.stderr.write(`${spec.name}: ${error.message}\n${usageLine(spec)}\n`);
  return EXIT_USAGE;
}

/**
 * Parses argv, handles --help, --version and usage errors, and returns the arguments to run with,
 * or the exit status when there is nothing to run.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): Extract<ParsedArgs, { kind: 'run' }> | number {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) {
      return reportUsageError(spec, error);
    }
    throw error;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(helpText(spec));
    return EXIT_OK;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${spec.name} ${VERSION}\n`);
    return EXIT_OK;
  }
  return parsed;
}
