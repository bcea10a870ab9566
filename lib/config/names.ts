/**
 * Names of services and cron jobs across the configuration files. A name tags every log record of
 * its entry, so an entry of wingmate.yaml must not take a name that a legacy entry already has.
 * A service file is named by its path. A crontab line is named `FILE:LINE` and tags its records
 * with its command.
 */

import type { CronEntry } from './crontab';
import type { Service } from './scan';
import type { ConfigProblem, YamlConfig } from './yaml';
import { formatPath } from './yamlfields';

/** Name of a crontab line in listings: `/etc/wingmate/crontab:3`. */
export function crontabEntryName(entry: Pick<CronEntry, 'file' | 'line'>): string {
  return `${entry.file}:${entry.line}`;
}

/**
 * Return `config` without the entries whose names collide with a legacy entry, each reported as an
 * error. The legacy entries keep their names, because scripts and log filters already use them.
 */
export function rejectNameCollisions(config: YamlConfig, legacyServices: readonly Pick<Service, 'name'>[], crontab: readonly CronEntry[]): YamlConfig {
  const errors: ConfigProblem[] = [...config.errors];
  const serviceNames = new Set(legacyServices.map((service) => service.name));

  const services = config.services.filter((service) => {
    if (!serviceNames.has(service.name)) {
      return true;
    }
    errors.push({
      file: config.file,
      line: service.line,
      message: `${formatPath(['service', service.name])}: the name is already taken by the service file of that path; rename the entry`,
    });
    return false;
  });

  const cron = config.cron.filter((job) => {
    const message = cronCollision(job.name, crontab);
    if (message !== null) {
      errors.push({ file: config.file, line: job.line, message: `${formatPath(['cron', job.name])}: ${message}` });
    }
    return message === null;
  });

  return { ...config, services, cron, errors };
}

/** Describe how `name` collides with a crontab line, or return null when it does not. */
function cronCollision(name: string, crontab: readonly CronEntry[]): string | null {
  for (const entry of crontab) {
    if (crontabEntryName(entry) === name) {
      return `the name is already taken by line ${entry.line} of ${entry.file}; rename the entry`;
    }
    if (entry.commandText === name) {
      return (
        `the name equals the command of ${crontabEntryName(entry)}, which tags that job's log records; ` +
        'rename the entry so that the records of the two jobs can be told apart'
      );
    }
  }
  return null;
}
