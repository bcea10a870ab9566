#!/usr/bin/env node
// wingmate: the PID 1 of a container. It starts every service of the configuration directory,
// restarts each one when it exits, runs the crontab, reaps orphaned zombies and stops everything
// cleanly on SIGTERM.

import { type CommandSpec, UsageError, parseCommandLine, reportUsageError } from './lib/cli';
import { scanConfig } from './lib/config/scan';
import { describeVariables, readWingmateEnv } from './lib/env';
import { EXIT_FAILURE, EXIT_OK } from './lib/exitcodes';
import { closeInheritedOnExec } from './lib/init/child';
import { Init } from './lib/init/init';
import { createLogger } from './lib/log';
import { runMain } from './lib/main';
import { VERSION } from './lib/version';

const SPEC: CommandSpec = {
  name: 'wingmate',
  usage: '[--config DIR]',
  summary: 'Start and supervise the services and cron jobs of a configuration directory, as the init of a container.',
  options: [{ long: 'config', short: 'c', value: 'DIR', help: 'configuration directory (default: $WINGMATE_CONFIG_PATH or /etc/wingmate)' }],
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
  try {
    env = readWingmateEnv(process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      return reportUsageError(SPEC, error);
    }
    throw error;
  }
  const log = createLogger(env.logLevel);
  const configDir = (args.options.get('config') as string | undefined) ?? env.configPath;
  log.info('wingmate starting', { pid: process.pid, version: VERSION, config: configDir });

  // Catch signals before anything else: a stop signal must not be lost, nor end wingmate.
  const init = new Init({ log, gracePeriodMs: env.shutdownTimeoutMs });
  init.catchSignals();

  // Reap orphans (as their subreaper when not PID 1).
  init.startReaping();

  // Keep descriptors inherited from wingmate's parent out of the services.
  closeInheritedOnExec();

  // Read the configuration directory.
  const config = scanConfig(configDir);
  for (const entry of config.skipped) {
    log.warn('skipped an entry of the service directory', { path: entry.path, reason: entry.reason });
  }
  if (config.services.length === 0 && config.crontab === null) {
    log.error(`nothing to run in ${configDir}: no executable file in ${config.serviceDir} and no ${configDir}/crontab`, { config: configDir });
    return EXIT_FAILURE;
  }

  // Start the services.
  init.startServices(config.services);
  if (config.crontab) {
    // TODO(until the cron scheduler is merged): start it here and register it with init.addRunner().
    log.warn('cron is not implemented yet; the crontab is ignored', { path: config.crontab });
  }

  // Run until a stop signal and the exit of every descendant.
  await init.stopped();
  log.info('wingmate exiting', { status: EXIT_OK });
  return EXIT_OK;
}

runMain(() => main(process.argv.slice(2)));
