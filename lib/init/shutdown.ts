// The shutdown: one SIGTERM to every process that exists when it starts, a grace period, SIGKILL to
// whatever is left, and the end once no descendant of wingmate is left. Leaving earlier would let
// the PID namespace's teardown SIGKILL a descendant in the middle of its cleanup.

import type { Logger } from '../log';
import { markStopping } from '../stopmark';
import { type ProcessEntry, listDescendants } from './proc';

export interface ShutdownOptions {
  log: Logger;
  /** Time between SIGTERM and SIGKILL (WINGMATE_SHUTDOWN_TIMEOUT). */
  gracePeriodMs: number;
  /** Stops restarts and new cron jobs; called before any signal is sent. */
  stopStarting: () => void;
  /** This process's pid; only pid 1 signals with kill(-1). */
  pid?: number;
  sendSignal?: (pid: number, signal: NodeJS.Signals) => void;
  listDescendants?: () => ProcessEntry[];
  markStopping?: () => void;
  /** How often the process table is read again once SIGKILL has been sent. */
  killCheckMs?: number;
}

/**
 * Sends `signal` to `pid` with process.kill, but rejects a pid of 0 or less (a process group, or
 * every process) unless it is kill(-1) by the PID 1 of a namespace. @throws RangeError, or the errno of kill(2).
 */
export function killProcess(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0 && !(pid === -1 && process.pid === 1)) {
    throw new RangeError(`invalid pid ${pid} for ${signal}: only the PID 1 of a namespace may signal every process, and never a process group`);
  }
  process.kill(pid, signal);
}

type Phase = 'running' | 'grace' | 'killing' | 'done';

const DEFAULT_KILL_CHECK_MS = 100;

export class Shutdown {
  private phase: Phase = 'running';
  private graceTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private checkScheduled = false;
  /** Pids that have been sent SIGKILL. */
  private readonly killed = new Set<number>();
  private finished!: () => void;
  /** Resolves once the shutdown has started and no descendant is left. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));
  private readonly pid: number;
  private readonly sendSignal: (pid: number, signal: NodeJS.Signals) => void;
  private readonly listDescendants: () => ProcessEntry[];
  private readonly markStopping: () => void;

  constructor(private readonly options: ShutdownOptions) {
    this.pid = options.pid ?? process.pid;
    this.sendSignal = options.sendSignal ?? killProcess;
    this.listDescendants = options.listDescendants ?? (() => listDescendants(this.pid));
    this.markStopping = options.markStopping ?? markStopping;
  }

  get stopping(): boolean {
    return this.phase !== 'running';
  }

  /** Handles a stop signal: the first starts the shutdown, a second one ends the grace period. */
  onStopSignal(signal: NodeJS.Signals): void {
    const { log } = this.options;
    if (this.phase === 'running') {
      this.begin(signal);
    } else if (this.phase === 'grace') {
      log.warn('second stop signal: ending the grace period now', { signal });
      this.endGracePeriod();
    } else {
      log.info('stop signal received while waiting for the last processes', { signal });
    }
  }

  /** Looks again (in the next turn of the event loop) whether any descendant is left. */
  requestCheck(): void {
    if (this.phase === 'running' || this.phase === 'done' || this.checkScheduled) {
      return;
    }
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.check();
    });
  }

  private begin(signal: NodeJS.Signals): void {
    const { log, gracePeriodMs } = this.options;
    this.phase = 'grace';
    log.info('shutdown started', { signal, grace_period_ms: gracePeriodMs });

    // Descendants must be able to see that this is wingmate's shutdown before its SIGTERM arrives.
    try {
      this.markStopping();
    } catch (error) {
      log.warn('cannot mark wingmate as stopping; wmpidproxy may forward a second SIGTERM', { error: (error as Error).message });
    }
    this.options.stopStarting();

    const count = this.signalAll('SIGTERM');
    log.info('sent SIGTERM', { processes: count });
    this.graceTimer = setTimeout(() => this.endGracePeriod(), gracePeriodMs);
    this.check();
  }

  private endGracePeriod(): void {
    if (this.phase !== 'grace') {
      return;
    }
    const { log } = this.options;
    clearTimeout(this.graceTimer);
    this.phase = 'killing';
    const left = this.liveDescendants();
    log.warn('grace period ended', { processes_left: left.length });
    if (left.length > 0) {
      const count = this.signalAll('SIGKILL');
      log.warn('sent SIGKILL', { processes: count });
    }
    // A process forked while SIGKILL was being sent may have escaped it and sends no SIGCHLD here
    // (its parent does not exist any more), so the table is read on a timer until it is empty.
    this.killTimer = setInterval(() => this.check(), this.options.killCheckMs ?? DEFAULT_KILL_CHECK_MS);
    this.check();
  }

  private check(): void {
    if (this.phase === 'running' || this.phase === 'done') {
      return;
    }
    const left = this.listDescendants();
    if (left.length === 0) {
      this.finish();
      return;
    }
    if (this.phase === 'killing') {
      for (const entry of left) {
        if (this.isTarget(entry) && !this.killed.has(entry.pid)) {
          this.killed.add(entry.pid);
          this.trySignal(entry.pid, 'SIGKILL');
        }
      }
    }
  }

  private finish(): void {
    this.phase = 'done';
    clearTimeout(this.graceTimer);
    clearInterval(this.killTimer);
    this.options.log.info('all processes have exited');
    this.finished();
  }

  private liveDescendants(): ProcessEntry[] {
    return this.listDescendants().filter((entry) => this.isTarget(entry));
  }

  // Zombies have exited already; pids 1 and below and this process are never signalled one by one.
  private isTarget(entry: ProcessEntry): boolean {
    return entry.state !== 'Z' && entry.pid > 1 && entry.pid !== this.pid;
  }

  // As PID 1 of a PID namespace, kill(-1) reaches every process of the namespace at once. Anywhere
  // else it would reach every process the caller may signal (as root: the whole machine), so each
  // descendant is signalled by its own pid, never by process group.
  private signalAll(signal: NodeJS.Signals): number {
    const targets = this.liveDescendants();
    if (signal === 'SIGKILL') {
      for (const entry of targets) {
        this.killed.add(entry.pid);
      }
    }
    if (this.pid === 1) {
      this.trySignal(-1, signal);
      return targets.length;
    }
    let sent = 0;
    for (const entry of targets) {
      if (this.trySignal(entry.pid, signal)) {
        sent++;
      }
    }
    return sent;
  }

  // ESRCH (the process is already gone) is expected here and not an error.
  private trySignal(pid: number, signal: NodeJS.Signals): boolean {
    try {
      this.sendSignal(pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
        this.options.log.warn('cannot send a signal', { pid, signal, error: (error as Error).message });
      }
      return false;
    }
  }
}
