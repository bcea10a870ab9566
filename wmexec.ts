#!/usr/bin/env node
// wmexec: runs a command as another user and group and/or as a session leader, by replacing itself
// with the command (same pid).

import { type CommandSpec, parseCommandLine } from './lib/cli';
import { describeVariables } from './lib/env';
import { EXIT_FAILURE } from './lib/exitcodes';

const SPEC: CommandSpec = {
  name: 'wmexec',
  usage: '[--user USER[:GROUP]] [--setsid] -- COMMAND [ARGS...]',
  summary: 'Replace this process with COMMAND, after starting a new session and/or switching user and group.',
  options: [
    { long: 'user', short: 'u', value: 'USER[:GROUP]', help: 'user and optionally group to run as, by name or number' },
    { long: 'setsid', short: 's', help: 'start a new session with the command as its leader' },
  ],
  takesCommand: true,
  epilog: describeVariables('wmexec'),
};

function main(argv: string[]): number {
  const args = parseCommandLine(SPEC, argv);
  if (typeof args === 'number') {
    return args;
  }
  process.stderr.write('wmexec: not implemented yet\n');
  return EXIT_FAILURE;
}

process.exitCode = main(process.argv.slice(2));
