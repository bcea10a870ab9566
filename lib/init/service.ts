// One supervised service: started, logged, and started again whenever its process exits, until
// wingmate stops.

import type { Service } from '../config/scan';
import type { Fields, Logger } from '../log';
import { type ChildOptions, type ExitInfo, type RunningChild, StartError, startChild } from './child';

/** A run shorter than this is followed by RESTART_DELAY_MS of waiting, so a crashing service does not spin. */
export const MIN_RUN_MS = 1000;
export const RESTART_DELAY_MS = 1000;

export type StartFunction = (options: ChildOptions) => Promise<RunningChild>;

export class SupervisedService {
  private child: RunningChild | null = null;
  private stopping = false;
  private delay: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private loop: Promise<void> | null = null;
  /** Number of starts, including failed ones. */
  starts = 0;

  constructor(
    readonly service: Service,
    private readonly log: Logger,
    private readonly start: StartFunction = startChild,
  ) {}

  /** The pid of the running process, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the supervision loop; it ends once stop() is called and the process has exited. */
  run(): Promise<void> {
    this.loop ??= this.supervise();
    return this.loop;
  }

  /** Stops restarting; the running process (if any) is left to the shutdown to signal. */
  stop(): void {
    this.stopping = true;
    if (this.delay) {
      clearTimeout(this.delay.timer);
      this.delay.wake();
    }
  }

  /** Sends `signal` to the running process; returns whether there was one to send it to. */
  signal(signal: NodeJS.Signals): boolean {
    return this.child?.kill(signal) ?? false;
  }

  private async supervise(): Promise<void> {
    while (!this.stopping) {
      const child = await this.startOnce();
      if (child === null) {
        await this.wait(RESTART_DELAY_MS);
        continue;
      }

      this.child = child;
      const exit = await child.exited;
      this.child = null;
      this.logExit(exit);

      if (this.service.autorestart === false) {
        if (!this.stopping) {
          this.log.info('service not restarted: autorestart is false', this.fields());
        }
        return;
      }
      if (exit.runtimeMs < MIN_RUN_MS && !this.stopping) {
        this.log.info('restart delayed: the service ran under 1 s', { ...this.fields(), delay_ms: RESTART_DELAY_MS });
        await this.wait(RESTART_DELAY_MS);
      }
    }
  }

  // Starts the process once; a start failure is logged and returns null.
  private async startOnce(): Promise<RunningChild | null> {
    this.starts++;
    try {
      const child = await this.start({
        command: this.service.command,
        env: this.service.env,
        cwd: this.service.cwd,
        sourceKey: 'service',
        source: this.service.name,
        log: this.log,
      });
      this.log.info('service started', { ...this.fields(), pid: child.pid });
      return child;
    } catch (error) {
      if (!(error instanceof StartError)) {
        throw error;
      }
      if (!this.stopping) {
        this.log.error('service failed to start, retrying in 1 s', { ...this.fields(), error: error.message, errno: error.code, attempt: this.starts });
      }
      return null;
    }
  }

  private logExit(exit: ExitInfo): void {
    const fields: Fields = { ...this.fields(), pid: exit.pid, runtime_ms: exit.runtimeMs };
    if (exit.signal !== null) {
      fields.signal = exit.signal;
    } else {
      fields.status = exit.code;
    }
    const expected = exit.code === 0 || (this.stopping && exit.signal !== null);
    if (expected) {
      this.log.info('service exited', fields);
    } else {
      this.log.warn('service exited', fields);
    }
  }

  private fields(): Fields {
    return { service: this.service.name };
  }

  private wait(ms: number): Promise<void> {
    if (this.stopping) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        this.delay = null;
        resolve();
      };
      this.delay = { timer: setTimeout(wake, ms), wake };
    });
  }
}
