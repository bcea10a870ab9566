/**
 * Matching a CronSpec against the local wall clock (TZ) and finding its next matching instant.
 *
 * Schedules are written in local wall-clock time. Here a "wall time" is that local time written as
 * if it were UTC, in milliseconds since the epoch. The calendar search then runs on plain UTC
 * arithmetic, and daylight saving matters only when wall times are turned back into instants.
 */

import type { CronSpec } from './cronspec';

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The Gregorian calendar repeats every 400 years, so a search that long finds any match there is. */
const CALENDAR_CYCLE_YEARS = 400;

/**
 * Span in which a zone's UTC offset is assumed to change at most once, and by less than this span.
 * Checked hourly from 1970 to 2040 for every zone that Intl.supportedValuesOf('timeZone') lists on
 * Node 20: changes are at least 7 days apart, and the largest, when Samoa and Kwajalein moved
 * across the date line, skip one day.
 */
export const OFFSET_WINDOW_MS = 2 * DAY_MS;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Tables for a fast search: for each value, the next allowed value at or after it, or -1. */
interface Lookup {
  minute: Int8Array;
  hour: Int8Array;
  month: Int8Array;
  dayOfMonth: Uint8Array;
  dayOfWeek: Uint8Array;
}

const lookups = new WeakMap<CronSpec, Lookup>();

/** UTC offset of local time (TZ) at instant `ms`, in milliseconds, positive east of Greenwich. */
export function utcOffsetAt(ms: number): number {
  return -new Date(ms).getTimezoneOffset() * MINUTE_MS;
}

/** Wall time (local time written as UTC) of instant `ms`. */
export function wallTimeOf(ms: number): number {
  return ms + utcOffsetAt(ms);
}

/** Wall-clock minute of instant `ms`: whole minutes since 1970-01-01 00:00 local time. */
export function wallMinuteOf(ms: number): number {
  return Math.floor(wallTimeOf(ms) / MINUTE_MS);
}

/** Tell whether `date` falls in a minute the spec allows, in local time (TZ). */
export function matches(spec: CronSpec, date: Date): boolean {
  return matchesFields(
    spec, date.getMinutes(), date.getHours(), date.getDate(), date.getMonth() + 1, date.getDay(),
  );
}

/** Tell whether the wall-clock minute `wallMinute` (see wallMinuteOf) is allowed by the spec. */
export function matchesWallMinute(spec: CronSpec, wallMinute: number): boolean {
  const wall = new Date(wallMinute * MINUTE_MS);
  return matchesFields(
    spec, wall.getUTCMinutes(), wall.getUTCHours(), wall.getUTCDate(), wall.getUTCMonth() + 1,
    wall.getUTCDay(),
  );
}

function matchesFields(
  spec: CronSpec, minute: number, hour: number, day: number, month: number, weekday: number,
): boolean {
  const lookup = lookupOf(spec);
  return lookup.minute[minute] === minute && lookup.hour[hour] === hour &&
    lookup.month[month] === month && dayMatches(spec, lookup, day, weekday);
}

/**
 * Day-of-month and day-of-week are ORed when both are restricted, and ANDed when either field
 * starts with `*`, as in Vixie cron and cronie.
 */
function dayMatches(spec: CronSpec, lookup: Lookup, day: number, weekday: number): boolean {
  const domAllows = lookup.dayOfMonth[day] === 1;
  const dowAllows = lookup.dayOfWeek[weekday] === 1;
  return spec.domStar || spec.dowStar ? domAllows && dowAllows : domAllows || dowAllows;
}

/**
 * Find the first wall time at or after `fromWall` (rounded up to a whole minute) that the spec
 * allows, on the plain calendar with no time zone. Returns null if none exists.
 */
