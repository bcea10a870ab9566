// JSON log records on stderr, one per line, with zerolog's field names (level, time, message, and
// the source field `service` or `cron`) so that log pipelines built for the Go original keep working.

import { LogSink, stderrSink } from './logsink';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export type FieldValue = string | number | boolean | null | undefined;
export type Fields = Record<string, FieldValue>;

/** The field that names where a record comes from, written before the message as zerolog does. */
export type SourceKey = 'service' | 'cron';

/** Formats an instant as RFC 3339 with seconds and the local offset (`Z` for UTC), as Go's time.RFC3339. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  const offsetMinutes = -date.getTimezoneOffset();
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (offsetMinutes === 0) {
    return `${day}T${clock}Z`;
  }
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${day}T${clock}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// Characters that JSON.stringify escapes: the quote, the backslash and control characters. Text with
// surrogates goes to JSON.stringify too, which escapes a lone one.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Encodes a string as a JSON string, as JSON.stringify does but faster for plain text. */
export function quoteJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Writes levelled records; child output lines bypass the level filter. */
export class Logger {
  private readonly minLevel: number;
  private cachedSecond = -1;
  private cachedTime = '';

  constructor(
    readonly sink: LogSink,
    level: Level = 'info',
    private readonly now: () => number = Date.now,
  ) {
    this.minLevel = LEVELS.indexOf(level);
  }

  debug(message: string, fields?: Fields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Fields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.write('error', message, fields);
  }

  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.minLevel;
  }

  /**
   * Logs one line of a child's output at level info, whatever the configured level: the level
   * filters wingmate's own records, never what a service writes.
   */
  childLine(key: SourceKey, source: string, line: string, extra = ''): void {
    this.childLineWriter(key, source)(line, extra);
  }

  /** Returns childLine for one source, with the source encoded once instead of for every line. */
  childLineWriter(key: SourceKey, source: string): (line: string, extra?: string) => void {
    const head = `","${key}":${JSON.stringify(source)},"message":`;
    return (line, extra = '') => {
      this.sink.write(`{"level":"info","time":"${this.time()}${head}${quoteJson(line)}${extra}}\n`);
    };
  }

  private write(level: Level, message: string, fields?: Fields): void {
    if (LEVELS.indexOf(level) < this.minLevel) {
      return;
    }
    this.sink.write(this.format(level, message, fields));
  }

  /** Builds one record; `service` and `cron` go before the message, other fields after it. */
  format(level: Level, message: string, fields?: Fields): string {
    let head = `{"level":"${level}","time":"${this.time()}"`;
    let tail = '';
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value === undefined) {
        continue;
      }
      const pair = `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
      if (key === 'service' || key === 'cron') {
        head += pair;
      } else {
        tail += pair;
      }
    }
    return `${head},"message":${JSON.stringify(message)}${tail}}\n`;
  }

  // Formatting the time costs more than the rest of a record, and child output arrives in bursts,
  // so the text is reused within one second.
  private time(): string {
    const ms = this.now();
    const second = Math.floor(ms / 1000);
    if (second !== this.cachedSecond) {
      this.cachedSecond = second;
      this.cachedTime = formatTime(ms);
    }
    return this.cachedTime;
  }
}

/** Creates a logger on the process's stderr. */
export function createLogger(level: Level = 'info'): Logger {
  return new Logger(stderrSink(), level);
}
