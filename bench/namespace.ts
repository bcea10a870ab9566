// Runs a command as PID 1 of a new PID namespace, finds its host pid from outside, and reads its
// output. The only signals sent go to that PID 1 (by host pid, always greater than 1) or to the
// unshare process, whose --kill-child then SIGKILLs the namespace's PID 1 and so every process in it.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ProcessStat, listNamespace, listProcesses, pidNamespaceOf } from './proc';

/** Returns the wall-clock time in milliseconds since the epoch, with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or with null after `ms`; the timer never outlives the wait. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition` returns true, checking every `intervalMs`; returns false on timeout. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(intervalMs);
  }
  return true;
}

/** Exit status of a namespace's PID 1, and the time the harness saw its unshare parent exit. */
export interface NamespaceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timeMs: number;
}

const isRoot = process.getuid?.() === 0;

// Without root a user namespace maps the caller to root, so that the PID namespace can be made.
const UNSHARE = isRoot ? ['unshare'] : ['unshare', '--user', '--map-root-user'];

const TAIL_BYTES = 4096;

const running = new Set<NamespaceRun>();

/** One command running as PID 1 of its own PID namespace. */
export class NamespaceRun {
  readonly child: ChildProcess;
  readonly exited: Promise<NamespaceExit>;
  exit: NamespaceExit | null = null;
  /** The last few KiB of stdout and stderr, for error messages. */
  outputTail = '';
  private hostPid1: number | undefined;
  private namespace: string | undefined;
  private listeners: Array<(chunk: Buffer) => void> = [];

  private readonly output: net.Socket;
  private readonly fifoDir: string;

  constructor(argv: readonly string[], env: NodeJS.ProcessEnv) {
    // stdout and stderr are one real pipe (a FIFO), as a container runtime gives them. Node's own
    // 'pipe' stdio is a socket pair, on which opening /dev/stderr fails with ENXIO (supervisord's
    // stdout_logfile=/dev/stderr does so).
    this.fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wingmate-bench-fifo-'));
    const fifo = path.join(this.fifoDir, 'output');
    const mkfifo = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
    if (mkfifo.status !== 0) {
      throw new Error(`mkfifo ${fifo} failed: ${mkfifo.error?.message ?? mkfifo.stderr.trim()}`);
    }
    const readFd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writeFd = fs.openSync(fifo, fs.constants.O_WRONLY);

    const args = [...UNSHARE.slice(1), '--pid', '--fork', '--mount-proc', '--kill-child', ...argv];
    this.child = spawn(UNSHARE[0], args, { env, stdio: ['ignore', writeFd, writeFd] });
    fs.closeSync(writeFd);
    this.output = new net.Socket({ fd: readFd, readable: true, writable: false });
    this.output.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.output.on('error', () => {
      // The namespace is gone; its exit is reported by the child process.
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal, timeMs: nowMs() };
        running.delete(this);
        resolve(this.exit);
      });
    });
    running.add(this);
  }

  private onOutput(chunk: Buffer): void {
    for (const listener of this.listeners) {
      listener(chunk);
    }
    this.outputTail = (this.outputTail + chunk.toString('utf8', Math.max(0, chunk.length - TAIL_BYTES))).slice(-TAIL_BYTES);
  }

  /** Calls `listener` with every chunk the namespace writes to stdout or stderr. */
  onOutputChunk(listener: (chunk: Buffer) => void): void {
    this.listeners.push(listener);
  }

  /** Stops reading the namespace's stdout and stderr, so that writers to them block. */
  pauseOutput(): void {
    this.output.pause();
  }

  resumeOutput(): void {
    this.output.resume();
  }

  /** Waits for the namespace's PID 1 and returns its host pid. @throws Error when it has not appeared in time */
  async pid1(timeoutMs = 5000): Promise<number> {
    const found = await waitUntil(() => this.findPid1(), timeoutMs, 2);
    if (!found) {
      throw new Error(`the namespace's PID 1 did not appear within ${timeoutMs} ms (unshare output: ${this.outputTail.trim() || 'none'})`);
    }
    return this.hostPid1!;
  }

  private findPid1(): boolean {
    if (this.hostPid1 !== undefined) {
      return true;
    }
    if (this.exit) {
      throw new Error(`the command exited (code ${this.exit.code}, signal ${this.exit.signal}) before it could be measured: ${this.outputTail.trim() || 'no output'}`);
    }
    const pid1 = listProcesses().find((proc) => proc.ppid === this.child.pid);
    const namespace = pid1 ? pidNamespaceOf(pid1.pid) : null;
    if (!pid1 || namespace === null || namespace === pidNamespaceOf(process.pid)) {
      return false;
    }
    this.hostPid1 = pid1.pid;
    this.namespace = namespace;
    return true;
  }

  /** Lists every process of the namespace, by host pid. */
  processes(): ProcessStat[] {
    return this.namespace ? listNamespace(this.namespace) : [];
  }

  /** Sends `signal` to the namespace's PID 1 by its host pid. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = await this.pid1();
    if (pid <= 1 || pidNamespaceOf(pid) !== this.namespace) {
      throw new Error(`refusing to signal pid ${pid}: it is not the PID 1 of this benchmark's namespace`);
    }
    process.kill(pid, signal);
  }

  /** Waits for the namespace to end, or returns null after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<NamespaceExit | null> {
    return withTimeout(this.exited, timeoutMs);
  }

  /**
   * Ends the namespace. With `graceMs`, PID 1 first gets SIGTERM and that long to exit, so that an
   * init run under `node --cpu-prof` or `strace` can write its report. Then SIGKILL goes to
   * unshare, whose --kill-child takes PID 1 and the rest down.
   */
  async stop(graceMs = 0): Promise<void> {
    if (graceMs > 0 && !this.exit && this.hostPid1 !== undefined) {
      await this.signal('SIGTERM').catch(() => undefined);
      await this.waitExit(graceMs);
    }
    await this.kill();
    this.output.destroy();
    fs.rmSync(this.fifoDir, { recursive: true, force: true });
  }

  private async kill(): Promise<void> {
    if (this.exit) {
      return;
    }
    this.child.kill('SIGKILL');
    // The pid is signalled only while it still belongs to our namespace, never after it was reused.
    if (this.hostPid1 !== undefined && pidNamespaceOf(this.hostPid1) === this.namespace) {
      try {
        process.kill(this.hostPid1, 'SIGKILL');
      } catch {
        // Already gone with unshare.
      }
    }
    await this.waitExit(5000);
  }
}

/** Starts `argv` as PID 1 of a new PID namespace (with its own /proc). */
export function startInNamespace(argv: readonly string[], env: NodeJS.ProcessEnv = {}): NamespaceRun {
  return new NamespaceRun(argv, { ...process.env, ...env });
}

/** Ends every namespace still running; for the exit of the harness. */
export function stopAll(): void {
  for (const run of running) {
    void run.stop();
  }
}
