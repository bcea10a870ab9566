// The command line that starts an entry of wingmate.yaml. The options that wmpidproxy and wmexec
// implement (pidfile, user, group, setsid) are not implemented a second time here. Instead those
// commands run in front of the entry's own: `wmpidproxy --pid-file F -- wmexec --user U:G -- CMD`.

import * as path from 'node:path';

import type { StartOptions } from './config/yaml';
import { readHelperPathsEnv } from './env';

/** Program and leading arguments of wmpidproxy and of wmexec. */
export interface HelperCommands {
  pidproxy: string[];
  exec: string[];
}

/** Settings of an entry that decide how it starts. */
export interface LaunchSettings extends StartOptions {
  command: string[];
  env: [string, string][];
  /** Services only. */
  pidfile?: string | null;
  startsecs?: number | null;
}

/** The process to start for an entry: the whole command line, its environment and directory. */
export interface Launch {
  command: string[];
  env: NodeJS.ProcessEnv;
  /** Undefined: wingmate's own working directory. */
  cwd: string | undefined;
}

// wmexec reads these when its options are absent. They are meant for service scripts that call
// wmexec themselves, so they must not change an entry that wingmate runs through wmexec.
const EXEC_VARIABLES = ['WINGMATE_USER', 'WINGMATE_SETSID'];

/**
 * Locate wmpidproxy and wmexec: WINGMATE_PIDPROXY_PATH and WINGMATE_EXEC_PATH, or else the scripts
 * of the same installation as this file (`dist/wmpidproxy.js` beside `dist/wingmate.js`), run by the
 * Node.js that runs wingmate.
 */
export function locateHelpers(env: NodeJS.ProcessEnv, bundleDir: string = path.resolve(__dirname, '..')): HelperCommands {
  const paths = readHelperPathsEnv(env);
  return {
    pidproxy: paths.pidproxyPath === undefined ? [process.execPath, path.join(bundleDir, 'wmpidproxy.js')] : [paths.pidproxyPath],
    exec: paths.execPath === undefined ? [process.execPath, path.join(bundleDir, 'wmexec.js')] : [paths.execPath],
  };
}

/** Build the command line, environment and working directory that start an entry. */
export function buildLaunch(entry: LaunchSettings, helpers: HelperCommands, baseEnv: NodeJS.ProcessEnv): Launch {
  const command: string[] = [];
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const [name, value] of entry.env) {
    env[name] = value;
  }

  if (entry.pidfile) {
    command.push(...helpers.pidproxy, '--pid-file', entry.pidfile, '--');
    if (entry.startsecs !== null && entry.startsecs !== undefined) {
      env.WINGMATE_STARTSECS = formatSeconds(entry.startsecs);
    }
  }

  if (entry.user !== null || entry.setsid) {
    command.push(...helpers.exec, ...execOptions(entry), '--');
    for (const name of EXEC_VARIABLES) {
      delete env[name];
    }
  }

  command.push(...entry.command);
  return { command, env, cwd: entry.workingDir ?? undefined };
}

function execOptions(entry: StartOptions): string[] {
  const options: string[] = [];
  if (entry.user !== null) {
    options.push('--user', entry.group === null ? entry.user : `${entry.user}:${entry.group}`);
  }
  if (entry.setsid) {
    options.push('--setsid');
  }
  return options;
}

/** Write seconds the way WINGMATE_STARTSECS takes them: digits with at most 3 decimals, never `1e-7`. */
function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}
