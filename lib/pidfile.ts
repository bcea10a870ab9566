// Reading a daemon's pid file. The text is parsed without any I/O, so that every accepted and
// rejected form can be tested in a table. readPidFile adds the file system cases around it.

import * as fs from 'node:fs';

/** The content of a pid file, as parsed. */
export type PidFileContent =
  /** The file does not exist. */
  | { kind: 'missing' }
  /** The file exists but contains only white space: the daemon has not written it yet. */
  | { kind: 'empty' }
  | { kind: 'pid'; pid: number }
  /** The text is not a pid this proxy may follow; `message` names the file and the text. */
  | { kind: 'invalid'; message: string };

// A pid is a decimal integer; the kernel's limit (pid_max) is at most 2^22.
const PID_PATTERN = /^\d{1,8}$/;

// ASCII white space only: the file is decoded as latin1, and String.prototype.trim would also
// drop bytes such as 0xA0.
const LEADING_SPACE = /^[ \t\n\v\f\r]+/;
const TRAILING_SPACE = /[ \t\n\v\f\r]+$/;

/**
 * Parses the text of pid file `file`: the pid is its first line that is not blank, with white
 * space (spaces, tabs, CRLF) around it ignored. Later lines are ignored, as the Go original did,
 * because some daemons (PostgreSQL's postmaster.pid) write more after the pid. A pid must be an
 * integer greater than 1: kill(0, ...) addresses the caller's process group, kill(-1, ...) every
 * process, and pid 1 is the container's init.
 */
export function parsePidFile(text: string, file: string): PidFileContent {
  const rest = text.replace(LEADING_SPACE, '');
  if (rest === '') {
    return { kind: 'empty' };
  }
  const newline = rest.indexOf('\n');
  const trimmed = (newline === -1 ? rest : rest.slice(0, newline)).replace(TRAILING_SPACE, '');

  const quoted = JSON.stringify(trimmed.length > 40 ? `${trimmed.slice(0, 40)}...` : trimmed);
  if (!PID_PATTERN.test(trimmed)) {
    return { kind: 'invalid', message: `invalid pid file ${file}: ${quoted} is not a process id (expected one integer greater than 1)` };
  }
  const pid = Number(trimmed);
  if (pid <= 1) {
    return { kind: 'invalid', message: `invalid pid file ${file}: ${quoted} is not a daemon's process id (expected an integer greater than 1)` };
  }
  return { kind: 'pid', pid };
}

/**
 * Reads and parses pid file `file`. A file that cannot be read for another reason than being
 * missing (EACCES, EISDIR) counts as invalid, with the error in the message.
 */
export function readPidFile(file: string): PidFileContent {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { kind: 'missing' };
    }
    return { kind: 'invalid', message: `cannot read pid file ${file}: ${code ?? String(error)}` };
  }
  return parsePidFile(text, file);
}
