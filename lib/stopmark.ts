// The mark that makes wingmate's shutdown visible to its descendants before it signals them. wingmate puts
// its pid in WINGMATE_PID for every child, and at the start of a shutdown renames its main thread,
// which /proc/PID/comm shows. wmpidproxy reads that name when it gets SIGTERM: if wingmate is
// stopping, its SIGTERM has reached the daemon too, and forwarding a second one would make many
// daemons stop at once instead of cleanly.

import * as fs from 'node:fs';

import { setThreadName } from './libc';

export const WINGMATE_PID_VARIABLE = 'WINGMATE_PID';
const STOPPING_NAME = 'wingmate-stop';

/** Marks this wingmate as stopping; call it before the first shutdown signal is sent. @throws LibcError */
export function markStopping(): void {
  setThreadName(STOPPING_NAME);
}

/** Tells whether the wingmate named by WINGMATE_PID in `env` has started its shutdown. */
export function isWingmateStopping(env: NodeJS.ProcessEnv = process.env): boolean {
  const pid = Number(env[WINGMATE_PID_VARIABLE]);
  if (!Number.isInteger(pid) || pid < 1) {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === STOPPING_NAME;
  } catch {
    return false;
  }
}
