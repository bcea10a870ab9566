// wmpidproxy's supervision: start the command, find the daemon through its pid file, follow it until
// it is gone, and pass stop and reload signals on to it.
//
// The proxy lives through these phases:
//   starting   the command runs; after STARTSECS the pid file is checked once a second until
//              PIDFILE_TIMEOUT has passed. A failing command ends the proxy with its status.
//   following  a daemon is adopted, or the command itself if it stayed in the foreground. A poll
//              once a second notices the daemon's death and follows a new pid in the file.
//   stopping   a stop signal was passed on; the proxy waits up to STOP_TIMEOUT, then sends SIGKILL.
//   done       the exit status is decided and logged.

import { DaemonFinder, type Lookup } from './daemonfinder';
import { EXIT_FAILURE, EXIT_OK } from './exitcodes';
import { isChildSubreaper } from './libc';
import type { Fields, Level, Logger } from './log';
import { checkLiveness, reapZombieChildren, signalProcess } from './procinfo';
import { type CommandExit, StartCommand, describeExit, exitStatus } from './startcommand';
import { isWingmateStopping } from './stopmark';

export interface PidProxyOptions {
  pidFile: string;
  /** The start command and its arguments. */
  command: string[];
  startMs: number;
  pidfileTimeoutMs: number;
  stopTimeoutMs: number;
  log: Logger;
  /** The environment for the command and for WINGMATE_PID. */
  env?: NodeJS.ProcessEnv;
}

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];
export const RELOAD_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'];

// The poll interval while following a daemon: its death is noticed within about a second.
const POLL_MS = 1000;
// The poll interval while waiting for a stopped daemon, which lasts at most STOP_TIMEOUT.
const STOP_POLL_MS = 100;

type Phase = 'starting' | 'following' | 'stopping' | 'done';

export class PidProxy {
  private phase: Phase = 'starting';
  private command: StartCommand | null = null;
  /** The adopted daemon; null before adoption and while following the command itself. */
  private daemonPid: number | null = null;
  private followingCommand = false;
  private timer: NodeJS.Timeout | null = null;
  private deadline = 0;
  private lastWaitReason = 'the pid file has not been written';
  private badReadLogged = false;
  private readonly adoptsOrphans = process.pid === 1 || isChildSubreaper();
  private resolveExit: (code: number) => void = () => {};
  private readonly env: NodeJS.ProcessEnv;
  private readonly finder: DaemonFinder;

  constructor(private readonly options: PidProxyOptions) {
    this.env = options.env ?? process.env;
    this.finder = new DaemonFinder(options.pidFile, options.log);
  }

  /** Starts the command and resolves with the proxy's exit status once it is done. */
  run(): Promise<number> {
    const exited = new Promise<number>((resolve) => (this.resolveExit = resolve));
    this.finder.removeLeftover();
    this.startCommand();
    this.deadline = performance.now() + this.options.startMs + this.options.pidfileTimeoutMs;
    this.schedule(() => this.checkStarting(), this.options.startMs);
    return exited;
  }

  /** Handles a signal received by the proxy (installed by the caller for STOP_ and RELOAD_SIGNALS). */
  onSignal(signal: NodeJS.Signals): void {
    if (this.phase === 'done') {
      return;
    }
    if (STOP_SIGNALS.includes(signal)) {
      this.stop(signal);
      return;
    }
    this.adoptIfFound();
    this.forward(signal, this.targets());
  }

  private startCommand(): void {
    this.options.log.info('starting the command', { command: this.options.command.join(' '), pidfile: this.options.pidFile });
    this.command = new StartCommand(this.options.command, this.env, this.options.log, {
      onExit: (exit) => this.onCommandExit(exit),
      onStartError: (status, message) => this.finish(status, 'error', message, { status }),
    });
    this.finder.setCommandStarted(this.command.pid);
  }

