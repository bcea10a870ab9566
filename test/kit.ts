// The namespace test kit: runs a command as PID 1 of a new PID namespace (optionally with new mount
// and network namespaces and files bound over /etc/passwd and /etc/group), finds its pid from
// outside, signals it, collects its stderr as parsed JSON records, and cleans up every process it
// made. Nothing here ever signals a process outside a namespace it created.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';

import { type Level, Logger } from '../lib/log';
import { LogSink } from '../lib/logsink';

export const ROOT = path.resolve(__dirname, '..');

/** Returns the command line that runs one of the built commands (npm test builds dist/ first). */
export function bin(name: 'wingmate' | 'wmpidproxy' | 'wmexec'): string[] {
  return [process.execPath, path.join(ROOT, 'dist', `${name}.js`)];
}

const isRoot = process.getuid?.() === 0;

// Without root a user namespace maps the caller to root, so the other namespaces can be made.
const UNSHARE = isRoot ? ['unshare'] : ['unshare', '--user', '--map-root-user'];

let support: string | null | undefined;

/** Returns null when namespaces can be made here, or the reason they cannot. */
export function namespaceProblem(): string | null {
  if (support === undefined) {
    const probe = spawnSync(UNSHARE[0], [...UNSHARE.slice(1), '--pid', '--fork', '--mount-proc', '--net', 'true'], { encoding: 'utf8' });
    support = probe.status === 0 ? null : `cannot create namespaces with unshare: ${probe.error?.message ?? probe.stderr.trim()}`;
  }
  return support;
}

/**
 * Returns true when the test can run in namespaces. Otherwise the test is skipped, except under CI
 * or as root, where a skip would hide untested behaviour and the test fails instead.
 */
export function requireNamespaces(t: TestContext): boolean {
  const problem = namespaceProblem();
  if (problem === null) {
    return true;
  }
  if (process.env.CI === 'true' || isRoot) {
    assert.fail(`${problem} (a skip is a failure under CI or as root)`);
  }
  t.skip(problem);
  return false;
}

/**
 * Returns true when the test runs as root. Otherwise the test is skipped, except under CI, where a
 * skip would hide untested behaviour and the test fails instead.
 */
export function requireRoot(t: TestContext, reason: string): boolean {
  if (isRoot) {
    return true;
  }
  if (process.env.CI === 'true') {
    assert.fail(`not root: ${reason} (a skip is a failure under CI)`);
  }
  t.skip(`not root: ${reason}`);
  return false;
}

/** Creates a temporary directory that is removed when the test process exits. */
export function tempDir(prefix = 'wingmate-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

const temporaryDirs: string[] = [];

export interface ConfigFiles {
  /** Service name to script text; each becomes an executable file in service/. */
  services?: Record<string, string>;
  crontab?: string;
  /** Other files, relative to the configuration directory. */
  files?: Record<string, { content: string; mode?: number }>;
}

/** Writes a configuration directory and returns its path. */
export function makeConfig(config: ConfigFiles, dir = tempDir()): string {
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(path.join(etc, 'service'), { recursive: true });
  for (const [name, script] of Object.entries(config.services ?? {})) {
    fs.writeFileSync(path.join(etc, 'service', name), script, { mode: 0o755 });
  }
  if (config.crontab !== undefined) {
    fs.writeFileSync(path.join(etc, 'crontab'), config.crontab);
  }
  for (const [name, file] of Object.entries(config.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(etc, name)), { recursive: true });
    fs.writeFileSync(path.join(etc, name), file.content, { mode: file.mode ?? 0o644 });
  }
  return etc;
}

export interface NamespaceOptions {
  env?: Record<string, string>;
  /** A new network namespace with loopback up. */
  net?: boolean;
  /** Files bound over /etc/passwd and /etc/group inside a new mount namespace. */
  passwd?: string;
  group?: string;
  /** Shell commands run inside the namespaces before the command starts (such as a tmpfs mount). */
  setup?: string[];
  /** Runs the command as a child of `sh -c 'PREFIX "$@" SUFFIX'` instead of as PID 1. */
  shell?: { before?: string; after?: string };
  cwd?: string;
  /** Which parsed stderr lines to keep in `records` (default: all); for runs with huge output. */
  keepRecord?: (record: LogRecord) => boolean;
}

/** A log record: a parsed stderr line, or `{ raw }` for a line that is not JSON. */
export type LogRecord = Record<string, unknown> & { raw?: string };

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const runs = new Set<NamespaceRun>();

/** A command running as PID 1 of its own namespaces. */
export class NamespaceRun {
  readonly records: LogRecord[] = [];
  /** When each record was read, in performance.now() milliseconds, index for index with records. */
  readonly arrivals: number[] = [];
  /** Every stderr line seen, kept or not. */
  lineCount = 0;
  /** False once stderr held a byte sequence that is not UTF-8. */
  stderrIsUtf8 = true;
  stdout = '';
  private stderrTail = '';
  private readonly stderrText = new StringDecoder('utf8');
  private readonly stderrCheck = new TextDecoder('utf-8', { fatal: true });
  private hostPid1: number | undefined;
  private nsLink: string | undefined;
  readonly exited: Promise<ExitResult>;
  /** Resolves once the command has exited and its stdout and stderr are read to the end. */
  readonly closed: Promise<ExitResult>;
  private listeners: Array<() => void> = [];

