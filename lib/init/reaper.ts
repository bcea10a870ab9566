// Reaps the zombies of orphans. A process whose parent exits is given to PID 1 or to the nearest
// child subreaper, and it stays a zombie until that process waits for it. Node only waits for the
// children it spawned, so wingmate waits for the others here, one pid at a time, because
// waitpid(-1) would also take the exit status of a child that libuv is about to report.

import { LibcError, peekExitedChild, reapIfExited } from '../libc';
import type { Logger } from '../log';
import { isTracked } from './child';
import { childrenLister } from './proc';

export interface ReaperOptions {
  /** Lists this process's children (default: from /proc). */
  listChildren?: () => number[];
  /** Whether libuv waits for `pid` itself. */
  isTracked?: (pid: number) => boolean;
  /** Reaps `pid` if it has exited; returns whether it did. */
  reap?: (pid: number) => boolean;
  /** Returns the pid of an exited child without reaping it, or 0 when none has exited. */
  peek?: () => number;
}

export class Reaper {
  private scheduled = false;
  private readonly listeners = new Set<() => void>();
  private readonly listChildren: () => number[];
  private readonly isTracked: (pid: number) => boolean;
  private readonly reap: (pid: number) => boolean;
  private readonly peek: () => number;
  private readonly onSignal = () => this.schedule();
  /** Zombies reaped so far. */
  reaped = 0;

  constructor(
    private readonly log: Logger,
    options: ReaperOptions = {},
  ) {
    this.listChildren = options.listChildren ?? childrenLister();
    this.isTracked = options.isTracked ?? isTracked;
    this.reap = options.reap ?? reapIfExited;
    this.peek = options.peek ?? peekChild;
  }

  /** Reaps on every SIGCHLD from now on, and once right away for orphans that came before. */
  start(): void {
    process.on('SIGCHLD', this.onSignal);
    this.schedule();
  }

  stop(): void {
    process.off('SIGCHLD', this.onSignal);
  }

  /** Calls `listener` after every reaping pass, whether or not it found a zombie. */
  onPass(listener: () => void): void {
    this.listeners.add(listener);
  }

  // Signals that arrive together (SIGCHLD is not queued, and many exits may come at once) are
  // handled by one pass, after libuv has taken its own children's exits in the same turn.
  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.reapAll();
        for (const listener of this.listeners) {
          listener();
        }
      });
    }
  }

  /** Waits for every untracked child that has exited; returns how many were reaped. */
  reapAll(): number {
    const count = this.reapPeeked() + this.reapListed();
    if (count > 0) {
      this.reaped += count;
      this.log.debug('reaped orphans', { count, total: this.reaped });
    }
    return count;
  }

  // The fast path, one call per zombie: the kernel names an exited child, and an untracked one is
  // reaped by its pid. It stops at the first tracked zombie, which libuv has yet to wait for and
  // which the kernel would name again and again.
  private reapPeeked(): number {
    let count = 0;
    for (;;) {
      const pid = this.peek();
      if (pid <= 0 || this.isTracked(pid) || !this.reap(pid)) {
        return count;
      }
      count++;
    }
  }

  // The full pass, one call per child: it finds the zombies that a tracked zombie hides from the
  // fast path. When the fast path has emptied the table, the peek returns 0 and this pass is skipped.
  private reapListed(): number {
    if (this.peek() === 0) {
      return 0;
    }
    let count = 0;
    for (const pid of this.listChildren()) {
      if (!this.isTracked(pid) && this.reap(pid)) {
        count++;
      }
    }
    return count;
  }
}

// No child at all (ECHILD) is the same as no exited child here.
function peekChild(): number {
  try {
    return peekExitedChild();
  } catch (error) {
    if (error instanceof LibcError && error.code === 'ECHILD') {
      return 0;
    }
    throw error;
  }
}
