// Process facts for wmpidproxy, about processes that are not its children: whether one still runs
// and when it started. Also signalling a single process, never a process group or every process.

import * as fs from 'node:fs';

import { LibcError, waitpid } from './libc';

/** The fields of /proc/PID/stat that the proxy uses (see proc(5)). */
export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), T, t, X (dead), I ... */
  state: string;
  ppid: number;
  /** Field 22, starttime: clock ticks after boot at which the process started. */
  startTicks: number;
}

/**
 * Parses the text of /proc/PID/stat. The command name (field 2) may contain spaces and
 * parentheses, so the other fields are counted from the last ')'. Returns null for malformed text.
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close === -1) {
    return null;
  }
  // After the name come field 3 (state), field 4 (ppid), ... field 22 (starttime).
  const fields = text.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (fields.length < 20 || !/^[A-Za-z]$/.test(fields[0]) || !Number.isInteger(ppid) || !Number.isInteger(startTicks)) {
    return null;
  }
  return { state: fields[0], ppid, startTicks };
}

/** Reads /proc/PID/stat; null when the process does not exist or /proc does not show it. */
export function readProcStat(pid: number | 'self'): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

export type Liveness = 'alive' | 'zombie' | 'gone';

/**
 * Tells whether process `pid` runs. kill(pid, 0) succeeding or failing with EPERM (a process of
 * another user) means it exists, but a zombie also passes that test, so its state in /proc decides.
 * NOTE: where /proc hides other users' processes (mount option hidepid), their zombies count as alive.
 */
export function checkLiveness(pid: number): Liveness {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') {
      return 'gone';
    }
    if (code !== 'EPERM') {
      throw error;
    }
  }

  const stat = readProcStat(pid);
  if (stat?.state === 'Z') {
    return 'zombie';
  }
  if (stat?.state === 'X') {
    return 'gone';
  }
  return 'alive';
}

/** Refuses a pid that would address a group or every process, init, or this process itself. */
export function assertSignalTarget(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) {
    throw new RangeError(`refusing to signal pid ${pid}: only a single process other than init and this one may be signalled`);
  }
}

/**
 * Sends `signal` to the single process `pid`; returns false when it no longer exists.
 * @throws RangeError for pids that assertSignalTarget refuses, and the system error for EPERM.
 */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  assertSignalTarget(pid);
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
    throw error;
  }
}

/**
 * Lists the pids of this process's children, from /proc/self/task/TID/children of every thread, or
 * by scanning /proc where the kernel lacks those files (built without CONFIG_PROC_CHILDREN).
 */
export function listChildren(): number[] {
  const fromTasks = readTaskChildren();
  if (fromTasks !== null) {
    return fromTasks;
  }
  const pids: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (/^\d+$/.test(entry) && readProcStat(Number(entry))?.ppid === process.pid) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function readTaskChildren(): number[] | null {
  const pids: number[] = [];
  let found = false;
  for (const task of safeReaddir('/proc/self/task')) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/self/task/${task}/children`, 'latin1');
    } catch {
      continue;
    }
    found = true;
    for (const word of text.split(' ')) {
      if (word !== '') {
        pids.push(Number(word));
      }
    }
  }
  return found ? pids : null;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Reaps every zombie child except those in `tracked` (children that Node's child_process waits for
 * itself: reaping one of them behind its back would lose its exit event). Orphans become children
 * of this process only when it is PID 1 or a child subreaper. Returns the pids reaped.
 */
export function reapZombieChildren(tracked: ReadonlySet<number>): number[] {
  const reaped: number[] = [];
  for (const pid of listChildren()) {
    if (tracked.has(pid) || readProcStat(pid)?.state !== 'Z') {
      continue;
    }
    try {
      if (waitpid(pid) !== null) {
        reaped.push(pid);
      }
    } catch (error) {
      // ECHILD: someone else reaped it between the two reads.
      if (!(error instanceof LibcError && error.code === 'ECHILD')) {
        throw error;
      }
    }
  }
  return reaped;
}
