/**
 * Checks of one entry of wingmate.yaml, a service or a cron job: its keys, then each setting. An
 * entry with any error is not loaded; its errors are all reported.
 */

import type { StartOptions, YamlCronEntry, YamlService } from './yaml';
import {
  type FieldPath, type FieldReporter, describeValue, readAccount, readCommand, readEnviron, readFlag,
  readSchedule, readSeconds, readText,
} from './yamlfields';

type ServiceSettings = Omit<YamlService, 'file' | 'line'>;
type CronSettings = Omit<YamlCronEntry, 'file' | 'line'>;

const COMMON_KEYS = ['command', 'environ', 'working_dir', 'user', 'group', 'setsid'];
/** Keys the Go original's v0.2.0 decoder accepts for a service besides the common ones. */
const SERVICE_ONLY_KEYS = ['pidfile', 'startsecs', 'background', 'autostart', 'autorestart'];
const SERVICE_KEYS = [...COMMON_KEYS, ...SERVICE_ONLY_KEYS];
const CRON_KEYS = [...COMMON_KEYS, 'schedule'];

/** Settings shared by services and cron jobs, read from one entry. */
interface CommonSettings extends StartOptions {
  command: string[];
  env: [string, string][];
}

/** A reporter that counts the errors of one entry. */
class EntryReporter implements FieldReporter {
  errors = 0;

  constructor(private readonly parent: FieldReporter) {}

  error(path: FieldPath, message: string): void {
    this.errors++;
    this.parent.error(path, message);
  }

  warn(path: FieldPath, message: string): void {
    this.parent.warn(path, message);
  }

  writtenText(path: FieldPath): string | undefined {
    return this.parent.writtenText(path);
  }
}

/** Check the entry `service.<name>`; returns null when it has an error. */
export function readService(name: string, value: unknown, parent: FieldReporter): ServiceSettings | null {
  const at: FieldPath = ['service', name];
  const report = new EntryReporter(parent);
  const settings = readEntryMap(value, at, 'service', report);
  if (settings === null) {
    return null;
  }

  const common = readCommonSettings(settings, at, report);
  const pidfile = readOptional(settings, 'pidfile', at, report, readText) ?? null;
  const startsecs = readOptional(settings, 'startsecs', at, report, readSeconds) ?? null;
  const background = readOptional(settings, 'background', at, report, readFlag);
  const autostart = readOptional(settings, 'autostart', at, report, readFlag) ?? true;
  const autorestart = readOptional(settings, 'autorestart', at, report, readFlag) ?? true;

  if (!settings.has('pidfile') || settings.get('pidfile') === null) {
    if (startsecs !== null) {
      report.warn([...at, 'startsecs'], 'has no effect without "pidfile"; it delays the first pid file check');
    }
    if (background === true) {
      report.warn([...at, 'background'], 'has no effect without "pidfile": a daemon that forks is followed through its pid file');
    }
  } else if (background === false) {
    report.warn([...at, 'background'], 'ignored: a service with "pidfile" always runs in the background');
  }

  if (report.errors > 0 || common === null) {
    return null;
  }
  return { name, ...common, pidfile, startsecs, autostart, autorestart };
}

/** Check the entry `cron.<name>`; returns null when it has an error. */
export function readCronJob(name: string, value: unknown, parent: FieldReporter): CronSettings | null {
  const at: FieldPath = ['cron', name];
  const report = new EntryReporter(parent);
  const settings = readEntryMap(value, at, 'cron', report);
  if (settings === null) {
    return null;
  }

  const common = readCommonSettings(settings, at, report);
  const schedule = readRequired(settings, 'schedule', at, report, readSchedule, 'e.g. "*/5 * * * *" or "@daily"');

  if (report.errors > 0 || common === null || schedule === undefined) {
    return null;
  }
  const { command, env, ...options } = common;
  return {
    name,
    schedule: schedule.text,
    spec: schedule.spec,
    reboot: schedule.reboot,
    command,
    commandText: name,
    env,
    ...options,
  };
}

/** Check that the entry is a mapping and that each of its keys is one the section accepts. */
function readEntryMap(value: unknown, at: FieldPath, section: 'service' | 'cron', report: FieldReporter): Map<unknown, unknown> | null {
  if (!(value instanceof Map)) {
    report.error(at, `expected a mapping of settings with at least "command", got ${describeValue(value)}`);
    return null;
  }

  const allowed = section === 'service' ? SERVICE_KEYS : CRON_KEYS;
  for (const key of value.keys()) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      report.error([...at, String(key)], unknownKeyMessage(String(key), section, allowed));
    }
  }
  return value;
}

function unknownKeyMessage(key: string, section: 'service' | 'cron', allowed: string[]): string {
  if (section === 'cron' && key === 'pidfile') {
    return 'not valid for a cron job: wingmate does not supervise a job after it starts, so there is no daemon to follow; remove it';
  }
  if (section === 'cron' && SERVICE_ONLY_KEYS.includes(key)) {
    return 'not valid for a cron job, only for a service; remove it';
  }
  const similar = allowed.find((candidate) => isSimilar(key, candidate));
  const hint = similar === undefined ? '' : ` (did you mean "${similar}"?)`;
  return `unknown key${hint}; a ${section === 'service' ? 'service' : 'cron job'} accepts ${allowed.join(', ')}`;
}

/** Check whether `key` looks like a misspelling of `candidate`: another case, or at most 2 edits. */
function isSimilar(key: string, candidate: string): boolean {
  const a = key.toLowerCase();
  return a === candidate || (a.length > 3 && editDistance(a, candidate) <= 2);
}

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Read the settings that services and cron jobs share; null when `command` is missing or invalid. */
function readCommonSettings(settings: Map<unknown, unknown>, at: FieldPath, report: FieldReporter): CommonSettings | null {
  const command = readRequired(settings, 'command', at, report, readCommand, 'e.g. [ "/usr/bin/app", "--port", "8080" ]');
  const env = readOptional(settings, 'environ', at, report, readEnviron) ?? [];
  const workingDir = readOptional(settings, 'working_dir', at, report, readText) ?? null;
  const user = readOptional(settings, 'user', at, report, readAccount) ?? null;
  const group = readOptional(settings, 'group', at, report, readAccount) ?? null;
  const setsid = readOptional(settings, 'setsid', at, report, readFlag) ?? false;

  if (group !== null && (settings.get('user') ?? null) === null) {
    // wmexec takes USER[:GROUP]: it switches the group only together with a user.
    report.error([...at, 'group'], 'needs "user" as well; add user: "0" to keep running as root');
  }
  return command === undefined ? null : { command, env, workingDir, user, group, setsid };
}

type Reader<T> = (value: unknown, path: FieldPath, report: FieldReporter) => T | undefined;

/** Read an optional setting; an absent key and an empty value (null) both mean "not set". */
function readOptional<T>(settings: Map<unknown, unknown>, key: string, at: FieldPath, report: FieldReporter, read: Reader<T>): T | undefined {
  const value = settings.get(key);
  return value === undefined || value === null ? undefined : read(value, [...at, key], report);
}

/** Read a required setting; a missing one is reported on the entry, with an example. */
function readRequired<T>(
  settings: Map<unknown, unknown>, key: string, at: FieldPath, report: FieldReporter, read: Reader<T>, example: string,
): T | undefined {
  const value = settings.get(key);
  if (value === undefined || value === null) {
    report.error(at, `missing "${key}", ${example}`);
    return undefined;
  }
  return read(value, [...at, key], report);
}