  constructor(
    readonly unshare: ChildProcess,
    private readonly keepRecord: (record: LogRecord) => boolean = () => true,
  ) {
    unshare.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.notify();
    });
    unshare.stderr?.on('data', (chunk: Buffer) => {
      this.checkUtf8(chunk);
      this.onStderr(this.stderrText.write(chunk));
    });
    this.exited = new Promise((resolve) => {
      unshare.on('exit', (code, signal) => {
        runs.delete(this);
        resolve({ code, signal });
        this.notify();
      });
    });
    this.closed = new Promise((resolve) => {
      unshare.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  private checkUtf8(chunk: Buffer): void {
    if (!this.stderrIsUtf8) {
      return;
    }
    try {
      this.stderrCheck.decode(chunk, { stream: true });
    } catch {
      this.stderrIsUtf8 = false;
    }
  }

  private onStderr(text: string): void {
    const lines = (this.stderrTail + text).split('\n');
    this.stderrTail = lines.pop() ?? '';
    const now = performance.now();
    for (const line of lines) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        record = { raw: line };
      }
      this.lineCount++;
      if (this.keepRecord(record)) {
        this.records.push(record);
        this.arrivals.push(now);
      }
    }
    this.notify();
  }

  /** When the record arrived, in performance.now() milliseconds. */
  arrivalOf(record: LogRecord): number {
    return this.arrivals[this.records.indexOf(record)];
  }

  private notify(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }

  /** Waits for the first record that matches, looking at the records seen so far too. */
  async waitForRecord(match: (record: LogRecord) => boolean, timeoutMs = 10_000, what = 'a matching record'): Promise<LogRecord> {
    let found: LogRecord | undefined;
    await this.waitFor(() => (found = this.records.find(match)) !== undefined, timeoutMs, what);
    return found!;
  }

  /** Waits until `condition` holds, checking on every output and every 20 ms. @throws AssertionError on timeout */
  waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok = false;
        try {
          ok = condition();
        } catch {
          ok = false;
        }
        if (ok) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new assert.AssertionError({ message: `timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}` }));
      }, timeoutMs);
      const poll = setInterval(check, 20);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners = this.listeners.filter((listener) => listener !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  /** Records whose message (and other fields) match. */
  find(fields: Record<string, unknown>): LogRecord[] {
    return this.records.filter((record) => Object.entries(fields).every(([key, value]) => record[key] === value));
  }

  /** Waits for the namespace's PID 1 to exist and returns its host pid. */
  async pid1(timeoutMs = 10_000): Promise<number> {
    await this.waitFor(() => this.findPid1(), timeoutMs, 'the namespace PID 1 to start');
    return this.hostPid1!;
  }

  private findPid1(): boolean {
    if (this.hostPid1 !== undefined) {
      return true;
    }
    const child = listProcesses().find((proc) => proc.ppid === this.unshare.pid);
    if (!child) {
      return false;
    }
    try {
      this.nsLink = fs.readlinkSync(`/proc/${child.pid}/ns/pid`);
    } catch {
      return false;
    }
    this.hostPid1 = child.pid;
    return true;
  }

  /** Sends a signal to the namespace's PID 1 (a host pid inside our own namespace, never -1 or 0). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = await this.pid1();
    assert.ok(pid > 1, `refusing to signal pid ${pid}`);
    process.kill(pid, signal);
  }

  /** Finds the host pid of the namespace's process `nsPid` (its pid inside the namespace), if it exists. */
  async hostPidOf(nsPid: number): Promise<number | undefined> {
    await this.pid1();
    for (const proc of this.processes()) {
      let status: string;
      try {
        status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      } catch {
        continue;
      }
      // NSpid lists the pid in each namespace, from the outermost to the innermost (ours).
      const ids = /^NSpid:\s+(.*)$/m.exec(status)?.[1].trim().split(/\s+/) ?? [];
      if (Number(ids[ids.length - 1]) === nsPid) {
        return proc.pid;
      }
    }
    return undefined;
  }

  /** Sends a signal to the namespace's process `nsPid`, found by its host pid; never to -1 or 0. */
  async signalProcess(nsPid: number, signal: NodeJS.Signals): Promise<void> {
    const hostPid = await this.hostPidOf(nsPid);
    assert.ok(hostPid !== undefined, `no process ${nsPid} in the namespace`);
    assert.ok(hostPid > 1, `refusing to signal pid ${hostPid}`);
    process.kill(hostPid, signal);
  }

  /** Lists every process of the namespace, with host pids, from /proc. */
  processes(): ProcessInfo[] {
    if (!this.nsLink && !this.findPid1()) {
      return [];
    }
    return listProcesses().filter((proc) => {
      try {
        return fs.readlinkSync(`/proc/${proc.pid}/ns/pid`) === this.nsLink;
      } catch {
        return false;
      }
    });
  }

  /** Waits for the unshare process to exit; fails the test on timeout. */
  async waitForExit(timeoutMs = 15_000): Promise<ExitResult> {
    let result: ExitResult | undefined;
    void this.exited.then((value) => (result = value));
    await this.waitFor(() => result !== undefined, timeoutMs, 'the command to exit');
    return result!;
  }

  /** Waits until the command has exited and all its output is read; fails the test on timeout. */
  async waitForClose(timeoutMs = 15_000): Promise<ExitResult> {
    let result: ExitResult | undefined;
    void this.closed.then((value) => (result = value));
    await this.waitFor(() => result !== undefined, timeoutMs, 'the command to exit and close its output');
    return result!;
  }

  /** Kills the whole namespace: SIGKILL to its PID 1 takes every process in it down. */
  kill(): void {
    if (this.hostPid1 !== undefined && this.unshare.exitCode === null) {
      try {
        process.kill(this.hostPid1, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (this.unshare.exitCode === null && this.unshare.signalCode === null) {
      this.unshare.kill('SIGKILL');
    }
  }

  describe(): string {
    const tail = this.records.slice(-15).map((record) => (record.raw !== undefined ? record.raw : JSON.stringify(record)));
    return `last records:\n  ${tail.join('\n  ')}`;
  }
}

/**
 * Starts `argv` as PID 1 of new PID and mount namespaces (and a network namespace with `net`).
 * The caller must have checked requireNamespaces(t).
 */
export function startInNamespace(argv: string[], options: NamespaceOptions = {}): NamespaceRun {
  const setup: string[] = [];
  if (options.net) {
    setup.push('ip link set lo up');
  }
  if (options.passwd) {
    setup.push(`mount --bind ${shellQuote(options.passwd)} /etc/passwd`);
  }
  if (options.group) {
    setup.push(`mount --bind ${shellQuote(options.group)} /etc/group`);
  }
  setup.push(...(options.setup ?? []));
  const run = options.shell ? `${options.shell.before ?? ''} "$@" ${options.shell.after ?? ''}` : 'exec "$@"';
  const script = [...setup, run].join('\n');

  const args = [...UNSHARE.slice(1), '--pid', '--fork', '--mount-proc', '--kill-child'];
  if (options.net) {
    args.push('--net');
  }
  const unshare = spawn(UNSHARE[0], [...args, 'sh', '-c', script, 'sh', ...argv], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const nsRun = new NamespaceRun(unshare, options.keepRecord);
  runs.add(nsRun);
  return nsRun;
}

/** Starts the built wingmate on the configuration directory `etc`, as PID 1 of new namespaces (see startInNamespace). */
export function startWingmate(etc: string, options: NamespaceOptions = {}): NamespaceRun {
  return startInNamespace(bin('wingmate'), { ...options, env: { WINGMATE_CONFIG_PATH: etc, ...options.env } });
}

/** Sends SIGTERM to the namespace's PID 1 and checks that it exits with status 0. */
export async function stopWingmate(run: NamespaceRun, timeoutMs = 15_000): Promise<void> {
  await run.signal('SIGTERM');
  const result = await run.waitForExit(timeoutMs);
  assert.equal(result.code, 0, run.describe());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  comm: string;
}

/** Reads pid, parent pid, state and name of every process from /proc/PID/stat. */
export function listProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const info = readStat(Number(entry));
    if (info) {
      result.push(info);
    }
  }
  return result;
}

/** Reads /proc/PID/stat; the name may hold spaces and parentheses, so fields are taken after the last ')'. */
export function readStat(pid: number): ProcessInfo | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { pid, comm: stat.slice(stat.indexOf('(') + 1, close), state: fields[0], ppid: Number(fields[1]) };
}

/** Waits until `condition` holds, polling every `intervalMs`. @throws AssertionError on timeout */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Reads the arguments of process `pid` from /proc/PID/cmdline; empty when it is gone. */
export function readCmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Reads the lines of a file that is not empty, or none when the file does not exist yet. */
export function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/**
 * Tells whether a process runs wingmate, by its command line (`node .../wingmate.js`): the name in
 * /proc/PID/comm is `node` on Node 20 but `MainThread` on Node 24.
 */
export function isWingmate(proc: ProcessInfo): boolean {
  return readCmdline(proc.pid)[1]?.endsWith('/wingmate.js') ?? false;
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

// Whatever a test left running dies with the test process; nothing outside our namespaces is touched.
process.on('exit', () => {
  for (const run of runs) {
    run.kill();
  }
  for (const dir of temporaryDirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A logger whose records are kept in memory; `records()` returns them parsed, after a flush. */
export function captureLogger(level: Level = 'debug'): { log: Logger; records: () => Promise<LogRecord[]> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  const sink = new LogSink(stream);
  const log = new Logger(sink, level);
  return {
    log,
    records: async () => {
      await sink.flush();
      return lines.map((line) => JSON.parse(line) as LogRecord);
    },
  };
}
