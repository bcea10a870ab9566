// The init: signals, reaping, the services and the shutdown, tied together. wingmate.ts calls these
// steps in order.

import type { Service } from '../config/scan';
import { LibcError, setChildSubreaper } from '../libc';
import type { Logger } from '../log';
import { onTrackedExit, refuseNewChildren } from './child';
import { Reaper } from './reaper';
import { SupervisedService } from './service';
import { Shutdown } from './shutdown';
import { installSignalHandlers } from './signals';

// The maximum delay of a Node timer (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Anything else that starts children and must stop starting them at shutdown, such as the cron scheduler. */
export interface Runner {
  stop(): void;
}

export interface InitOptions {
  log: Logger;
  /** Grace period between SIGTERM and SIGKILL (WINGMATE_SHUTDOWN_TIMEOUT). */
  gracePeriodMs: number;
}

export class Init {
  private readonly log: Logger;
  private readonly services: SupervisedService[] = [];
  private readonly runners: Runner[] = [];
  private readonly reaper: Reaper;
  private readonly shutdown: Shutdown;

  constructor(options: InitOptions) {
    this.log = options.log;
    this.reaper = new Reaper(this.log);
    this.shutdown = new Shutdown({
      log: this.log,
      gracePeriodMs: options.gracePeriodMs,
      stopStarting: () => this.stopStarting(),
    });
    // Every exit may be the last one the shutdown waits for.
    this.reaper.onPass(() => this.shutdown.requestCheck());
    onTrackedExit(() => this.shutdown.requestCheck());

    // Signal listeners do not keep Node running. With only a crontab there may be moments without
    // any child or timer, and an init must not end then.
    const keepAlive = setInterval(() => {}, MAX_TIMER_MS);
    void this.shutdown.done.then(() => clearInterval(keepAlive));
  }

  /** Whether the shutdown has started. */
  get stopping(): boolean {
    return this.shutdown.stopping;
  }

  /** Installs the signal listeners; call before the first child starts, so no stop signal is lost. */
  catchSignals(): void {
    installSignalHandlers(
      {
        stop: (signal) => this.shutdown.onStopSignal(signal),
        forward: (signal) => this.forward(signal),
      },
      this.log,
    );
  }

  /**
   * Starts reaping orphans. When wingmate is not PID 1 (started by hand, or under `docker run
   * --init`), it first becomes a child subreaper, so that orphans of its services come to it.
   */
  startReaping(): void {
    if (process.pid !== 1) {
      try {
        setChildSubreaper();
        this.log.info('not PID 1: became the subreaper of orphaned descendants', { pid: process.pid });
      } catch (error) {
        if (!(error instanceof LibcError)) {
          throw error;
        }
        this.log.warn('cannot become a child subreaper: orphans of services will not be reaped by wingmate', { error: error.message });
      }
    }
    this.reaper.start();
  }

  /** Starts supervising each service; does nothing once the shutdown has started. */
  startServices(services: Service[]): void {
    for (const service of services) {
      if (this.stopping) {
        return;
      }
      const supervised = new SupervisedService(service, this.log);
      this.services.push(supervised);
      supervised.run().catch((error: unknown) => {
        this.log.error('supervision of a service failed', { service: service.name, error: String(error) });
      });
    }
  }

  /** Registers another starter of children to stop at shutdown; stops it at once if stopping. */
  addRunner(runner: Runner): void {
    this.runners.push(runner);
    if (this.stopping) {
      runner.stop();
    }
  }

  /** Resolves once a stop signal has come and every descendant has exited. */
  stopped(): Promise<void> {
    return this.shutdown.done;
  }

  private stopStarting(): void {
    refuseNewChildren();
    for (const service of this.services) {
      service.stop();
    }
    for (const runner of this.runners) {
      runner.stop();
    }
  }

  private forward(signal: NodeJS.Signals): void {
    let count = 0;
    for (const service of this.services) {
      if (service.signal(signal)) {
        count++;
      }
    }
    this.log.info('forwarded a signal to the services', { signal, services: count });
  }
}
