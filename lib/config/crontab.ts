/**
 * Parser of wingmate's crontab: the 5-field format of crontab(5) with the `@` macros, comment and
 * blank lines, `NAME=value` lines, CRLF line endings and a last line without a newline. Pure: text
 * in, entries and errors out. An invalid line becomes an error and is skipped; the others load.
 */

import { splitShellWords } from '../shellwords';
import { type CronSpec, parseMacro, parseSchedule } from './cronspec';

/** One job line of a crontab. */
export interface CronEntry {
  file: string;
  /** Line number, from 1. */
  line: number;
  /** Schedule as written: "*\/5 * * * *" or "@daily". */
  schedule: string;
  /** Null for `@reboot`. */
  spec: CronSpec | null;
  reboot: boolean;
  /** Program and arguments, split as sh would split them but without expansion. */
  command: string[];
  /** Command part as written; the log field `cron` of the job's records. */
  commandText: string;
  /** Variables set by `NAME=value` lines above this entry, in the order first set. */
  env: [string, string][];
}

/** Invalid line of a crontab. */
export interface CrontabError {
  file: string;
  line: number;
  message: string;
}

/** Parsed crontab: the valid entries and an error for each invalid line. */
export interface Crontab {
  entries: CronEntry[];
  errors: CrontabError[];
}

const FIELD_COUNT = 5;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A line of the form `NAME = value`: a name (possibly quoted), `=`, and the rest. */
const ASSIGNMENT_LINE = /^[ \t]*("[^"]*"|'[^']*'|[^\s="']+)[ \t]*=(.*)$/s;

/** Parse the text of the crontab at path `file` (the path is only copied into results). */
export function parseCrontab(text: string, file: string): Crontab {
  const entries: CronEntry[] = [];
  const errors: CrontabError[] = [];
  const env: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');

  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      return;
    }

    try {
      const assignment = parseAssignment(content);
      if (assignment !== null) {
        setVariable(env, assignment[0], assignment[1]);
      } else {
        entries.push({ ...parseJobLine(trimmed), file, line, env: copyEnv(env) });
      }
    } catch (error) {
      errors.push({ file, line, message: (error as Error).message });
    }
  });

  return { entries, errors };
}

/**
 * Parse a `NAME=value` line the way cronie's load_env does: spaces around `=` are allowed, and the
 * value may be in single or double quotes (taken literally, no escapes). An unquoted value loses
 * its trailing blanks. Returns null if the line is not an assignment.
 * @throws {TypeError} for an invalid name, an unterminated quote or text after the closing quote.
 */
function parseAssignment(content: string): [string, string] | null {
  const match = ASSIGNMENT_LINE.exec(content);
  if (match === null) {
    return null;
  }

  const quotedName = /^["']/.test(match[1]);
  const name = quotedName ? match[1].slice(1, -1) : match[1];
  if (!VARIABLE_NAME.test(name)) {
    throw new TypeError(
      `invalid variable name "${name}": use letters, digits and "_", not starting with a digit`,
    );
  }

  const value = match[2].replace(/^[ \t]+/, '');
  const quote = value[0];
  if (quote !== '"' && quote !== "'") {
    return [name, value.trimEnd()];
  }
  const end = value.indexOf(quote, 1);
  if (end < 0) {
    throw new TypeError(`unterminated ${quote} quote in the value of ${name}: add the closing ${quote}`);
  }
  if (value.slice(end + 1).trim() !== '') {
    throw new TypeError(
      `text after the closing quote in the value of ${name}: "${value.slice(end + 1).trim()}"; ` +
      `put the whole value inside the quotes`,
    );
  }
  return [name, value.slice(1, end)];
}

function copyEnv(env: [string, string][]): [string, string][] {
  return env.map(([name, value]): [string, string] => [name, value]);
}

/** Set a variable for the entries below; a name set again keeps its place, as in cronie. */
function setVariable(env: [string, string][], name: string, value: string): void {
  const existing = env.find(([key]) => key === name);
  if (existing) {
    existing[1] = value;
  } else {
    env.push([name, value]);
  }
}

type JobLine = Omit<CronEntry, 'file' | 'line' | 'env'>;

/**
 * Parse a job line: an `@` macro or five time fields, then the command.
 * @throws {TypeError|RangeError} naming the field or the command part that is invalid.
 */
function parseJobLine(trimmed: string): JobLine {
  const macro = trimmed.startsWith('@');
  const { fields, rest } = takeFields(trimmed, macro ? 1 : FIELD_COUNT);
  const schedule = fields.join(' ');

  const spec = macro ? parseMacro(fields[0]) : parseSchedule(fields);
  if (rest === '') {
    throw new TypeError(`missing command after the schedule "${schedule}"`);
  }

  let command: string[];
  try {
    command = splitShellWords(rest).words;
  } catch (error) {
    throw new TypeError(`command "${rest}": ${(error as Error).message}`, { cause: error });
  }
  if (command.length === 0) {
    throw new TypeError(`missing command after the schedule "${schedule}" (only a comment follows)`);
  }

  return { schedule, spec, reboot: macro && spec === null, command, commandText: rest };
}

/**
 * Split off the first `count` blank-separated fields of a line.
 * @throws {TypeError} if the line ends first or a field looks like the start of the command.
 */
function takeFields(trimmed: string, count: number): { fields: string[]; rest: string } {
  const fields: string[] = [];
  let rest = trimmed;

  while (fields.length < count) {
    const match = /^(\S+)[ \t]*/.exec(rest);
    if (match === null || /^[/.~]/.test(match[1])) {
      // No time field starts with these characters, but a program path does.
      throw new TypeError(
        `expected ${FIELD_COUNT} time fields (minute hour day-of-month month day-of-week) ` +
        `before the command, found ${fields.length}: "${trimmed}"`,
      );
    }
    fields.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  return { fields, rest: rest.trim() };
}
