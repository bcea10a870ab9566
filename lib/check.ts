// `wingmate --check`: read the configuration without starting anything, print the services and cron
// entries (with their next start times on request), and report every invalid line.

import * as fs from 'node:fs';

import { UsageError } from './cli';
import { type Crontab, parseCrontab } from './config/crontab';
import type { CronSpec } from './config/cronspec';
import { rejectNameCollisions } from './config/names';
import type { ConfigScan } from './config/scan';
import { type YamlConfig, readYamlConfig } from './config/yaml';
import {
  type ProblemReport, type YamlEntryReport, type YamlServiceReport, formatYamlSettings, reportProblem,
  reportYamlCronEntry, reportYamlService,
} from './checkyaml';
import { EXIT_FAILURE, EXIT_OK } from './exitcodes';
import { nextStartTime } from './init/cronclock';
import { formatTime } from './log';

/** Largest --next: enough for any review, small enough that a typo cannot flood the terminal. */
export const MAX_NEXT = 1000;

/** Options of a check, from the command line. */
export interface CheckOptions {
  json: boolean;
  /** Start times to list per cron entry. */
  next: number;
  /** Instant the start times are computed from, in milliseconds since the epoch. */
  from: number;
  /** Print variable values, not only names. Values often hold secrets, so they are hidden by default. */
  showEnv: boolean;
}

/** Report of a check, in the shape of the JSON output. */
export interface CheckReport {
  /** Service files (name and command only) and services of wingmate.yaml (with their settings). */
  services: Array<{ name: string; command: string[] } | YamlServiceReport>;
  /** Entries of service/ that are not services, with the reason. */
  skipped: Array<{ path: string; reason: string }>;
  /** Crontab lines, and cron jobs of wingmate.yaml with their settings. */
  cron: Array<Partial<YamlEntryReport> & {
    /** `FILE:LINE` for a crontab line, the entry's name for wingmate.yaml; unique across the configuration. */
    name: string;
    file: string;
    line: number;
    schedule: string;
    command: string[];
    /** Variable names, or `NAME=value` strings with --show-env. */
    env: string[];
    /** RFC 3339 start times with the offset in force at each. */
    next: string[];
  }>;
  /** Invalid lines (with `line`) and problems of the whole configuration (without). */
  errors: ProblemReport[];
  /** Settings of wingmate.yaml that have no effect, and YAML warnings. */
  warnings: ProblemReport[];
}

const CHECK_ONLY = ['json', 'next', 'from', 'show-env'];

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Read the check options from parsed command-line options. Returns null without --check.
 * @throws {UsageError} for a check option without --check, or an invalid --next or --from.
 */
export function readCheckOptions(options: Map<string, string | boolean>, now: number): CheckOptions | null {
  if (options.get('check') !== true) {
    const stray = CHECK_ONLY.find((name) => options.has(name));
    if (stray !== undefined) {
      throw new UsageError(`option --${stray} works only with --check`);
    }
    return null;
  }

  const next = options.get('next');
  const from = options.get('from');
  return {
    json: options.get('json') === true,
    next: typeof next === 'string' ? parseNext(next) : 0,
    from: typeof from === 'string' ? parseRfc3339(from) : now,
    showEnv: options.get('show-env') === true,
  };
}

function parseNext(text: string): number {
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(count <= MAX_NEXT)) {
    throw new UsageError(`invalid value "${text}" for --next: use a whole number from 0 to ${MAX_NEXT}`);
  }
  return count;
}

/**
 * Parse an RFC 3339 date and time with seconds and an offset, such as 2026-03-07T00:00:00Z.
 * @throws {UsageError} for anything else, including dates that do not exist (February 30).
 */
export function parseRfc3339(text: string): number {
  const invalid = new UsageError(`invalid value "${text}" for --from: use RFC 3339, e.g. 2026-03-07T00:00:00Z`);
  const match = RFC3339.exec(text);
  if (match === null) {
    throw invalid;
  }

  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const milliseconds = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  const fields = new Date(wall);
  const exists = fields.getUTCFullYear() === year && fields.getUTCMonth() === month - 1 &&
    fields.getUTCDate() === day && fields.getUTCHours() === hour && fields.getUTCMinutes() === minute &&
    fields.getUTCSeconds() === second;
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  if (!exists || offsetHours > 23 || offsetMinutes > 59) {
    throw invalid;
  }

  const sign = match[9] === '-' ? -1 : 1;
  return wall - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** Read and parse the crontab file; a file that cannot be read becomes one error. */
export function readCrontab(file: string): Crontab {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { entries: [], errors: [{ file, line: 0, message: `cannot read the crontab: ${code}` }] };
  }
  return parseCrontab(text, file);
}

/**
 * Build the report of a configuration: services, cron entries with next start times, errors.
 * `yaml` is wingmate.yaml after rejectNameCollisions, or null when the file does not exist.
 */
