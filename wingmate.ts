#!/usr/bin/env node
// wingmate: the PID 1 of a container. It starts every service of the configuration directory,
// restarts each one when it exits, runs the crontab, reaps orphaned zombies and stops everything
// cleanly on SIGTERM.

import { readCheckOptions, readCrontab, runCheck } from './lib/check';
import { type CommandSpec, UsageError, parseCommandLine, reportUsageError } from './lib/cli';
import { scanConfig } from './lib/config/scan';
import { describeVariables, readWingmateEnv } from './lib/env';
import { EXIT_FAILURE, EXIT_OK } from './lib/exitcodes';
import { closeInheritedOnExec } from './lib/init/child';
import { CronScheduler } from './lib/init/cron';
import { startCronJob } from './lib/init/cronjobs';
import { Init } from './lib/init/init';
import { readYamlEntries, toCronLaunches, toServices } from './lib/init/yamlentries';
import { locateHelpers } from './lib/launch';
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
    { long: 'show-env', help: 'with --check: print the values of crontab variables and wingmate.yaml environ, not only their names' },
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

  // Catch signals before anything else: a stop signal must not be lost, nor end wingmate.
  const init = new Init({ log, gracePeriodMs: env.shutdownTimeoutMs });
  init.catchSignals();

  // Reap orphans (as their subreaper when not PID 1).
  init.startReaping();

  // Keep descriptors inherited from wingmate's parent out of the services.
  closeInheritedOnExec();

  // Read the configuration directory. A bad crontab line or wingmate.yaml entry is logged and
  // skipped; the rest loads.
  const config = scanConfig(configDir);
  for (const entry of config.skipped) {
    log.warn('skipped an entry of the service directory', { path: entry.path, reason: entry.reason });
  }
  const crontab = config.crontab === null ? { entries: [], errors: [] } : readCrontab(config.crontab);
  for (const error of crontab.errors) {
    log.error(`invalid crontab line skipped: ${error.message}`, { file: error.file, line: error.line });
  }
  const yaml = readYamlEntries(configDir, config.services, crontab.entries, log);
  const yamlServices = yaml?.services ?? [];
  const cronEntries = [...crontab.entries, ...(yaml?.cron ?? [])];
  if (config.services.length === 0 && yamlServices.length === 0 && cronEntries.length === 0) {
    const yamlText = yaml === null ? '' : `, and no valid entry in ${yaml.file}`;
    log.error(`nothing to run in ${configDir}: no executable file in ${config.serviceDir} and no valid job in ${configDir}/crontab${yamlText}`, { config: configDir });
    return EXIT_FAILURE;
  }

  // Start the services and the cron scheduler. wingmate.yaml entries run through wmpidproxy and
  // wmexec for their pidfile, user, group and setsid.
  const helpers = locateHelpers(process.env);
  for (const service of yamlServices.filter((entry) => !entry.autostart)) {
    log.info('service left stopped: autostart is false', { service: service.name });
  }
  init.startServices([...config.services, ...toServices(yamlServices.filter((entry) => entry.autostart), helpers, process.env)]);
  if (cronEntries.length > 0) {
    const launches = toCronLaunches(yaml?.cron ?? [], helpers, process.env);
    const scheduler = new CronScheduler(cronEntries, { start: (entry) => startCronJob(entry, log, launches.get(entry)), log });
    init.addRunner(scheduler);
    scheduler.start();
    log.info('cron started', { path: config.crontab, jobs: cronEntries.length });
  }

  // Run until a stop signal and the exit of every descendant.
  await init.stopped();
  log.info('wingmate exiting', { status: EXIT_OK });
  return EXIT_OK;
}

runMain(() => main(process.argv.slice(2)));
