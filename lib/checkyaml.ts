// The entries and problems of wingmate.yaml in the report of `wingmate --check`. Settings appear
// under the keys of the file, so that a report can be read next to the file.

import type { ConfigProblem, YamlCronEntry, YamlService } from './config/yaml';

/** Settings that services and cron jobs of wingmate.yaml share, as the report shows them. */
export interface YamlEntryReport {
  name: string;
  file: string;
  line: number;
  command: string[];
  /** Variable names of `environ`, or `NAME=value` strings with --show-env. */
  env: string[];
  working_dir: string | null;
  user: string | null;
  group: string | null;
  setsid: boolean;
}

/** A service of wingmate.yaml in the report. */
export interface YamlServiceReport extends YamlEntryReport {
  pidfile: string | null;
  startsecs: number | null;
  autostart: boolean;
  autorestart: boolean;
}

/** A problem in the report: `line` is left out when it concerns the whole file. */
export interface ProblemReport {
  file: string;
  line?: number;
  message: string;
}

/** Describe a service of wingmate.yaml for the report. */
export function reportYamlService(service: YamlService, showEnv: boolean): YamlServiceReport {
  return {
    ...reportEntry(service, showEnv),
    pidfile: service.pidfile,
    startsecs: service.startsecs,
    autostart: service.autostart,
    autorestart: service.autorestart,
  };
}

/** Describe a cron job of wingmate.yaml for the report, without its next start times. */
export function reportYamlCronEntry(entry: YamlCronEntry, showEnv: boolean): YamlEntryReport & { schedule: string } {
  return { ...reportEntry(entry, showEnv), schedule: entry.schedule };
}

function reportEntry(entry: YamlService | YamlCronEntry, showEnv: boolean): YamlEntryReport {
  return {
    name: entry.name,
    file: entry.file,
    line: entry.line,
    command: entry.command,
    env: entry.env.map(([name, value]) => (showEnv ? `${name}=${value}` : name)),
    working_dir: entry.workingDir,
    user: entry.user,
    group: entry.group,
    setsid: entry.setsid,
  };
}

/** Describe a problem of a configuration file for the report. */
export function reportProblem(problem: ConfigProblem): ProblemReport {
  return problem.line === null
    ? { file: problem.file, message: problem.message }
    : { file: problem.file, line: problem.line, message: problem.message };
}

/**
 * List the settings of a wingmate.yaml entry that differ from the defaults, for the text report:
 * `user: app  setsid: true`. Returns null when there is none.
 */
export function formatYamlSettings(entry: Partial<YamlServiceReport>): string | null {
  const settings: [string, unknown][] = [
    ['working_dir', entry.working_dir],
    ['user', entry.user],
    ['group', entry.group],
    ['setsid', entry.setsid === true ? true : null],
    ['pidfile', entry.pidfile],
    ['startsecs', entry.startsecs],
    ['autostart', entry.autostart === false ? false : null],
    ['autorestart', entry.autorestart === false ? false : null],
  ];
  const present = settings.filter(([, value]) => value !== null && value !== undefined);
  return present.length === 0 ? null : present.map(([key, value]) => `${key}: ${String(value)}`).join('  ');
}
