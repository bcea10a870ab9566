// Exec in place: the command line and environment as bytes, the PATH search and the exec itself.

import { readFileSync } from 'node:fs';

import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from './exitcodes';
import { prepareForExec } from './inheritance';
import { LibcError, execve } from './libc';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Splits NUL-terminated strings, as in /proc/PID/cmdline and /proc/PID/environ. */
export function splitNul(bytes: Buffer): Buffer[] {
  const result: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0); end !== -1; end = bytes.indexOf(0, start)) {
    result.push(bytes.subarray(start, end));
    start = end + 1;
  }
  if (start < bytes.length) {
    result.push(bytes.subarray(start));
  }
  return result;
}

/**
 * Returns the last `args.length` words of this process's command line as bytes. Node decodes
 * process.argv as UTF-8 and turns invalid bytes into U+FFFD, while /proc/self/cmdline keeps them.
 * The words are the same when decoded, whatever options node itself was given before the script.
 * Returns undefined when /proc/self/cmdline does not end with `args` (a changed process title).
 */
export function argumentBytes(args: readonly string[], cmdline = readFileSync('/proc/self/cmdline')): Buffer[] | undefined {
  const words = splitNul(cmdline);
  if (words.length < args.length) {
    return undefined;
  }
  const tail = words.slice(words.length - args.length);
  return tail.every((word, index) => word.toString('utf8') === args[index]) ? tail : undefined;
}

/** Returns the environment this process was started with, byte for byte. */
export function environmentBytes(environ = readFileSync('/proc/self/environ')): Buffer[] {
  return splitNul(environ);
}

function variableIndex(environment: readonly Buffer[], name: string): number {
  const prefix = Buffer.from(`${name}=`);
  return environment.findIndex((entry) => entry.subarray(0, prefix.length).equals(prefix));
}

/** Returns the value of the first `name=` entry, as getenv(3) does, or undefined. */
export function getVariable(environment: readonly Buffer[], name: string): Buffer | undefined {
  const index = variableIndex(environment, name);
  return index === -1 ? undefined : environment[index].subarray(name.length + 1);
}

/** Returns a copy with `name` set to `value`, in the place of its first entry or at the end. */
export function setVariable(environment: readonly Buffer[], name: string, value: string): Buffer[] {
  const entry = Buffer.from(`${name}=${value}`);
  const index = variableIndex(environment, name);
  const result = [...environment];
  if (index === -1) {
    result.push(entry);
  } else {
    result[index] = entry;
  }
  return result;
}

/**
 * Lists the paths to try for `command`: the command itself when it contains a slash or is empty,
 * otherwise the command in each directory of `pathValue`, where an empty directory means the
 * current one (POSIX execvp).
 */
export function candidatePaths(command: Buffer, pathValue: Buffer = Buffer.from(DEFAULT_PATH)): Buffer[] {
  if (command.length === 0 || command.includes(0x2f)) {
    return [command];
  }
  return splitBytes(pathValue, 0x3a).map((directory) => {
    if (directory.length === 0) {
      return command;
    }
    const separator = directory[directory.length - 1] === 0x2f ? [] : [Buffer.from('/')];
    return Buffer.concat([directory, ...separator, command]);
  });
}

function splitBytes(bytes: Buffer, separator: number): Buffer[] {
  const result: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(separator); end !== -1; end = bytes.indexOf(separator, start)) {
    result.push(bytes.subarray(start, end));
    start = end + 1;
  }
  result.push(bytes.subarray(start));
  return result;
}

// Errors after which glibc's execvp goes on to the next PATH directory. EACCES also goes on but is
// remembered, so that a command found only without execute permission reports EACCES.
const TRY_NEXT = new Set(['ENOENT', 'ENOTDIR', 'ESTALE', 'ENODEV', 'ETIMEDOUT']);

// Errors that dash (Debian 12) reports with status 127, as not found; every other exec failure is 126.
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/** The failure reported when no candidate could be executed. */
export interface ExecFailure {
  /** The path whose error is reported. */
  path: Buffer;
  error: LibcError;
  exitCode: number;
}

/**
 * Calls `exec` on each candidate in turn, as execvp does but without its fallback of running a file
 * that has no `#!` line through /bin/sh (glibc does, musl does not). Returns only when every
 * candidate failed.
 */
export function execFirst(candidates: readonly Buffer[], exec: (path: Buffer) => never): ExecFailure {
  let denied: ExecFailure | undefined;
  let last: ExecFailure | undefined;
  for (const path of candidates) {
    try {
      exec(path);
    } catch (error) {
      if (!(error instanceof LibcError)) {
        throw error;
      }
      last = { path, error, exitCode: NOT_FOUND.has(error.code) ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE };
      if (error.code === 'EACCES') {
        denied ??= last;
      } else if (!TRY_NEXT.has(error.code)) {
        return last;
      }
    }
  }
  return (denied ?? last)!;
}

const HINTS: Record<string, string> = {
  EACCES: '; the file needs execute permission for the user that runs it, on a file system not mounted noexec',
  ENOEXEC: '; a script needs a first line such as #!/bin/sh',
};

/** Builds the error message for a failed exec, naming the command, the path tried and the errno. */
export function describeExecFailure(command: Buffer, failure: ExecFailure): string {
  const name = command.toString('utf8');
  const hint = HINTS[failure.error.code] ?? '';
  if (failure.path.equals(command)) {
    return `cannot execute "${name}": ${failure.error.message}${hint}`;
  }
  if (failure.exitCode === EXIT_NOT_FOUND) {
    return `command "${name}" not found in PATH: ${failure.error.message}`;
  }
  return `cannot execute "${name}" found as ${failure.path.toString('utf8')}: ${failure.error.message}${hint}`;
}

/**
 * Replaces this process with `argv[0]`, searched in the environment's PATH, with `argv` and
 * `environment` passed byte for byte. Returns only when exec failed.
 */
export function execCommand(argv: readonly Buffer[], environment: readonly Buffer[]): ExecFailure {
  const candidates = candidatePaths(argv[0], getVariable(environment, 'PATH'));
  const restoreSignals = prepareForExec();
  const failure = execFirst(candidates, (path) => execve(path, [...argv], [...environment]));
  restoreSignals();
  return failure;
}
