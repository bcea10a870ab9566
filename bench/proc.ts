// Readers of /proc for the figures the benchmarks report: resident memory, CPU time and context
// switches of a process and of all its threads, and the processes of one PID namespace.

import * as fs from 'node:fs';

/** One process as /proc/PID/stat shows it, with the host pid. */
export interface ProcessStat {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
}

// USER_HZ: the unit of utime and stime in /proc/PID/stat. Linux fixes it at 100 on every
// architecture that this project runs on (see proc(5) and sysconf(_SC_CLK_TCK)).
const TICKS_PER_SECOND = 100;

/** Reads /proc/PID/stat, or returns null when the process is gone. */
export function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }

  // The name may contain spaces and parentheses, so the fields are counted after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/** Converts clock ticks to milliseconds. */
export function ticksToMs(ticks: number): number {
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Reads a `Name:  value` field of /proc/PID/status as a number, or NaN when it is missing. */
function readStatusField(file: string, field: string): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return Number.NaN;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** Resident memory of a process in KiB (VmRSS), or NaN when it is gone. */
export function readRssKiB(pid: number): number {
  return readStatusField(`/proc/${pid}/status`, 'VmRSS');
}

/**
 * Voluntary plus involuntary context switches summed over every thread of a process. Node runs
 * worker threads beside the main thread, so the process's own line would miss their wakeups.
 */
export function readContextSwitches(pid: number): number {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return Number.NaN;
  }
  let total = 0;
  for (const task of tasks) {
    const file = `/proc/${pid}/task/${task}/status`;
    const voluntary = readStatusField(file, 'voluntary_ctxt_switches');
    const involuntary = readStatusField(file, 'nonvoluntary_ctxt_switches');
    if (!Number.isNaN(voluntary) && !Number.isNaN(involuntary)) {
      total += voluntary + involuntary;
    }
  }
  return total;
}

/** Returns the identity of a process's PID namespace (`pid:[4026532...]`), or null when it is gone. */
export function pidNamespaceOf(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** Lists every process of the machine, by host pid. */
export function listProcesses(): ProcessStat[] {
  const result: ProcessStat[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) {
      const stat = readProcessStat(Number(entry));
      if (stat) {
        result.push(stat);
      }
    }
  }
  return result;
}

/** Lists every process whose PID namespace is `namespace`. */
export function listNamespace(namespace: string): ProcessStat[] {
  return listProcesses().filter((proc) => pidNamespaceOf(proc.pid) === namespace);
}

// The processes that supervise on behalf of an init: runit's runsv and s6's s6-supervise (one per
// service), and the script that starts the services under tini and dumb-init.
const HELPER_NAMES = new Set(['runsv', 's6-supervise', 'launcher']);

/**
 * Selects the init's own processes in a namespace: PID 1 (given by host pid) and its helpers.
 * Services, whatever they started, and orphans are left out.
 */
export function initTree(processes: readonly ProcessStat[], pid1: number): ProcessStat[] {
  return processes.filter((proc) => proc.pid === pid1 || HELPER_NAMES.has(proc.comm));
}

/** Reads the command line of a process, arguments separated by spaces, or '' when it is gone. */
export function readCommandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}
