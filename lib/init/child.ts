// Starts the processes wingmate supervises (services and cron jobs) and logs their output line by
// line. stdin is /dev/null. stdout and stderr are real pipes, because Node's default 'pipe' stdio is
// a UNIX socket pair, and a program that opens /dev/stdout on a socket gets ENXIO.

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

import { FD_CLOEXEC, F_GETFD, F_SETFD, LibcError, fcntl, pipe2 } from '../libc';
import type { Logger, SourceKey } from '../log';
import { WINGMATE_PID_VARIABLE } from '../stopmark';
import { LineSplitter } from './lines';

/** The end of a child: exit status or signal, and run time. */
export interface ExitInfo {
  pid: number;
  /** Exit status, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from start to exit. */
  runtimeMs: number;
}

export interface ChildOptions {
  /** Program and arguments; the program is searched in PATH when it has no slash. */
  command: string[];
  /** Environment (default: wingmate's); WINGMATE_PID is always added. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Log field that tags each output line, and its value (the service path or the cron command). */
  sourceKey: SourceKey;
  source: string;
  log: Logger;
}

/** A started child. */
export interface RunningChild {
  pid: number;
  /** Resolves when the process has exited (not when its pipes close). */
  exited: Promise<ExitInfo>;
  /** Resolves when both output pipes are closed and every line has been logged. */
  outputClosed: Promise<void>;
  /** Sends a signal unless the process has already exited; returns whether it was sent. */
  kill(signal: NodeJS.Signals): boolean;
}

/** A child that could not be started (ENOENT, EACCES, ...); `code` is the errno name. */
export class StartError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    options?: ErrorOptions,
    hint: string = START_HINTS[code] ?? '',
  ) {
    super(`cannot start ${path}: ${code}${hint}`, options);
    this.name = 'StartError';
  }
}

const START_HINTS: Record<string, string> = {
  ENOENT: ' (the file or the interpreter named on its #! line does not exist)',
  EACCES: ' (not executable: chmod +x, or a mount with noexec)',
  ENOEXEC: ' (not a valid executable: add a #! line)',
  ESTOPPING: ' (wingmate is stopping)',
};

// Pids of the running children started here. libuv waits for each of them itself, and the reaper
// skips them, because its wait would take the exit status that the 'exit' event needs.
const trackedPids = new Set<number>();
const exitListeners = new Set<(info: ExitInfo) => void>();
let refusingStarts = false;

/** Tells whether `pid` is a running child started by startChild, which the reaper leaves to libuv. */
export function isTracked(pid: number): boolean {
  return trackedPids.has(pid);
}

/** Calls `listener` after every tracked child's exit. */
export function onTrackedExit(listener: (info: ExitInfo) => void): void {
  exitListeners.add(listener);
}

/** Makes every later startChild fail with ESTOPPING; the shutdown calls it before signalling. */
export function refuseNewChildren(): void {
  refusingStarts = true;
}

/**
 * Sets close-on-exec on every descriptor above 2, so that descriptors wingmate inherited from its
 * parent (a shell's pipe, say) do not reach the services, which could then hold them open for ever.
 * Returns how many descriptors lacked the flag. @throws LibcError
 */
export function closeInheritedOnExec(): number {
  let count = 0;
  for (const name of fs.readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (fd <= 2) {
      continue;
    }
    let flags: number;
    try {
      flags = fcntl(fd, F_GETFD);
    } catch {
      // The descriptor that listed /proc/self/fd is closed by now.
      continue;
    }
    if ((flags & FD_CLOEXEC) === 0) {
      fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
      count++;
    }
  }
  return count;
}

/**
 * Starts a child whose stdout and stderr lines are logged at level info with
 * `{[sourceKey]: source, stream: 'stdout'|'stderr'}`.
 * @throws StartError when the program cannot be started.
 */
