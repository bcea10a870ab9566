/**
 * Cron scheduler core: runs @reboot entries once, then wakes just after each wall-clock minute
 * begins and starts the entries that the clock-change rules (cronclock.ts) make due. Spawning,
 * output and the log format belong to the caller, through CronDeps.
 */

import { MINUTE_MS } from '../config/cronnext';
import type { CronEntry } from '../config/crontab';
import { type ClockCheck, type ClockState, checkClock, startClock } from './cronclock';

/** Delay after a minute boundary before waking, so that the new minute has surely begun. */
export const WAKE_MARGIN_MS = 5;

/** Levelled log sink; `fields` become extra fields of the record. */
export interface CronLog {
  debug(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  error(message: string, fields?: object): void;
}

/** Pending timer. */
export interface CronTimer {
  cancel(): void;
}

/** Running job; `done` settles when the job's process has exited. */
export interface CronJob {
  done: Promise<void>;
}

/** Services of the init loop that the scheduler uses, injected so that tests control time. */
export interface CronDeps {
  /** Wall clock in milliseconds since the epoch. */
  now(): number;
  setTimer(fn: () => void, ms: number): CronTimer;
  /** Start a job; returns null if it could not be started (and has logged why). */
  start(entry: CronEntry): CronJob | null;
  log: CronLog;
}

/** Dependencies with the wall clock and timers defaulting to Date.now and setTimeout. */
export type CronOptions = Pick<CronDeps, 'start' | 'log'> & Partial<CronDeps>;

/** Runs the entries of a crontab at their times, following the wall clock. */
export class CronScheduler {
  private readonly deps: CronDeps;
  private readonly reboot: readonly CronEntry[];
  private readonly timed: readonly CronEntry[];
  private readonly running = new Set<CronEntry>();
  private clock: ClockState | null = null;
  private timer: CronTimer | null = null;
  private started = false;
  private stopped = false;

  constructor(entries: readonly CronEntry[], options: CronOptions) {
    this.deps = {
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const handle = setTimeout(fn, ms);
        return { cancel: () => clearTimeout(handle) };
      },
      ...options,
    };
    this.reboot = entries.filter((entry) => entry.reboot);
    this.timed = entries.filter((entry) => entry.spec !== null);
  }

  /** Run the @reboot entries once and start following the clock; later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) {
      return;
    }
    this.started = true;

    for (const entry of this.reboot) {
      this.run(entry);
    }

    // Without timed entries no timer is needed, and none keeps the process alive.
    if (this.timed.length > 0) {
      this.clock = startClock(this.deps.now());
      this.sleep();
    }
  }

  /** Start no more jobs and cancel the timer. Running jobs are left to the caller. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Sleep until just after the next minute boundary: at most a minute and WAKE_MARGIN_MS. Node
   * timers run on a monotonic clock, so a longer sleep would miss a step of the wall clock, and
   * setTimeout fires at once for a delay over 2^31-1 ms (about 24.8 days).
   */
  private sleep(): void {
    const now = this.deps.now();
    const intoMinute = ((now % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
    this.timer = this.deps.setTimer(() => this.wake(), MINUTE_MS - intoMinute + WAKE_MARGIN_MS);
  }

  private wake(): void {
    this.timer = null;
    if (this.stopped || this.clock === null) {
      return;
    }

    // null: still in the minute of the last check (an early wake-up), so sleep again.
    const check = checkClock(this.clock, this.deps.now(), this.timed);
    if (check !== null) {
      this.clock = check.state;
      this.logClockStep(check);
      for (const entry of check.due) {
        this.run(entry);
      }
    }

    if (!this.stopped) {
      this.sleep();
    }
  }

  /** Start an entry unless its previous run is still going. */
  private run(entry: CronEntry): void {
    if (this.stopped) {
      return;
    }
    if (this.running.has(entry)) {
      this.deps.log.warn('skipping this run: the previous run is still going', { cron: entry.commandText });
      return;
    }

    let job: CronJob | null;
    try {
      job = this.deps.start(entry);
    } catch (error) {
      this.deps.log.error(`cron job failed to start: ${(error as Error).message}`, { cron: entry.commandText });
      return;
    }
    if (job === null) {
      return;
    }

    this.running.add(entry);
    const finish = (): void => {
      this.running.delete(entry);
    };
    job.done.then(finish, finish);
  }

  private logClockStep(check: ClockCheck<CronEntry>): void {
    const minutes = check.jumpMinutes;
    if (minutes === 0) {
      return;
    }

    const log = this.deps.log;
    if (check.step === 'jump') {
      log.warn('wall clock moved 3 hours or more; taking the new time as is', { minutes });
    } else if (check.step === 'forward') {
      log.info('wall clock moved forward; running the fixed-time jobs of the skipped minutes once', { minutes });
    } else if (minutes < 0) {
      log.info('wall clock moved back; fixed-time jobs will not run again for minutes already handled', { minutes });
    } else {
      log.debug('woke up late; running the jobs of the missed minutes', { minutes });
    }
  }
}
