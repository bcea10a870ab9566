/**
 * Checks of the single settings of a wingmate.yaml entry, on the values that the YAML parser
 * produced (mappings as Map). A check that finds a problem reports it through a FieldReporter and
 * returns undefined, and the caller goes on with the next setting, so that every error of an entry
 * is reported, not just the first.
 */

import { parseId } from '../user';
import { type CronSpec, parseMacro, parseSchedule } from './cronspec';

/** Keys and list indexes from the document root to a value: ['service', 'web', 'command', 2]. */
export type FieldPath = readonly (string | number)[];

/** Receives the problems found in one value, and finds how a value was written; the path locates it. */
export interface FieldReporter {
  error(path: FieldPath, message: string): void;
  warn(path: FieldPath, message: string): void;
  /** The text of the unquoted scalar at `path` as written, or undefined when there is none. */
  writtenText(path: FieldPath): string | undefined;
}

// The same bound as the WINGMATE_* seconds variables, far above any useful delay.
const MAX_SECONDS = 2_000_000;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Format a path the way the messages show it: `service.web.command[2]`, `service["my app"]`. */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const step of path) {
    if (typeof step === 'number') {
      text += `[${step}]`;
    } else if (PLAIN_KEY.test(step)) {
      text += text === '' ? step : `.${step}`;
    } else {
      text += `[${JSON.stringify(step)}]`;
    }
  }
  return text === '' ? 'top level' : text;
}

/** Name the kind of a parsed YAML value for a message: "a list", "the number 5", "null". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'an empty value (null)';
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value instanceof Map) {
    return 'a mapping';
  }
  return `a value of type ${Object.prototype.toString.call(value).slice(8, -1)}`;
}

/**
 * Take a scalar as text. YAML reads an unquoted `5` or `true` as a number or a boolean, but where
 * text is expected it is taken as written (`0x1F` stays "0x1F"), as the Go original's decoder
 * turned such values into strings. Returns undefined, after reporting, for anything else.
 */
function readScalarText(value: unknown, path: FieldPath, report: FieldReporter): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  const written = typeof value === 'number' || typeof value === 'boolean' ? report.writtenText(path) : undefined;
  if (written === undefined) {
    const hint = typeof value === 'number' || typeof value === 'boolean' ? `; quote it ("${String(value)}")` : '';
    report.error(path, `expected a string, got ${describeValue(value)}${hint}`);
  }
  return written;
}

/** Read a non-empty string without NUL characters (which no path, argument or name can hold). */
export function readText(value: unknown, path: FieldPath, report: FieldReporter): string | undefined {
  const text = readScalarText(value, path, report);
  if (text === '') {
    report.error(path, 'empty string; give a value or remove the key');
    return undefined;
  }
  if (text?.includes('\0')) {
    report.error(path, 'contains a NUL character, which a path, argument or name cannot hold');
    return undefined;
  }
  return text;
}

