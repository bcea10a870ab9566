// Every environment variable the three commands read, validated in one place. An invalid value is a
// usage error that names the variable and the value.

import { UsageError, parseGoBool } from './cli';
import { LEVELS, type Level } from './log';

type CommandName = 'wingmate' | 'wmpidproxy' | 'wmexec';

export interface VariableSpec {
  name: string;
  readBy: CommandName[];
  meaning: string;
  default: string;
}

/** The complete list, in the order of the README's table. */
export const VARIABLES: readonly VariableSpec[] = [
  { name: 'WINGMATE_CONFIG_PATH', readBy: ['wingmate'], meaning: 'configuration directory (the --config flag wins)', default: '/etc/wingmate' },
  { name: 'WINGMATE_LOG_LEVEL', readBy: ['wingmate', 'wmpidproxy', 'wmexec'], meaning: "debug, info, warn or error: filters the commands' own records, never a child's output", default: 'info' },
  { name: 'WINGMATE_SHUTDOWN_TIMEOUT', readBy: ['wingmate'], meaning: 'grace period in seconds between SIGTERM and SIGKILL at shutdown', default: '5' },
  { name: 'WINGMATE_STARTSECS', readBy: ['wmpidproxy'], meaning: 'seconds to wait after starting the command before the first pid check', default: '1' },
  { name: 'WINGMATE_PIDFILE_TIMEOUT', readBy: ['wmpidproxy'], meaning: 'seconds after WINGMATE_STARTSECS to wait for a fresh pid file', default: '10' },
  { name: 'WINGMATE_STOP_TIMEOUT', readBy: ['wmpidproxy'], meaning: 'seconds to wait for the daemon after a stop signal before SIGKILL', default: '4' },
  { name: 'WINGMATE_USER', readBy: ['wmexec'], meaning: 'same as --user when the flag is absent', default: '' },
  { name: 'WINGMATE_SETSID', readBy: ['wmexec'], meaning: 'same as --setsid when the flag is absent (1 t T TRUE true True / 0 f F FALSE false False)', default: 'false' },
  { name: 'WINGMATE_PIDPROXY_PATH', readBy: ['wingmate'], meaning: 'wmpidproxy program that runs a wingmate.yaml service with a pidfile', default: 'the wmpidproxy installed with wingmate' },
  { name: 'WINGMATE_EXEC_PATH', readBy: ['wingmate'], meaning: 'wmexec program that runs a wingmate.yaml entry with user, group or setsid', default: 'the wmexec installed with wingmate' },
];

type Env = Record<string, string | undefined>;

/** Lists the variables a command reads, for its --help text. */
export function describeVariables(command: CommandName): string {
  const rows = VARIABLES.filter((variable) => variable.readBy.includes(command));
  const width = Math.max(...rows.map((variable) => variable.name.length));
  const lines = rows.map((variable) => {
    const fallback = variable.default === '' ? 'unset' : `default ${variable.default}`;
    return `  ${variable.name.padEnd(width)}  ${variable.meaning} (${fallback})`;
  });
  return `environment:\n${lines.join('\n')}`;
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads a non-negative number of seconds (decimals allowed) and returns milliseconds. @throws UsageError */
export function readSeconds(env: Env, name: string, defaultSeconds: number): number {
  const value = raw(env, name);
  if (value === undefined) {
    return defaultSeconds * 1000;
  }
  const trimmed = value.trim();
  const seconds = /^\d+(\.\d+)?$|^\.\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds > 2_000_000) {
    throw new UsageError(`invalid ${name} "${value}": expected a number of seconds such as 5 or 0.5`);
  }
  return Math.round(seconds * 1000);
}

/** @throws UsageError */
export function readLogLevel(env: Env): Level {
  const value = raw(env, 'WINGMATE_LOG_LEVEL');
  if (value === undefined) {
    return 'info';
  }
  const level = value.toLowerCase() as Level;
  if (!LEVELS.includes(level)) {
    throw new UsageError(`invalid WINGMATE_LOG_LEVEL "${value}": use one of ${LEVELS.join(', ')}`);
  }
  return level;
}

/** @throws UsageError */
export function readBool(env: Env, name: string): boolean {
  const value = raw(env, name);
  if (value === undefined) {
    return false;
  }
  const parsed = parseGoBool(value);
  if (parsed === undefined) {
    throw new UsageError(`invalid ${name} "${value}": use true or false (1 t T TRUE true True / 0 f F FALSE false False)`);
  }
  return parsed;
}

export interface WingmateEnv {
  configPath: string;
  logLevel: Level;
  shutdownTimeoutMs: number;
}

/** @throws UsageError */
export function readWingmateEnv(env: Env): WingmateEnv {
  return {
    configPath: raw(env, 'WINGMATE_CONFIG_PATH') ?? '/etc/wingmate',
    logLevel: readLogLevel(env),
    shutdownTimeoutMs: readSeconds(env, 'WINGMATE_SHUTDOWN_TIMEOUT', 5),
  };
}

export interface PidproxyEnv {
  logLevel: Level;
  startMs: number;
  pidfileTimeoutMs: number;
  stopTimeoutMs: number;
}

/** @throws UsageError */
export function readPidproxyEnv(env: Env): PidproxyEnv {
  return {
    logLevel: readLogLevel(env),
    startMs: readSeconds(env, 'WINGMATE_STARTSECS', 1),
    pidfileTimeoutMs: readSeconds(env, 'WINGMATE_PIDFILE_TIMEOUT', 10),
    stopTimeoutMs: readSeconds(env, 'WINGMATE_STOP_TIMEOUT', 4),
  };
}

export interface ExecEnv {
  logLevel: Level;
  user: string | undefined;
  setsid: boolean;
}

/** @throws UsageError */
export function readExecEnv(env: Env): ExecEnv {
  return {
    logLevel: readLogLevel(env),
    user: raw(env, 'WINGMATE_USER'),
    setsid: readBool(env, 'WINGMATE_SETSID'),
  };
}

export interface HelperPathsEnv {
  /** WINGMATE_PIDPROXY_PATH, or undefined when unset or empty. */
  pidproxyPath: string | undefined;
  /** WINGMATE_EXEC_PATH, or undefined when unset or empty. */
  execPath: string | undefined;
}

/** Read the locations of the helper commands that wingmate runs in front of wingmate.yaml entries. */
export function readHelperPathsEnv(env: Env): HelperPathsEnv {
  return { pidproxyPath: raw(env, 'WINGMATE_PIDPROXY_PATH'), execPath: raw(env, 'WINGMATE_EXEC_PATH') };
}
