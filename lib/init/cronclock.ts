/**
 * Clock-change rules of cronie's cron(8): which jobs run when the wall clock does not simply move
 * on by one minute between two checks.
 *
 * Like cronie, the rules work on wall-clock minutes (local time, so a daylight-saving change looks
 * like a clock step) and keep a "virtual" minute: the latest minute whose jobs have run, which
 * moves forward only. With `diff` = current minute - virtual minute:
 *
 * - diff 1: normal progress. Every job that matches the current minute runs.
 * - diff 2-5: a late wake-up (busy machine, small step). Every job runs for each missed minute.
 * - diff 6 to a jump of under 3 hours forward, such as the daylight-saving gap: wildcard jobs run
 *   if they match the current minute, and fixed-time jobs run once for the minutes skipped.
 * - diff 0 or less, a jump of under 3 hours back, such as the repeated daylight-saving hour:
 *   wildcard jobs run if they match. Fixed-time jobs wait until the clock passes the virtual minute
 *   again, so they never run twice for the same minute.
 * - a jump of 3 hours or more either way: the new time is taken as is and whatever matches it runs.
 *
 * A wildcard job has a minute or hour field that starts with `*`; every other job is fixed-time.
 * cronie counts a jump as large when diff is beyond +-180; here the jump is the clock step beyond
 * the expected minute (diff - 1), and 180 minutes or more is large either way.
 */

import type { CronSpec } from '../config/cronspec';
import {
  findOffsetChange, matchesWallMinute, MINUTE_MS, nextTime, nextWallTime, OFFSET_WINDOW_MS,
  utcOffsetAt, wallMinuteOf,
} from '../config/cronnext';

/** Clock step, in minutes, from which the new time is taken as is. */
export const LARGE_JUMP_MINUTES = 180;

/** Largest diff that counts as a late wake-up, whose missed minutes all run (as in cronie). */
const LATE_WAKE_MINUTES = 5;

/** Kind of wall-clock movement since the last check, named after cronie's cases. */
export type ClockStep = 'next-minute' | 'late' | 'forward' | 'backward' | 'jump';

/** Scheduler position between two checks, in wall-clock minutes (see wallMinuteOf). */
export interface ClockState {
  /** Minute of the last check. */
  readonly lastMinute: number;
  /** Latest minute whose jobs have run; it moves back only after a jump of 3 hours or more. */
  readonly virtualMinute: number;
}

/** Outcome of one check: the new state, what the clock did, and the entries to start now. */
export interface ClockCheck<T> {
  readonly state: ClockState;
  readonly step: ClockStep;
  /** Clock movement since the last check beyond the expected minute (negative: moved back). */
  readonly jumpMinutes: number;
  /** Entries to start, each at most once. */
  readonly due: T[];
}

/** Anything with a schedule; entries with a null spec (`@reboot`) never become due here. */
export interface Scheduled {
  readonly spec: CronSpec | null;
}

/** State at scheduler start: the current minute counts as handled, as in cronie. */
export function startClock(nowMs: number): ClockState {
  const minute = wallMinuteOf(nowMs);
  return { lastMinute: minute, virtualMinute: minute };
}

/**
 * Decide which entries run at `nowMs`. Returns null while the wall clock is still in the minute of
 * the last check (a wake-up that came early, or a step back of seconds within the same minute).
 */
export function checkClock<T extends Scheduled>(
  state: ClockState, nowMs: number, entries: readonly T[],
): ClockCheck<T> | null {
  const minute = wallMinuteOf(nowMs);
  if (minute === state.lastMinute) {
    return null;
  }

  const diff = minute - state.virtualMinute;
  const jumpMinutes = minute - state.lastMinute - 1;
  const due = new DueList(entries);
  const caughtUp: ClockState = { lastMinute: minute, virtualMinute: minute };

  if (diff === 1) {
    due.add(minute, true, true);
    return { state: caughtUp, step: 'next-minute', jumpMinutes, due: due.entries };
  }
  if (Math.abs(diff - 1) >= LARGE_JUMP_MINUTES) {
    due.add(minute, true, true);
    return { state: caughtUp, step: 'jump', jumpMinutes, due: due.entries };
  }
  if (diff > 1 && diff <= LATE_WAKE_MINUTES) {
    for (let missed = state.virtualMinute + 1; missed <= minute; missed++) {
      due.add(missed, true, true);
    }
    return { state: caughtUp, step: 'late', jumpMinutes, due: due.entries };
  }
  if (diff > LATE_WAKE_MINUTES) {
    due.add(minute, true, false);
    for (let skipped = state.virtualMinute + 1; skipped <= minute; skipped++) {
      due.add(skipped, false, true);
    }
    return { state: caughtUp, step: 'forward', jumpMinutes, due: due.entries };
  }

  due.add(minute, true, false);
  const behind: ClockState = { lastMinute: minute, virtualMinute: state.virtualMinute };
  return { state: behind, step: 'backward', jumpMinutes, due: due.entries };
}