export function nextWallTime(spec: CronSpec, fromWall: number): number | null {
  const lookup = lookupOf(spec);
  const start = new Date(Math.ceil(fromWall / MINUTE_MS) * MINUTE_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let hour = start.getUTCHours();
  let minute = start.getUTCMinutes();
  const lastYear = year + CALENDAR_CYCLE_YEARS;

  while (year <= lastYear) {
    const allowedMonth = lookup.month[month];
    if (allowedMonth !== month) {
      year += allowedMonth < 0 ? 1 : 0;
      month = allowedMonth < 0 ? lookup.month[1] : allowedMonth;
      day = 1;
      hour = 0;
      minute = 0;
      continue;
    }

    if (day > daysInMonth(year, month)) {
      year += month === 12 ? 1 : 0;
      month = month === 12 ? 1 : month + 1;
      day = 1;
      hour = 0;
      minute = 0;
      continue;
    }

    const allowedHour = lookup.hour[hour];
    if (allowedHour < 0 || !dayMatches(spec, lookup, day, weekdayOf(year, month, day))) {
      day += 1;
      hour = 0;
      minute = 0;
      continue;
    }
    if (allowedHour !== hour) {
      hour = allowedHour;
      minute = 0;
    }

    const allowedMinute = lookup.minute[minute];
    if (allowedMinute < 0) {
      hour += 1;
      minute = 0;
      continue;
    }
    return Date.UTC(year, month - 1, day, hour, allowedMinute);
  }
  return null;
}

/**
 * Find the first instant strictly after `after`, at a whole minute, whose local wall-clock time
 * (TZ) the spec allows. Wall-clock minutes that do not exist, because the clock moves forward for
 * daylight saving, never match. Minutes that occur twice, because it moves back, match both times.
 * The clock-change rules, not this function, decide how the scheduler treats those minutes.
 * Returns null when the spec never matches.
 */
export function nextTime(spec: CronSpec, after: Date): Date | null {
  let from = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;

  // Each pass returns, moves to the next offset change, or moves close to the candidate, so
  // `from` only grows. The bound only guards against a broken time zone database.
  for (let pass = 0; pass < 100_000; pass++) {
    const offset = utcOffsetAt(from);
    const wall = nextWallTime(spec, from + offset);
    if (wall === null) {
      return null;
    }
    const candidate = wall - offset;
    const windowEnd = from + OFFSET_WINDOW_MS;

    if (utcOffsetAt(windowEnd) !== offset) {
      // The candidate is right only if it comes before the offset changes.
      const change = findOffsetChange(from, windowEnd, offset);
      if (candidate < change) {
        return new Date(candidate);
      }
      from = change;
    } else if (candidate <= windowEnd) {
      return new Date(candidate);
    } else {
      // Between here and a window before the candidate, wall times stay between the two, where
      // nothing matches. Only the offset near the candidate can still move it.
      from = candidate - OFFSET_WINDOW_MS;
    }
  }
  throw new Error(`nextTime: no result after 100000 passes from ${after.toISOString()}; is the time zone data broken?`);
}

/**
 * Find the first whole-minute instant in (from, to] where the UTC offset is no longer `offset`.
 * The caller guarantees that the offset is `offset` at `from`, differs at `to`, and changes once.
 */
export function findOffsetChange(from: number, to: number, offset: number): number {
  let low = from;
  let high = to;
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (utcOffsetAt(middle) === offset) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return high;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month];
}

/** Day of the week, 0 for Sunday; 1970-01-01 was a Thursday. */
function weekdayOf(year: number, month: number, day: number): number {
  const days = Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
  return (((days + 4) % 7) + 7) % 7;
}

function lookupOf(spec: CronSpec): Lookup {
  let lookup = lookups.get(spec);
  if (lookup === undefined) {
    lookup = {
      minute: nextAllowedTable(spec.minutes, 60),
      hour: nextAllowedTable(spec.hours, 24),
      month: nextAllowedTable(spec.months, 13),
      dayOfMonth: memberTable(spec.daysOfMonth, 32),
      dayOfWeek: memberTable(spec.daysOfWeek, 7),
    };
    lookups.set(spec, lookup);
  }
  return lookup;
}

/** Table of `size + 1` entries: the smallest allowed value >= index, or -1 (also at index `size`). */
function nextAllowedTable(values: readonly number[], size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  let next = -1;
  for (let index = size - 1; index >= 0; index--) {
    if (values.includes(index)) {
      next = index;
    }
    table[index] = next;
  }
  return table;
}

function memberTable(values: readonly number[], size: number): Uint8Array {
  const table = new Uint8Array(size);
  for (const value of values) {
    table[value] = 1;
  }
  return table;
}