export function buildCheckReport(scan: ConfigScan, crontab: Crontab | null, options: CheckOptions, yaml: YamlConfig | null = null): CheckReport {
  const report: CheckReport = {
    services: scan.services.map((service) => ({ name: service.name, command: service.command })),
    skipped: scan.skipped.map((entry) => ({ path: entry.path, reason: entry.reason })),
    cron: [],
    errors: [],
    warnings: [],
  };
  for (const service of yaml?.services ?? []) {
    report.services.push(reportYamlService(service, options.showEnv));
  }

  for (const entry of crontab?.entries ?? []) {
    report.cron.push({
      name: `${entry.file}:${entry.line}`,
      file: entry.file,
      line: entry.line,
      schedule: entry.schedule,
      command: entry.command,
      env: entry.env.map(([name, value]) => (options.showEnv ? `${name}=${value}` : name)),
      next: entry.spec === null ? [] : nextStarts(entry.spec, options.from, options.next),
    });
  }

  for (const entry of yaml?.cron ?? []) {
    const next = entry.spec === null ? [] : nextStarts(entry.spec, options.from, options.next);
    report.cron.push({ ...reportYamlCronEntry(entry, options.showEnv), next });
  }

  for (const error of crontab?.errors ?? []) {
    report.errors.push(error.line > 0 ? { ...error } : { file: error.file, message: error.message });
  }
  report.errors.push(...(yaml?.errors ?? []).map(reportProblem));
  report.warnings.push(...(yaml?.warnings ?? []).map(reportProblem));
  if (report.services.length === 0 && report.cron.length === 0) {
    const cron = scan.crontab === null ? `no ${scan.dir}/crontab` : `no valid entry in ${scan.crontab}`;
    const yamlText = yaml === null ? '' : `, and no valid entry in ${yaml.file}`;
    report.errors.push({
      file: scan.dir,
      message: `nothing to run: no executable file in ${scan.serviceDir} and ${cron}${yamlText}`,
    });
  }
  return report;
}

function nextStarts(spec: CronSpec, from: number, count: number): string[] {
  const times: string[] = [];
  let after = new Date(from);
  while (times.length < count) {
    const start = nextStartTime(spec, after);
    if (start === null) {
      break;
    }
    times.push(formatTime(start.getTime()));
    after = start;
  }
  return times;
}

/** Render the report for a person: the configuration on stdout, `FILE:LINE: message` on stderr. */
export function formatCheckText(report: CheckReport): { stdout: string; stderr: string } {
  const lines: string[] = [];

  lines.push(report.services.length === 0 ? 'services: none' : 'services:');
  for (const service of report.services) {
    // A service file runs without arguments, so its path is the whole command.
    lines.push('file' in service ? `  ${service.name}  ${service.command.map(quoteWord).join(' ')}` : `  ${service.name}`);
    if ('file' in service) {
      lines.push(...entryDetails(service));
    }
  }
  for (const entry of report.skipped) {
    lines.push(`  skipped ${entry.path}: ${entry.reason}`);
  }

  lines.push(report.cron.length === 0 ? 'cron: none' : 'cron:');
  for (const entry of report.cron) {
    lines.push(`  ${entry.name}  ${entry.schedule}  ${entry.command.map(quoteWord).join(' ')}`);
    const settings = formatYamlSettings(entry);
    if (settings !== null) {
      lines.push(`    ${settings}`);
    }
    if (entry.env.length > 0) {
      lines.push(`    env: ${entry.env.map(quoteWord).join(' ')}`);
    }
    if (entry.next.length > 0) {
      lines.push(`    next: ${entry.next.join(' ')}`);
    }
  }

  const location = (problem: ProblemReport): string => `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}`;
  const errors = report.errors.map((error) => `${location(error)}: ${error.message}\n`);
  const warnings = report.warnings.map((warning) => `${location(warning)}: warning: ${warning.message}\n`);
  return { stdout: `${lines.join('\n')}\n`, stderr: [...errors, ...warnings].join('') };
}

/** List the settings and variables of a wingmate.yaml service, one line each, for the text report. */
function entryDetails(entry: YamlServiceReport): string[] {
  const lines: string[] = [];
  const settings = formatYamlSettings(entry);
  if (settings !== null) {
    lines.push(`    ${settings}`);
  }
  if (entry.env.length > 0) {
    lines.push(`    env: ${entry.env.map(quoteWord).join(' ')}`);
  }
  return lines;
}

/** Quote a word for display when sh would split or expand it. */
function quoteWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Check a scanned configuration: print the report and return the exit status, 1 when anything is
 * invalid.
 */
export function runCheck(
  scan: ConfigScan,
  options: CheckOptions,
  output: NodeJS.WritableStream = process.stdout,
  errorOutput: NodeJS.WritableStream = process.stderr,
): number {
  const crontab = scan.crontab === null ? null : readCrontab(scan.crontab);
  const yamlFile = readYamlConfig(scan.dir);
  const yaml = yamlFile === null ? null : rejectNameCollisions(yamlFile, scan.services, crontab?.entries ?? []);
  const report = buildCheckReport(scan, crontab, options, yaml);

  if (options.json) {
    output.write(`${JSON.stringify(report)}\n`);
  } else {
    const text = formatCheckText(report);
    output.write(text.stdout);
    errorOutput.write(text.stderr);
  }
  return report.errors.length === 0 ? EXIT_OK : EXIT_FAILURE;
}
