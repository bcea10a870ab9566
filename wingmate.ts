#!/usr/bin/env node
// wingmate: the PID 1 of a container. It starts every service of the configuration directory,
// restarts each one when it exits, runs the crontab, reaps orphaned zombies and stops everything
// cleanly on SIGTERM.

import { readCheckOptions, runCheck } from './lib/check';
import { type CommandSpec, UsageError, parseCommandLine, reportUsageError } from './lib/cli';
import { scanConfig } from './lib/config/scan';
import { describeVariables, readWingmateEnv } from './lib/env';
import { EXIT_FAILURE, EXIT_OK } from './lib/exitcodes';
import { createLogger } from './lib/log';
import { runMain } from './lib/main';
import { VERSION } from './lib/version';

const SPEC: CommandSpec = {
  name: 'wingmate',
  usage: '[--config DIR] [--check [--json] [--next N] [--from TIME] [--show-env]]',
  summary: 'Start and supervise the services and cron jobs of a configuration directory, as the init of a container.',
  options: [
    { long: 'config', short: 'c', value: 'DIR', help: 'configuration directory (default: $WINGMATE_CONFIG_PATH or /etc/wingmate)' },
    { long: 'check', help: 'read the configuration, print the services and cron entries, start nothing; exit 1 if anything is invalid' },
    { long: 'json', help: 'with --check: print one JSON object' },
    { long: 'next', value: 'N', help: 'with --check: list the next N start times of each cron entry (default 0)' },
    { long: 'from', value: 'TIME', help: 'with --check: compute start times from this RFC 3339 time instead of now' },
    { long: 'show-env', help: 'with --check: print the values of crontab variables, not only their names' },
  ],
  takesCommand: false,
  epilog: describeVariables('wingmate'),
};

async function main(argv: string[]): Promise<number> {
  // Parse the command line and the environment; both fail with a usage error.
  const args = parseCommandLine(SPEC, argv);
  if (typeof args === 'number') {
    return args;
  }
  let env;
  let check;
  try {
    env = readWingmateEnv(process.env);
    check = readCheckOptions(args.options, Date.now());
  } catch (error) {
    if (error instanceof UsageError) {
      return reportUsageError(SPEC, error);
    }
    throw error;
  }
  const configDir = (args.options.get('config') as string | undefined) ?? env.configPath;

  // With --check, report the configuration and start nothing.
  if (check) {
    return runCheck(scanConfig(configDir), check);
  }

  const log = createLogger(env.logLevel);
  log.info('wingmate starting', { pid: process.pid, version: VERSION, config: configDir });

  // Read the configuration directory.
  const config = scanConfig(configDir);
  for (const entry of config.skipped) {
    log.warn('skipped an entry of the service directory', { path: entry.path, reason: entry.reason });
  }
  if (config.services.length === 0 && config.crontab === null) {
    log.error(`nothing to run in ${configDir}: no executable file in ${config.serviceDir} and no ${configDir}/crontab`, { config: configDir });
    return EXIT_FAILURE;
  }

  // Report what would run.
  for (const service of config.services) {
    log.info('found service', { service: service.name });
  }
  if (config.crontab) {
    log.info('found crontab', { path: config.crontab });
  }
  return EXIT_OK;
}

runMain(() => main(process.argv.slice(2)));
