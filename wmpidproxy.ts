#!/usr/bin/env node
// wmpidproxy: stands in the foreground for a daemon that forks into the background and writes a pid
// file, so that wingmate can supervise and restart it.

import { type CommandSpec, parseCommandLine } from './lib/cli';
import { describeVariables } from './lib/env';
import { EXIT_FAILURE } from './lib/exitcodes';
import { runMain } from './lib/main';

const SPEC: CommandSpec = {
  name: 'wmpidproxy',
  usage: '--pid-file FILE -- COMMAND [ARGS...]',
  summary: 'Start COMMAND, which forks a daemon that writes FILE, and run until that daemon exits.',
  options: [{ long: 'pid-file', short: 'p', value: 'FILE', help: 'pid file that the daemon writes (required)' }],
  takesCommand: true,
  epilog: describeVariables('wmpidproxy'),
};

function main(argv: string[]): number {
  const args = parseCommandLine(SPEC, argv);
  if (typeof args === 'number') {
    return args;
  }
  process.stderr.write('wmpidproxy: not implemented yet\n');
  return EXIT_FAILURE;
}

runMain(() => main(process.argv.slice(2)));