  private onCommandExit(exit: CommandExit): void {
    const failed = exit.code !== 0;
    const fields = { pid: this.command?.pid, status: exitStatus(exit) };

    if (this.phase === 'starting' && failed) {
      // A daemon may have forked and written its pid before the command failed.
      const lookup = this.finder.find();
      if (lookup.kind === 'daemon') {
        this.options.log.warn(`the start command ${describeExit(exit)}, but its daemon runs`, fields);
        this.adopt(lookup.pid);
        return;
      }
      this.finish(exitStatus(exit), 'error', `the start command ${describeExit(exit)} before a daemon wrote ${this.options.pidFile}`, fields);
      return;
    }
    if (this.phase === 'following' && this.followingCommand) {
      const lookup = this.finder.find();
      if (lookup.kind === 'daemon') {
        this.adopt(lookup.pid);
        return;
      }
      this.finish(exitStatus(exit), exit.code === 0 ? 'info' : 'error', `the command, followed as the daemon, ${describeExit(exit)}`, fields);
      return;
    }
    this.options.log[failed ? 'warn' : 'debug'](`the start command ${describeExit(exit)}`, fields);
  }

  private checkStarting(): void {
    const lookup = this.finder.find();
    if (lookup.kind === 'daemon') {
      this.adopt(lookup.pid);
      return;
    }
    if (lookup.kind === 'invalid') {
      this.finish(EXIT_FAILURE, 'error', lookup.message, { pidfile: this.options.pidFile });
      return;
    }
    this.lastWaitReason = lookup.reason;
    this.reapOrphans();

    const left = this.deadline - performance.now();
    if (left > 0) {
      this.schedule(() => this.checkStarting(), Math.min(POLL_MS, left));
      return;
    }
    const waited = (this.options.pidfileTimeoutMs + this.options.startMs) / 1000;
    if (this.command?.running) {
      this.options.log.warn(`no fresh pid file ${waited} s after the start, but the command still runs: following it as the daemon`, { pid: this.command.pid, pidfile: this.options.pidFile, reason: lookup.reason });
      this.phase = 'following';
      this.followingCommand = true;
      this.schedule(() => this.poll(), POLL_MS);
      return;
    }
    this.finish(EXIT_FAILURE, 'error', `no daemon found through ${this.options.pidFile} ${waited} s after the start: ${this.lastWaitReason}`, { pidfile: this.options.pidFile });
  }

  // A signal may come before the first check of the pid file, while the daemon already runs.
  private adoptIfFound(): void {
    if (this.daemonPid !== null || this.phase === 'stopping') {
      return;
    }
    const lookup = this.finder.find();
    if (lookup.kind === 'daemon') {
      this.adopt(lookup.pid);
    }
  }

  private adopt(pid: number): void {
    const previous = this.daemonPid;
    this.daemonPid = pid;
    this.followingCommand = false;
    this.badReadLogged = false;
    if (this.phase === 'stopping') {
      return;
    }
    this.phase = 'following';
    if (previous === null) {
      this.options.log.info('following the daemon', { pid, pidfile: this.options.pidFile });
    } else {
      this.options.log.info('the daemon changed its pid; following the new one', { pid, previous, pidfile: this.options.pidFile });
    }
    this.schedule(() => this.poll(), POLL_MS);
  }

  // One check a second: the pid file may name a new daemon, and the current one may be gone.
  private poll(): void {
    const lookup = this.finder.find();
    if (lookup.kind === 'daemon' && lookup.pid !== this.daemonPid && lookup.pid !== this.command?.pid) {
      this.adopt(lookup.pid);
      return;
    }
    if (this.daemonPid !== null) {
      const liveness = checkLiveness(this.daemonPid);
      if (liveness !== 'alive') {
        this.finish(EXIT_FAILURE, 'error', `the daemon ${liveness === 'zombie' ? 'exited (it is a zombie)' : 'exited'}`, { pid: this.daemonPid, pidfile: this.options.pidFile });
        return;
      }
      this.noteBadRead(lookup);
    }
    this.reapOrphans();
    this.schedule(() => this.poll(), POLL_MS);
  }

