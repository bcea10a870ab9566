// Finding the daemon through its pid file: a pid counts only when the process runs and did not start
// before the command, so that a file left from an earlier run is not taken for the new daemon.

import * as fs from 'node:fs';

import type { Logger } from './log';
import { readPidFile } from './pidfile';
import { checkLiveness, readProcStat } from './procinfo';

/** The result of one look at the pid file. */
export type Lookup =
  /** A running process that did not start before the command. */
  | { kind: 'daemon'; pid: number }
  /** No daemon yet. The `reason` explains why, for the message when the wait ends. */
  | { kind: 'waiting'; reason: string }
  /** The file contains something that is not a pid to follow. */
  | { kind: 'invalid'; message: string };

export class DaemonFinder {
  /** The start time, in clock ticks after boot, before which no process can be the daemon. */
  private earliestStartTicks = readProcStat('self')?.startTicks ?? null;
  private readonly staleLogged = new Set<number>();

  constructor(
    readonly pidFile: string,
    private readonly log: Logger,
  ) {}

  /**
   * Removes a pid file left from an earlier run. A restarted container keeps its file system, and
   * pids restart from 1 in a new PID namespace, so the old file can name a live process that is not
   * the new daemon. If the file cannot be removed, find() still rejects its pid by start time.
   */
  removeLeftover(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.pidFile, 'latin1');
      fs.unlinkSync(this.pidFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        this.log.warn('cannot remove the pid file left from an earlier run; pids in it are checked by process start time', { pidfile: this.pidFile, error: code });
      }
      return;
    }
    this.log.info('removed the pid file left from an earlier run', { pidfile: this.pidFile, content: text.slice(0, 40).trim() });
  }

  /**
   * Records the start time of the command, which starts the daemon and so started no later than
   * it. The command starts well after the proxy, which needs tens of milliseconds to load, so this
   * also rejects processes started just after the proxy, such as services started with it.
   */
  setCommandStarted(pid: number | undefined): void {
    const started = pid === undefined ? undefined : readProcStat(pid)?.startTicks;
    if (started !== undefined) {
      this.earliestStartTicks = started;
    }
  }

  /** Reads the pid file and judges the pid in it. */
  find(): Lookup {
    const content = readPidFile(this.pidFile);
    if (content.kind === 'missing' || content.kind === 'empty') {
      return { kind: 'waiting', reason: `${this.pidFile} has not been written` };
    }
    if (content.kind === 'invalid') {
      return content;
    }

    const pid = content.pid;
    if (pid === process.pid) {
      return { kind: 'invalid', message: `invalid pid file ${this.pidFile}: pid ${pid} is this wmpidproxy itself` };
    }
    const liveness = checkLiveness(pid);
    if (liveness !== 'alive') {
      return { kind: 'waiting', reason: `${this.pidFile} names pid ${pid}, which ${liveness === 'zombie' ? 'is a zombie' : 'does not run'}` };
    }
    if (this.startedTooEarly(pid)) {
      return { kind: 'waiting', reason: `${this.pidFile} names pid ${pid}, which started before the command` };
    }
    return { kind: 'daemon', pid };
  }

  // Start times are clock ticks after boot (field 22 of /proc/PID/stat, 10 ms each where USER_HZ
  // is 100). A process started in the same tick as the command counts as started with it.
  // NOTE: without a readable /proc/PID/stat the pid is trusted, so then only the removal of the
  // leftover file keeps an old pid out.
  private startedTooEarly(pid: number): boolean {
    const started = readProcStat(pid)?.startTicks;
    if (started === undefined || this.earliestStartTicks === null || started >= this.earliestStartTicks) {
      return false;
    }
    if (!this.staleLogged.has(pid)) {
      this.staleLogged.add(pid);
      this.log.warn('ignored a pid in the pid file: the process started before the command, so it is not the daemon', { pid, pidfile: this.pidFile });
    }
    return true;
  }
}
