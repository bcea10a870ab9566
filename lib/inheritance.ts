// The state an exec'd program inherits from the Node process that execs it. At start-up Node
// marks fds 0-2 and the descriptors inherited from its caller close-on-exec (libuv's
// uv_disable_stdio_inheritance), and it ignores SIGPIPE and SIGXFSZ. It also makes stdio pipes
// non-blocking once it uses them, and may run with signals blocked. All of this was checked on
// Node 20 and 24. prepareForExec undoes it, so the program starts as if the caller had run it,
// apart from the signals 1-31 that the caller ignored, which Node has already reset.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

import { FD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, clearSignalMask, fcntl, ignoreSignal, prepareFdForExec, resetSignal } from './libc';

/** An open descriptor as /proc/self/fd shows it. */
export interface Descriptor {
  fd: number;
  /** The link text: a path, `pipe:[inode]`, `socket:[inode]` or `anon_inode:[kind]`. */
  target: string;
  /** O_RDONLY, O_WRONLY or O_RDWR. */
  accessMode: number;
}

const O_ACCMODE = 3;

/** Lists the open descriptors from 3 up; one that closes while being listed is left out. */
export function listDescriptors(): Descriptor[] {
  const result: Descriptor[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (fd < 3) {
      continue;
    }
    try {
      result.push({ fd, target: readlinkSync(`/proc/self/fd/${name}`), accessMode: fcntl(fd, F_GETFL) & O_ACCMODE });
    } catch {
      // The directory listing's own descriptor is already closed by now.
    }
  }
  return result;
}

/**
 * Picks the descriptors that the caller passed in (a listening socket, a lock file), leaving out
 * Node's own: anonymous inodes (epoll, eventfd, io_uring) and pipes whose read and write ends are
 * both open here (self-pipes, such as libuv's signal pipes).
 * NOTE: a caller's descriptor of either kind (a make jobserver pipe, an eventfd) is taken for
 * Node's and closed at exec, because /proc shows no difference between the two.
 */
export function inheritedDescriptors(descriptors: readonly Descriptor[]): number[] {
  const pipeEnds = new Map<string, Set<number>>();
  for (const { target, accessMode } of descriptors) {
    if (target.startsWith('pipe:')) {
      pipeEnds.set(target, (pipeEnds.get(target) ?? new Set()).add(accessMode));
    }
  }
  return descriptors
    .filter(({ target }) => !target.startsWith('anon_inode:'))
    .filter(({ target }) => !(pipeEnds.get(target)?.size === 2))
    .map(({ fd }) => fd);
}

/** Returns the signal numbers in the SigIgn mask of /proc/self/status. */
export function ignoredSignals(status: string): number[] {
  const mask = BigInt(`0x${status.match(/^SigIgn:\s*([0-9a-f]+)$/m)?.[1] ?? '0'}`);
  const result: number[] = [];
  for (let signo = 1; signo <= 64; signo++) {
    if (mask & (1n << BigInt(signo - 1))) {
      result.push(signo);
    }
  }
  return result;
}

// Node resets the dispositions of signals 1-31 at start-up, so an ignored one among them was set by
// Node itself. Real-time signals keep what the caller set (GNU make 4.3 leaves 32 and 33 ignored
// for its children, for example), and they are passed on unchanged.
const LAST_STANDARD_SIGNAL = 31;

/**
 * Makes fds 0-2 and the inherited descriptors survive exec (fds 0-2 also blocking), sets every
 * ignored signal from 1 to 31 back to its default action and clears the signal mask. Caught
 * signals need nothing, because exec resets them to the default action. Returns a function that
 * ignores the reset signals again, for when exec fails and Node goes on writing to a pipe.
 * @throws LibcError
 */
export function prepareForExec(): () => void {
  for (const fd of [0, 1, 2]) {
    prepareFdForExec(fd);
  }
  for (const fd of inheritedDescriptors(listDescriptors())) {
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
  }

  const ignored = ignoredSignals(readFileSync('/proc/self/status', 'utf8'));
  const reset = ignored.filter((signo) => signo <= LAST_STANDARD_SIGNAL);
  reset.forEach((signo) => resetSignal(signo));
  clearSignalMask();

  return () => reset.forEach((signo) => ignoreSignal(signo));
}