/** Read `command`: a non-empty list of strings, the program first. */
export function readCommand(value: unknown, path: FieldPath, report: FieldReporter): string[] | undefined {
  if (!Array.isArray(value)) {
    report.error(path, `expected a list of strings, got ${describeValue(value)}${listHint(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    report.error(path, 'empty command; give the program and its arguments, e.g. [ "/usr/bin/app", "--port", "8080" ]');
    return undefined;
  }

  const words: string[] = [];
  value.forEach((item: unknown, index) => {
    const word = readScalarText(item, [...path, index], report);
    if (word?.includes('\0')) {
      report.error([...path, index], 'contains a NUL character, which no argument can hold');
    } else if (index === 0 && word === '') {
      report.error([...path, index], 'the program name is empty');
    } else if (word !== undefined) {
      words.push(word);
    }
  });
  return words.length === value.length ? words : undefined;
}

/** Show a command written as one string the way it has to be written, as a list. */
function listHint(value: unknown): string {
  if (typeof value !== 'string') {
    return '';
  }
  const words = value.trim().split(/\s+/).map((word) => JSON.stringify(word));
  return `; write it as a list, e.g. [ ${words.join(', ')} ] (no shell splits it)`;
}

/** Read `environ`: a list of "NAME=value" strings, split at the first "=". */
export function readEnviron(value: unknown, path: FieldPath, report: FieldReporter): [string, string][] | undefined {
  if (!Array.isArray(value)) {
    report.error(path, `expected a list of "NAME=value" strings, got ${describeValue(value)}`);
    return undefined;
  }

  const pairs: [string, string][] = [];
  let valid = true;
  value.forEach((item: unknown, index) => {
    const pair = readAssignment(item, [...path, index], report);
    if (pair === undefined) {
      valid = false;
    } else {
      pairs.push(pair);
    }
  });
  return valid ? pairs : undefined;
}

function readAssignment(value: unknown, path: FieldPath, report: FieldReporter): [string, string] | undefined {
  const item = readScalarText(value, path, report);
  if (item === undefined) {
    return undefined;
  }
  const equals = item.indexOf('=');
  if (equals < 0) {
    report.error(path, `${JSON.stringify(item)} has no "="; write NAME=value`);
    return undefined;
  }
  if (equals === 0) {
    report.error(path, `${JSON.stringify(item)} has an empty variable name; write NAME=value`);
    return undefined;
  }
  if (item.includes('\0')) {
    report.error(path, 'contains a NUL character, which no environment variable can hold');
    return undefined;
  }
  return [item.slice(0, equals), item.slice(equals + 1)];
}

/** Read `user` or `group`: a name, or digits for a numeric id, as wmexec takes them. */
export function readAccount(value: unknown, path: FieldPath, report: FieldReporter): string | undefined {
  const text = readText(value, path, report);
  if (text === undefined) {
    return undefined;
  }
  if (text.includes(':')) {
    report.error(path, `${JSON.stringify(text)} contains ":"; give the group with the separate "group" key`);
    return undefined;
  }
  if (/^\d+$/.test(text) && parseId(text) === undefined) {
    report.error(path, `invalid id ${text}: a uid or gid is at most 4294967294`);
    return undefined;
  }
  return text;
}

/** Read a YAML boolean: true or false, unquoted. */
export function readFlag(value: unknown, path: FieldPath, report: FieldReporter): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  report.error(path, `expected true or false, got ${describeValue(value)}`);
  return undefined;
}

/** Read a number of seconds: zero or more, decimals allowed. */
export function readSeconds(value: unknown, path: FieldPath, report: FieldReporter): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_SECONDS) {
    return value;
  }
  report.error(path, `expected a number of seconds from 0 to ${MAX_SECONDS} such as 2 or 0.5, got ${describeValue(value)}`);
  return undefined;
}

/** A parsed `schedule`: five time fields or an `@` macro, as in the crontab file. */
export interface ParsedSchedule {
  /** The schedule as written, without surrounding blanks. */
  text: string;
  /** Null for `@reboot`. */
  spec: CronSpec | null;
  reboot: boolean;
}

/** Read `schedule` with the crontab's parser, so that both files accept the same syntax. */
export function readSchedule(value: unknown, path: FieldPath, report: FieldReporter): ParsedSchedule | undefined {
  const text = readText(value, path, report)?.trim();
  if (text === undefined) {
    return undefined;
  }

  const fields = text === '' ? [] : text.split(/\s+/);
  try {
    if (fields.length === 1 && fields[0].startsWith('@')) {
      const spec = parseMacro(fields[0]);
      return { text, spec, reboot: spec === null };
    }
    return { text, spec: parseSchedule(fields), reboot: false };
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) {
      throw error;
    }
    report.error(path, `invalid schedule ${JSON.stringify(text)}: ${error.message}`);
    return undefined;
  }
}