export async function startChild(options: ChildOptions): Promise<RunningChild> {
  const program = options.command[0];
  if (refusingStarts) {
    throw new StartError(program, 'ESTOPPING');
  }

  const [stdoutRead, stdoutWrite, stderrRead, stderrWrite] = makeOutputPipes(program);
  const startedAt = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(program, options.command.slice(1), {
      stdio: ['ignore', stdoutWrite, stderrWrite],
      env: { ...(options.env ?? process.env), [WINGMATE_PID_VARIABLE]: String(process.pid) },
      cwd: options.cwd,
    });
  } catch (error) {
    // Errors other than the common ones (ENOENT, EACCES, ...) are thrown by spawn itself.
    closeAll([stdoutRead, stdoutWrite, stderrRead, stderrWrite]);
    throw startFailure(program, error, options.cwd);
  }
  // The child has its own copies of the write ends. Closing ours lets the pipes reach EOF.
  closeAll([stdoutWrite, stderrWrite]);

  const pid = child.pid;
  if (pid === undefined) {
    closeAll([stdoutRead, stderrRead]);
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw startFailure(program, error, options.cwd);
  }
  trackedPids.add(pid);

  const outputClosed = Promise.all([
    logOutput(stdoutRead, 'stdout', options),
    logOutput(stderrRead, 'stderr', options),
  ]).then(() => undefined);
  const exited = waitForExit(child, pid, startedAt);
  return {
    pid,
    exited,
    outputClosed,
    kill: (signal) => trackedPids.has(pid) && child.kill(signal),
  };
}

function waitForExit(child: ChildProcess, pid: number, startedAt: number): Promise<ExitInfo> {
  // After spawn, 'error' only reports a failed kill(); the 'exit' event still follows.
  child.on('error', () => {});
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      trackedPids.delete(pid);
      const info: ExitInfo = { pid, code, signal, runtimeMs: Math.round(performance.now() - startedAt) };
      // Output already in the pipes when the process exited is read in this turn of the event
      // loop. Waiting for the next turn logs that output before the exit.
      setImmediate(() => {
        resolve(info);
        for (const listener of exitListeners) {
          listener(info);
        }
      });
    });
  });
}

// Reads one pipe until EOF, logging each line; pauses while the log's stderr is congested.
function logOutput(fd: number, stream: 'stdout' | 'stderr', options: ChildOptions): Promise<void> {
  const { log, sourceKey, source } = options;
  const extra = `,"stream":"${stream}"`;
  const continuedExtra = `${extra},"continued":true`;
  const writeLine = log.childLineWriter(sourceKey, source);
  const splitter = new LineSplitter((line, continued) => writeLine(line, continued ? continuedExtra : extra));
  const socket = new net.Socket({ fd, readable: true, writable: false });
  const control = { pause: () => socket.pause(), resume: () => socket.resume() };

  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('end', () => splitter.end());
    socket.on('error', (error: Error) => {
      splitter.end();
      log.warn('cannot read the output of a child', { [sourceKey]: source, stream, error: error.message });
    });
    socket.on('close', () => {
      log.sink.removeFlowControl(control);
      resolve();
    });
    log.sink.addFlowControl(control);
  });
}

// Returns the read and write ends of a stdout pipe, then of a stderr pipe. EMFILE or ENFILE becomes
// a StartError, so that a service is retried like after any other start failure.
function makeOutputPipes(program: string): [number, number, number, number] {
  const opened: number[] = [];
  try {
    opened.push(...pipe2());
    opened.push(...pipe2());
    return opened as [number, number, number, number];
  } catch (error) {
    closeAll(opened);
    throw new StartError(program, error instanceof LibcError ? error.code : 'UNKNOWN', { cause: error });
  }
}

function closeAll(fds: number[]): void {
  for (const fd of fds) {
    fs.closeSync(fd);
  }
}

// libuv reports a failed chdir into `cwd` with the same errno as a missing program (ENOENT, EACCES),
// so the working directory is checked before the program is blamed.
function startFailure(program: string, error: unknown, cwd: string | undefined): StartError {
  const problem = cwd === undefined ? null : workingDirectoryProblem(cwd);
  if (cwd !== undefined && problem !== null) {
    return new StartError(cwd, errorCode(error), { cause: error }, ` (the working directory ${problem})`);
  }
  return new StartError(program, errorCode(error), { cause: error });
}

function workingDirectoryProblem(cwd: string): string | null {
  try {
    if (!fs.statSync(cwd).isDirectory()) {
      return 'is not a directory';
    }
    fs.accessSync(cwd, fs.constants.X_OK);
    return null;
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot be entered: ${errorCode(error)}`;
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
