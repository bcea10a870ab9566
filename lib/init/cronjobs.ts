// Runs the jobs of the crontab as children of wingmate, like services: output logged line by line
// (with `cron` set to the command as written), and the start, exit status and duration logged.

import type { CronEntry } from '../config/crontab';
import type { Logger } from '../log';
import { StartError, startChild } from './child';
import type { CronJob } from './cron';

/** Process to start for a job instead of its command with the crontab's variables. */
export interface CronLaunch {
  command: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts one run of `entry`. A job of wingmate.yaml passes `launch`, because its options change the
 * command line. `done` settles when the process has exited or failed to start.
 */
export function startCronJob(entry: CronEntry, log: Logger, launch?: CronLaunch): CronJob {
  const cron = entry.commandText;
  const env = entry.env.length === 0 ? process.env : { ...process.env, ...Object.fromEntries(entry.env) };
  const target = launch ?? { command: entry.command, env, cwd: undefined };

  const done = startChild({ ...target, sourceKey: 'cron', source: cron, log })
    .then(async (child) => {
      log.info('cron job started', { cron, pid: child.pid, line: entry.line });
      const exit = await child.exited;
      const fields = { cron, pid: exit.pid, duration_ms: exit.runtimeMs };
      if (exit.signal) {
        log.warn('cron job killed by a signal', { ...fields, signal: exit.signal });
      } else if (exit.code === 0) {
        log.info('cron job exited', { ...fields, status: 0 });
      } else {
        log.warn('cron job exited with an error status', { ...fields, status: exit.code });
      }
    })
    .catch((error: unknown) => {
      // A job that cannot start (ENOENT, EACCES, or wingmate stopping) is tried again at its next time.
      const message = error instanceof StartError ? error.message : String(error);
      log.error(`cron job failed to start: ${message}`, { cron, line: entry.line });
    });
  return { done };
}