  // Once a daemon is adopted, a deleted, half-written or garbled pid file does not end the proxy
  // while that process lives, because leaving would make wingmate start a second daemon.
  private noteBadRead(lookup: Lookup): void {
    if (lookup.kind === 'daemon' || this.badReadLogged) {
      return;
    }
    this.badReadLogged = true;
    const reason = lookup.kind === 'invalid' ? lookup.message : lookup.reason;
    this.options.log.warn('the pid file no longer names a running daemon; following the last pid while it runs', { pid: this.daemonPid, reason });
  }

  private reapOrphans(): void {
    if (!this.adoptsOrphans) {
      return;
    }
    const tracked = new Set<number>();
    if (this.command?.running) {
      tracked.add(this.command.pid!);
    }
    for (const pid of reapZombieChildren(tracked)) {
      this.options.log.debug('reaped an orphaned process', { pid });
    }
  }

  /** Lists the processes that a signal goes to: the daemon, and the command while it runs. */
  private targets(): number[] {
    const targets: number[] = [];
    if (this.daemonPid !== null) {
      targets.push(this.daemonPid);
    }
    const commandPid = this.command?.pid;
    if (this.command?.running && commandPid !== undefined && commandPid !== this.daemonPid) {
      targets.push(commandPid);
    }
    return targets;
  }

  private forward(signal: NodeJS.Signals, targets: number[]): void {
    if (targets.length === 0) {
      this.options.log.warn(`received ${signal}, but there is no daemon to forward it to`, { signal });
      return;
    }
    for (const pid of targets) {
      try {
        if (signalProcess(pid, signal)) {
          this.options.log.info(`sent ${signal}`, { pid, signal });
        }
      } catch (error) {
        this.options.log.warn(`cannot send ${signal}`, { pid, signal, error: (error as Error).message });
      }
    }
  }

  private stop(signal: NodeJS.Signals): void {
    // wingmate's shutdown signals every process itself, and a second SIGTERM from the proxy would
    // make many daemons skip their clean stop.
    const wingmateStopping = signal === 'SIGTERM' && isWingmateStopping(this.env);
    if (this.phase === 'stopping') {
      if (!wingmateStopping) {
        this.forward(signal, this.targets());
      }
      return;
    }

    this.adoptIfFound();
    this.phase = 'stopping';
    if (wingmateStopping) {
      this.options.log.info('wingmate is stopping and has sent SIGTERM to the daemon itself; not forwarding it', { signal, pid: this.daemonPid });
    } else {
      this.forward(signal, this.targets());
    }
    this.deadline = performance.now() + this.options.stopTimeoutMs;
    this.waitForStop();
  }

  private waitForStop(): void {
    const running = this.runningTargets();
    if (running.length === 0) {
      const message = this.daemonPid === null ? 'stopped before a daemon was found' : 'the daemon stopped';
      this.finish(EXIT_OK, 'info', message, { pid: this.daemonPid ?? undefined });
      return;
    }
    if (performance.now() < this.deadline) {
      this.schedule(() => this.waitForStop(), STOP_POLL_MS);
      return;
    }
    for (const pid of running) {
      this.options.log.warn(`still running ${this.options.stopTimeoutMs / 1000} s after the stop signal; sending SIGKILL`, { pid });
      this.forward('SIGKILL', [pid]);
    }
    this.finish(EXIT_OK, 'info', 'the daemon was killed after the stop timeout', { pid: this.daemonPid ?? undefined });
  }

  private runningTargets(): number[] {
    this.reapOrphans();
    return this.targets().filter((pid) => pid === this.command?.pid || checkLiveness(pid) === 'alive');
  }

  private schedule(step: () => void, delayMs: number): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      step();
    }, delayMs);
  }

  /** Ends the proxy once: logs why, stops a command left running, and resolves the exit status. */
  private finish(code: number, level: Level, message: string, fields: Fields): void {
    if (this.phase === 'done') {
      return;
    }
    const stopped = this.phase === 'stopping';
    this.phase = 'done';
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.options.log[level](message, { ...fields, exit: code });

    // A command still running would be left behind, and wingmate starts a new one with the next proxy.
    const commandPid = this.command?.pid;
    if (!stopped && this.command?.running && commandPid !== undefined) {
      this.forward('SIGTERM', [commandPid]);
    }
    this.resolveExit(code);
  }
}
