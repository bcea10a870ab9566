// Log records for a command that execs or exits right after logging. Each record is one synchronous
// write(2) on fd 2, so nothing waits in a Node stream when the process image is replaced, and
// process.stderr is never opened (for a pipe, opening it makes the shared descriptor non-blocking).

import { writeSync } from 'node:fs';

import { type Fields, LEVELS, type Level, formatTime } from './log';

/** Writes JSON records with the same fields as the Logger of lib/log.ts, one write per record. */
export class SyncLogger {
  private readonly minLevel: number;

  constructor(
    level: Level = 'info',
    private readonly fd = 2,
    private readonly now: () => number = Date.now,
  ) {
    this.minLevel = LEVELS.indexOf(level);
  }

  debug(message: string, fields?: Fields): void {
    this.write('debug', message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.write('error', message, fields);
  }

  private write(level: Level, message: string, fields: Fields = {}): void {
    if (LEVELS.indexOf(level) < this.minLevel) {
      return;
    }
    const record = { level, time: formatTime(this.now()), message, ...fields };
    try {
      writeSync(this.fd, `${JSON.stringify(record)}\n`);
    } catch {
      // A closed or full stderr must not change the exit status; there is nowhere else to report.
    }
  }
}
