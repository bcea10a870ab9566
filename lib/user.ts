// User and group lookup for `--user USER[:GROUP]`. /etc/passwd and /etc/group are parsed here, as
// gosu does (through runc's user package) and su-exec does (through musl, which has no NSS), so no
// NSS module is loaded into a process that is about to drop root.

import { readFileSync } from 'node:fs';

import { UsageError } from './cli';

export const PASSWD_FILE = '/etc/passwd';
export const GROUP_FILE = '/etc/group';

// The kernel's uid_t and gid_t are 32 bits wide, and -1 (4294967295) means "no change" to setresuid.
const MAX_ID = 4294967294;

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  /** The home directory, or '' when the entry has none. */
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface UserDatabase {
  passwd: PasswdEntry[];
  group: GroupEntry[];
}

/** The identity to switch to. */
export interface TargetUser {
  uid: number;
  gid: number;
  /** The complete supplementary group list, for setgroups(2). */
  groups: number[];
  /** The value of HOME for the command. */
  home: string;
}

/** A user or group that cannot be found, or a database file that cannot be read; wmexec exits 1. */
export class UserLookupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserLookupError';
  }
}

/** Parses a decimal uid or gid; undefined when the text is not one. */
export function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) {
    return undefined;
  }
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

// Splits a database file into the fields of its entries. Comment and blank lines are skipped, and so
// are NIS compatibility lines (`+name`, `-name`, `+`), whose entries live in a NIS server that
// wmexec does not ask.
function entries(text: string): string[][] {
  const result: string[][] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) {
      continue;
    }
    result.push(line.split(':'));
  }
  return result;
}

/** Parses /etc/passwd text; a line without a name or without a numeric uid and gid is skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const result: PasswdEntry[] = [];
  for (const fields of entries(text)) {
    const uid = parseId(fields[2] ?? '');
    const gid = parseId(fields[3] ?? '');
    if (fields[0] === '' || uid === undefined || gid === undefined) {
      continue;
    }
    result.push({ name: fields[0], uid, gid, home: fields[5] ?? '' });
  }
  return result;
}

/** Parses /etc/group text; a line without a name or without a numeric gid is skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const result: GroupEntry[] = [];
  for (const fields of entries(text)) {
    const gid = parseId(fields[2] ?? '');
    if (fields[0] === '' || gid === undefined) {
      continue;
    }
    const members = (fields[3] ?? '').split(',').map((member) => member.trim()).filter((member) => member !== '');
    result.push({ name: fields[0], gid, members });
  }
  return result;
}

/**
 * Reads both files; a file that does not exist counts as empty, as in an image built from scratch.
 * @throws UserLookupError when a file exists but cannot be read.
 */
export function readUserDatabase(passwdFile = PASSWD_FILE, groupFile = GROUP_FILE): UserDatabase {
  return { passwd: parsePasswd(readOptional(passwdFile)), group: parseGroup(readOptional(groupFile)) };
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') {
      return '';
    }
    throw new UserLookupError(`cannot read ${file}: ${message}`, { cause: error });
  }
}

/** A `USER[:GROUP]` value split into its parts. */
export interface UserSpec {
  user: string;
  group: string | undefined;
}

/**
 * Splits `USER[:GROUP]`; an empty group (`app:`) means no group, as in su-exec.
 * @throws UsageError when the user part is empty or a number is out of range.
 */
export function parseUserSpec(text: string): UserSpec {
  const colon = text.indexOf(':');
  const user = colon === -1 ? text : text.slice(0, colon);
  const group = colon === -1 || colon === text.length - 1 ? undefined : text.slice(colon + 1);
  if (user === '') {
    throw new UsageError(`invalid user "${text}": expected USER[:GROUP], a name or a number for each`);
  }
  for (const part of [user, group]) {
    if (part !== undefined && /^\d+$/.test(part) && parseId(part) === undefined) {
      throw new UsageError(`invalid user "${text}": the id ${part} is larger than ${MAX_ID}`);
    }
  }
  return { user, group };
}

/**
 * Finds the uid, gid, groups and home directory for a user spec:
 * - a user without a group gets the primary group of its passwd entry and every group that lists
 *   it as a member, as initgroups(3) gives;
 * - a numeric uid with a passwd entry behaves like the entry's name;
 * - a numeric uid without one keeps `currentGid` and gets no supplementary groups;
 * - a group (name or number) replaces both the gid and the whole group list;
 * - HOME is the entry's home directory, or `/` without one.
 * @throws UserLookupError for a user or group name that is not in the database.
 */
export function resolveUser(spec: UserSpec, database: UserDatabase, currentGid: number): TargetUser {
  const numericUid = parseId(spec.user);
  const entry =
    database.passwd.find((candidate) => candidate.name === spec.user) ??
    (numericUid === undefined ? undefined : database.passwd.find((candidate) => candidate.uid === numericUid));

  let target: TargetUser;
  if (entry) {
    target = { uid: entry.uid, gid: entry.gid, groups: groupsOf(entry, database.group), home: entry.home || '/' };
  } else if (numericUid !== undefined) {
    target = { uid: numericUid, gid: currentGid, groups: [], home: '/' };
  } else {
    throw new UserLookupError(`unknown user "${spec.user}": no such name in ${PASSWD_FILE} (give a listed name or a numeric uid)`);
  }

  if (spec.group !== undefined) {
    const gid = resolveGroup(spec.group, database.group);
    target = { ...target, gid, groups: [gid] };
  }
  return target;
}

// The primary group first, then every group listing the user by name, without repeats.
function groupsOf(entry: PasswdEntry, groups: GroupEntry[]): number[] {
  const result = [entry.gid];
  for (const group of groups) {
    if (group.members.includes(entry.name) && !result.includes(group.gid)) {
      result.push(group.gid);
    }
  }
  return result;
}

function resolveGroup(name: string, groups: GroupEntry[]): number {
  const byName = groups.find((candidate) => candidate.name === name);
  if (byName) {
    return byName.gid;
  }
  const gid = parseId(name);
  if (gid === undefined) {
    throw new UserLookupError(`unknown group "${name}": no such name in ${GROUP_FILE} (give a listed name or a numeric gid)`);
  }
  return gid;
}