/** Entries that match given minutes, each kept once, in the order found. */
class DueList<T extends Scheduled> {
  readonly entries: T[] = [];
  private readonly seen = new Set<T>();

  constructor(private readonly all: readonly T[]) {}

  add(minute: number, wildcard: boolean, fixedTime: boolean): void {
    for (const entry of this.all) {
      const spec = entry.spec;
      if (spec === null || this.seen.has(entry)) {
        continue;
      }
      const isWildcard = spec.minuteWild || spec.hourWild;
      if ((isWildcard ? wildcard : fixedTime) && matchesWallMinute(spec, minute)) {
        this.seen.add(entry);
        this.entries.push(entry);
      }
    }
  }
}

/**
 * Find the first instant after `after` at which a scheduler that has been running all along starts
 * a job with this spec, by the rules above. It differs from nextTime only for fixed-time jobs around
 * a daylight-saving change: a time in the skipped hour starts when the gap ends, and a time in the
 * repeated hour starts only the first time. Returns null if the spec never matches.
 * NOTE: when the UTC offset moves back by 3 hours or more (no daylight-saving rule does), the
 * scheduler runs the repeated fixed times again, and this function does not list those runs.
 */
export function nextStartTime(spec: CronSpec, after: Date): Date | null {
  if (spec.minuteWild || spec.hourWild) {
    return nextTime(spec, after);
  }

  let fromWall = (virtualMinuteAt(after.getTime()) + 1) * MINUTE_MS;
  for (;;) {
    const wall = nextWallTime(spec, fromWall);
    if (wall === null) {
      return null;
    }
    const start = firstInstantReaching(wall);
    if (start !== null) {
      return new Date(start);
    }
    fromWall = wall + MINUTE_MS;
  }
}

/**
 * Return the virtual minute of a scheduler at instant `ms`: the latest wall-clock minute it has
 * reached, which is ahead of the clock during a repeated hour.
 */
function virtualMinuteAt(ms: number): number {
  const minute = wallMinuteOf(ms);
  const offset = utcOffsetAt(ms);
  const earlier = Math.floor(ms / MINUTE_MS) * MINUTE_MS - LARGE_JUMP_MINUTES * MINUTE_MS;
  const earlierOffset = utcOffsetAt(earlier);
  const drop = earlierOffset - offset;

  if (drop <= 0 || drop >= LARGE_JUMP_MINUTES * MINUTE_MS) {
    return minute;
  }
  const change = findOffsetChange(earlier, ms, earlierOffset);
  return Math.max(minute, wallMinuteOf(change - MINUTE_MS));
}

/**
 * Return the first instant whose wall time is `wall` or later: its first occurrence, or the end of
 * the gap if the clock skips it. Returns null for a gap of 3 hours or more, whose minutes the
 * scheduler skips as a large jump.
 */
function firstInstantReaching(wall: number): number | null {
  const offsetBefore = utcOffsetAt(wall - OFFSET_WINDOW_MS);
  const offsetAfter = utcOffsetAt(wall + OFFSET_WINDOW_MS);
  const candidates = [wall - offsetBefore, wall - offsetAfter]
    .filter((instant) => utcOffsetAt(instant) === wall - instant);

  if (candidates.length > 0) {
    return Math.min(...candidates);
  }
  if (offsetAfter - offsetBefore >= LARGE_JUMP_MINUTES * MINUTE_MS) {
    return null;
  }
  return findOffsetChange(wall - OFFSET_WINDOW_MS, wall + OFFSET_WINDOW_MS, offsetBefore);
}
