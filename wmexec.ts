#!/usr/bin/env node
// wmexec: runs a command as another user and group and/or as a session leader, by replacing itself
// with the command (same pid).

import { type CommandSpec, type ParsedArgs, UsageError, parseCommandLine, reportUsageError } from './lib/cli';
import { CredentialsError, startSession, switchUser } from './lib/credentials';
import { describeVariables, readExecEnv } from './lib/env';
import { argumentBytes, describeExecFailure, environmentBytes, execCommand, setVariable } from './lib/exec';
import { EXIT_FAILURE } from './lib/exitcodes';
import type { Level } from './lib/log';
import { SyncLogger } from './lib/synclog';
import { type UserSpec, UserLookupError, parseUserSpec, readUserDatabase, resolveUser } from './lib/user';

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

interface Settings {
  logLevel: Level;
  user: UserSpec | undefined;
  setsid: boolean;
}

type RunArgs = Extract<ParsedArgs, { kind: 'run' }>;

// The flags win over WINGMATE_USER and WINGMATE_SETSID. @throws UsageError
function readSettings(args: RunArgs): Settings {
  const env = readExecEnv(process.env);
  const user = (args.options.get('user') as string | undefined) ?? env.user;
  const setsid = args.options.has('setsid') ? (args.options.get('setsid') as boolean) : env.setsid;
  if (args.command.length === 0) {
    throw new UsageError('missing COMMAND');
  }
  return { logLevel: env.logLevel, user: user === undefined ? undefined : parseUserSpec(user), setsid };
}

// Returns the command's words byte for byte, or as Node decoded them where /proc disagrees.
function commandBytes(argv: string[], args: RunArgs, log: SyncLogger): Buffer[] {
  const bytes = argumentBytes(argv);
  /* c8 ignore next 4 -- tested, but the run ends in a successful exec, which writes no coverage */
  if (bytes === undefined) {
    log.warn('/proc/self/cmdline does not match the arguments; passing them as Node decoded them, with invalid UTF-8 replaced');
    return args.command.map((word) => Buffer.from(word));
  }
  return bytes.slice(args.commandIndex);
}

// Runs the steps in order and returns only when one of them failed. @throws UserLookupError, CredentialsError
function execAs(argv: string[], args: RunArgs, settings: Settings, log: SyncLogger): number {
  // Read the command and the environment as bytes, and look the user up, before anything changes.
  const command = commandBytes(argv, args, log);
  let environment = environmentBytes();
  const target = settings.user && resolveUser(settings.user, readUserDatabase(), process.getgid!());

  // Start the session, then switch groups, gid and uid.
  if (settings.setsid) {
    startSession();
  }
  if (target) {
    switchUser(target);
    environment = setVariable(environment, 'HOME', target.home);
  }

  // Exec; this returns only when no candidate could be executed.
  log.debug('exec', { command: args.command[0], pid: process.pid, uid: target?.uid, gid: target?.gid, groups: target?.groups.join(' ') });
  const failure = execCommand(command, environment);
  log.error(describeExecFailure(command[0], failure), { status: failure.exitCode });
  return failure.exitCode;
}

function main(argv: string[]): number {
  const args = parseCommandLine(SPEC, argv);
  if (typeof args === 'number') {
    return args;
  }
  let settings: Settings;
  try {
    settings = readSettings(args);
  } catch (error) {
    if (error instanceof UsageError) {
      return reportUsageError(SPEC, error);
    }
    throw error;
  }

  const log = new SyncLogger(settings.logLevel);
  try {
    return execAs(argv, args, settings, log);
  } catch (error) {
    // Nothing has been run: an unknown name changes nothing, and a failed switch stops before exec.
    if (error instanceof UserLookupError || error instanceof CredentialsError) {
      log.error(error.message);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
