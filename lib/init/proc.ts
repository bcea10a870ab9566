// Reads the process table from /proc: this process's children (for the reaper) and all its
// descendants (for the shutdown).

import * as fs from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** One letter from /proc/PID/stat: R, S, D, Z (zombie), T, ... */
  state: string;
}

/** Reads pid, parent pid and state from /proc/PID/stat; null when the process is gone. */
export function readProcessEntry(pid: number): ProcessEntry | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The name in parentheses may contain spaces and ')', so the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 2);
  return { pid, state: fields[0], ppid: Number(fields[1]) };
}

/** Reads every process in /proc. */
export function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) {
      continue;
    }
    const entry = readProcessEntry(pid);
    if (entry) {
      entries.push(entry);
    }
  }
  return entries;
}

/**
 * Lists the descendants of `rootPid` by following parent links through the whole process table,
 * so that processes in other sessions and orphans adopted by a subreaper are included. Zombies are
 * included: they are gone only once reaped.
 */
export function listDescendants(rootPid: number, processes: ProcessEntry[] = listProcesses()): ProcessEntry[] {
  const childrenOf = new Map<number, ProcessEntry[]>();
  for (const entry of processes) {
    const siblings = childrenOf.get(entry.ppid);
    if (siblings) {
      siblings.push(entry);
    } else {
      childrenOf.set(entry.ppid, [entry]);
    }
  }

  const descendants: ProcessEntry[] = [];
  const queue = [rootPid];
  const seen = new Set(queue);
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.pop()!) ?? []) {
      if (!seen.has(child.pid)) {
        seen.add(child.pid);
        descendants.push(child);
        queue.push(child.pid);
      }
    }
  }
  return descendants;
}

/**
 * Returns a function that lists the pids of this process's children. It reads the kernel's
 * per-thread children files when the kernel has them (CONFIG_PROC_CHILDREN). Otherwise it scans the
 * whole of /proc for processes whose parent is this one.
 */
export function childrenLister(pid = process.pid): () => number[] {
  if (fs.existsSync(`/proc/${pid}/task/${pid}/children`)) {
    return () => readChildrenFiles(pid);
  }
  return () => listProcesses().filter((entry) => entry.ppid === pid).map((entry) => entry.pid);
}

// Orphans are given to a live thread of the reaper, usually the main one, so every thread's list is read.
function readChildrenFiles(pid: number): number[] {
  const pids: number[] = [];
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return pids;
  }
  for (const thread of threads) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${thread}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const word of text.split(' ')) {
      if (word !== '') {
        pids.push(Number(word));
      }
    }
  }
  return pids;
}
