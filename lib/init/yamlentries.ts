// The entries of wingmate.yaml for the init loop: read and checked once at start, their problems
// logged, and each turned into the process that runs it through wmpidproxy and wmexec.

import type { CronEntry } from '../config/crontab';
import { rejectNameCollisions } from '../config/names';
import type { Service } from '../config/scan';
import { type YamlConfig, type YamlCronEntry, type YamlService, readYamlConfig } from '../config/yaml';
import { type HelperCommands, buildLaunch } from '../launch';
import type { Logger } from '../log';
import type { CronLaunch } from './cronjobs';

/**
 * Read wingmate.yaml of `configDir` and log its errors and warnings. Entries whose names a legacy
 * service or crontab line already has are rejected. Returns null when the file does not exist.
 */
export function readYamlEntries(configDir: string, legacyServices: readonly Service[], crontab: readonly CronEntry[], log: Logger): YamlConfig | null {
  const file = readYamlConfig(configDir);
  if (file === null) {
    return null;
  }

  const yaml = rejectNameCollisions(file, legacyServices, crontab);
  for (const error of yaml.errors) {
    log.error(`invalid wingmate.yaml: ${error.message}`, { file: error.file, line: error.line });
  }
  for (const warning of yaml.warnings) {
    log.warn(`wingmate.yaml: ${warning.message}`, { file: warning.file, line: warning.line });
  }
  return yaml;
}

/** Turn services of wingmate.yaml into services of the init loop, each started by its command line. */
export function toServices(services: readonly YamlService[], helpers: HelperCommands, baseEnv: NodeJS.ProcessEnv): Service[] {
  return services.map((service) => {
    const launch = buildLaunch(service, helpers, baseEnv);
    return { name: service.name, command: launch.command, env: launch.env, cwd: launch.cwd, autorestart: service.autorestart };
  });
}

/** Map each cron job of wingmate.yaml to the process that runs it, for the scheduler's start function. */
export function toCronLaunches(jobs: readonly YamlCronEntry[], helpers: HelperCommands, baseEnv: NodeJS.ProcessEnv): Map<CronEntry, CronLaunch> {
  return new Map(jobs.map((job) => [job, buildLaunch(job, helpers, baseEnv)]));
}
