#!/usr/bin/env node
// wmpidproxy: runs in the foreground in place of a daemon that forks into the background and writes a pid
// file, so that wingmate can supervise and restart it.

import { type CommandSpec, UsageError, parseCommandLine, reportUsageError } from './lib/cli';
import { describeVariables, readPidproxyEnv } from './lib/env';
import { createLogger } from './lib/log';
import { runMain } from './lib/main';
import { PidProxy, RELOAD_SIGNALS, STOP_SIGNALS } from './lib/pidproxy';

const SPEC: CommandSpec = {
  name: 'wmpidproxy',
  usage: '--pid-file FILE -- COMMAND [ARGS...]',
  summary: 'Start COMMAND, which forks a daemon that writes FILE, and run until that daemon exits.',
  options: [{ long: 'pid-file', short: 'p', value: 'FILE', help: 'pid file that the daemon writes (required)' }],
  takesCommand: true,
  epilog: describeVariables('wmpidproxy'),
};

async function main(argv: string[]): Promise<number> {
  // Parse the command line and the environment; both fail with a usage error.
  const args = parseCommandLine(SPEC, argv);
  if (typeof args === 'number') {
    return args;
  }
  let env;
  let pidFile;
  try {
    pidFile = args.options.get('pid-file');
    if (typeof pidFile !== 'string' || pidFile === '') {
      throw new UsageError('missing --pid-file FILE');
    }
    if (args.command.length === 0) {
      throw new UsageError('missing COMMAND to start');
    }
    env = readPidproxyEnv(process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      return reportUsageError(SPEC, error);
    }
    throw error;
  }

  // Listen for stop and reload signals before the command starts, so that none is lost.
  const proxy = new PidProxy({ pidFile, command: args.command, ...env, log: createLogger(env.logLevel) });
  for (const signal of [...STOP_SIGNALS, ...RELOAD_SIGNALS]) {
    process.on(signal, () => proxy.onSignal(signal));
  }

  // Start the command and follow its daemon until it is gone or stopped.
  return proxy.run();
}

runMain(() => main(process.argv.slice(2)));
