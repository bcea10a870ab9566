// The command that wmpidproxy starts: usually it forks the daemon and exits, but it may fail, or
// stay in the foreground as the daemon itself. Its output goes to the proxy's own stdout and stderr,
// so that wingmate logs it.

import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';

import { EXIT_FAILURE, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, EXIT_SIGNAL_BASE } from './exitcodes';
import type { Logger } from './log';

/** The end of the command: an exit code, or the signal that killed it. */
export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Converts a child's end into an exit status as sh does: its code, or 128 + signal number. */
export function exitStatus(exit: CommandExit): number {
  if (exit.signal) {
    return EXIT_SIGNAL_BASE + (constants.signals[exit.signal] ?? 0);
  }
  return exit.code ?? EXIT_FAILURE;
}

/** Describes an end for a message: "exited with status 3", "was killed by SIGUSR1". */
export function describeExit(exit: CommandExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}

export interface StartCommandEvents {
  /** The command ran and ended. */
  onExit(exit: CommandExit): void;
  /** The command could not be started; `status` is 127 (not found) or 126 (not executable). */
  onStartError(status: number, message: string): void;
}

export class StartCommand {
  private readonly child: ChildProcess;
  /** The command's end; null while it runs. */
  exit: CommandExit | null = null;

  constructor(
    readonly argv: string[],
    env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly events: StartCommandEvents,
  ) {
    const [file, ...args] = argv;
    this.child = spawn(file, args, { stdio: 'inherit', env });
    this.child.on('error', (error: NodeJS.ErrnoException) => this.onError(error));
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.events.onExit(this.exit);
    });
  }

  /** The command's pid; undefined when it could not be started. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the command was started and has not ended (Node has not reaped it yet). */
  get running(): boolean {
    return this.child.pid !== undefined && this.exit === null;
  }

  private onError(error: NodeJS.ErrnoException): void {
    // Node also emits 'error' when a signal cannot be sent; only a failed start ends the proxy.
    if (!error.syscall?.startsWith('spawn')) {
      this.log.warn('error from the start command', { error: error.message });
      return;
    }
    this.exit = { code: null, signal: null };
    const status = error.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
    this.events.onStartError(status, `cannot start ${this.argv[0]}: ${error.code ?? error.message}`);
  }
}
