// The process credentials that wmexec changes before exec. A new session comes first, then the
// supplementary groups, the gid and the uid, in the order gosu and su-exec use: the uid goes last
// because after it the process may no longer change the others. Every change is checked afterwards,
// so a command never starts with half of the requested identity.

import { readFileSync } from 'node:fs';

import { LibcError, getsid, setsid } from './libc';
import type { TargetUser } from './user';

/** A session or identity change that failed; wmexec reports it and exits 1 without running anything. */
export class CredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

/**
 * Makes this process the leader of a new session, keeping its pid. A process that already leads a
 * session (started by setsid(1), say) is left as it is.
 * @throws CredentialsError when the process leads a process group (setsid(2) fails with EPERM).
 */
export function startSession(): void {
  if (getsid(0) === process.pid) {
    return;
  }
  try {
    setsid();
  } catch (error) {
    if (error instanceof LibcError && error.code === 'EPERM') {
      // A group leader cannot start a session without a fork, and a fork would change the pid that
      // the caller waits for, so the command is not run at all.
      throw new CredentialsError(
        `cannot start a new session: wmexec (pid ${process.pid}) leads its process group, so ${error.message}; ` +
          'start wmexec from a process without job control, or drop --setsid',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Switches the supplementary groups, the gid and the uid, then checks the result.
 * @throws CredentialsError when the kernel rejects a change (EPERM when not root) or the check fails.
 */
export function switchUser(target: TargetUser): void {
  const steps: Array<[string, () => void]> = [
    ['setgroups', () => process.setgroups!(target.groups)],
    ['setgid', () => process.setgid!(target.gid)],
    ['setuid', () => process.setuid!(target.uid)],
  ];
  for (const [call, step] of steps) {
    try {
      step();
    } catch (error) {
      throw new CredentialsError(`cannot switch to uid ${target.uid} gid ${target.gid}: ${describeNodeError(call, error)}`, { cause: error });
    }
  }

  const mismatches = compareCredentials(readFileSync('/proc/self/status', 'utf8'), target);
  if (mismatches.length > 0) {
    throw new CredentialsError(`switch to uid ${target.uid} gid ${target.gid} is incomplete: ${mismatches.join('; ')}`);
  }
}

// Node's message is `EPERM, Operation not permitted`; it is given the libc module's shape instead.
function describeNodeError(call: string, error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = message.replace(`${code}, `, '');
  const hint = code === 'EPERM' ? '; only root can switch users' : '';
  return `${call} failed: ${code} (${text})${hint}`;
}

/**
 * Compares the Uid, Gid and Groups lines of /proc/self/status with the target: the real, effective,
 * saved and filesystem ids must all equal it, and the group list must be exactly the target's.
 * Returns one description per mismatch, none when everything matches.
 */
export function compareCredentials(status: string, target: TargetUser): string[] {
  const mismatches: string[] = [];
  const field = (name: string) => status.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1].trim().split(/\s+/).filter((word) => word !== '');

  for (const [name, expected] of [['Uid', target.uid], ['Gid', target.gid]] as const) {
    const ids = field(name);
    if (!ids || ids.length !== 4 || ids.some((id) => Number(id) !== expected)) {
      mismatches.push(`${name} (real, effective, saved, filesystem) is "${ids?.join(' ') ?? 'missing'}", expected ${expected} for all four`);
    }
  }

  const groups = field('Groups');
  const actual = [...new Set((groups ?? []).map(Number))].sort((a, b) => a - b);
  const expected = [...new Set(target.groups)].sort((a, b) => a - b);
  if (!groups || actual.join(' ') !== expected.join(' ')) {
    mismatches.push(`Groups is "${groups?.join(' ') ?? 'missing'}", expected "${expected.join(' ')}"`);
  }
  return mismatches;
}
