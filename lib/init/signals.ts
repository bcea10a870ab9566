// Signal handling of wingmate. Without a listener, Node ends on most signals, and on SIGHUP when it
// is not PID 1. For the init of a container that would SIGKILL every service.

import type { Logger } from '../log';

/** Start the shutdown (nginx and php-fpm images stop with SIGQUIT, LXC with SIGPWR). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGPWR'];

/** Passed on to every running service, for example to make it reload its configuration. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/**
 * The other signals whose default action ends a process (signal(7) on Linux), logged and ignored.
 * Node ignores SIGPIPE and SIGXFSZ already; they are listed so that they are logged. Left out:
 * SIGKILL and SIGSTOP (cannot be caught), and SIGBUS, SIGFPE, SIGILL and SIGSEGV, because after a
 * real fault the handler would return to the faulting instruction and loop for ever. Realtime
 * signals cannot be listened to in Node and keep their default action.
 */
export const IGNORED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTRAP',
  'SIGABRT',
  'SIGPIPE',
  'SIGALRM',
  'SIGSTKFLT',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGIO',
  'SIGSYS',
];

export interface SignalActions {
  /** Called for every stop signal, the first and any later one. */
  stop(signal: NodeJS.Signals): void;
  forward(signal: NodeJS.Signals): void;
}

/**
 * Installs a listener for every stop, forwarded and ignored signal; returns a function that removes them.
 * Call it before the first child is started, so that no stop signal is lost.
 */
export function installSignalHandlers(actions: SignalActions, log: Logger): () => void {
  const installed: Array<[NodeJS.Signals, () => void]> = [];
  const listen = (signal: NodeJS.Signals, listener: () => void) => {
    process.on(signal, listener);
    installed.push([signal, listener]);
  };

  for (const signal of STOP_SIGNALS) {
    listen(signal, () => actions.stop(signal));
  }
  for (const signal of FORWARDED_SIGNALS) {
    listen(signal, () => actions.forward(signal));
  }
  for (const signal of IGNORED_SIGNALS) {
    listen(signal, () => log.warn('ignored a signal', { signal }));
  }

  return () => {
    for (const [signal, listener] of installed) {
      process.off(signal, listener);
    }
  };
}
