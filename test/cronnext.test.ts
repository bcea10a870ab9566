// Node reads TZ again whenever process.env.TZ is assigned, so each test sets the zone it needs.
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Cron } from 'croner';

import { type CronSpec, parseSchedule } from '../lib/config/cronspec';
import {
  matches, matchesWallMinute, nextTime, nextWallTime, utcOffsetAt, wallMinuteOf,
} from '../lib/config/cronnext';
import { nextStartTime } from '../lib/init/cronclock';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function parse(text: string): CronSpec {
  return parseSchedule(text.split(' '));
}

/** Run `body` with TZ set to `zone`, restoring UTC afterwards. */
function inZone<T>(zone: string, body: () => T): T {
  process.env.TZ = zone;
  try {
    return body();
  } finally {
    process.env.TZ = 'UTC';
  }
}

/** Enumerate the times `next` returns from `from` (exclusive) up to `to` (exclusive). */
function enumerate(next: (after: Date) => Date | null, from: Date, to: Date): Date[] {
  const times: Date[] = [];
  for (let time = next(from); time !== null && time < to; time = next(time)) {
    times.push(time);
  }
  return times;
}

const iso = (dates: Array<Date | null>): Array<string | null> => dates.map((date) => date?.toISOString() ?? null);

test('TZ assignments take effect at once', () => {
  const instant = Date.UTC(2026, 0, 1);
  assert.equal(inZone('America/New_York', () => new Date(instant).getTimezoneOffset()), 300);
  assert.equal(inZone('Australia/Sydney', () => new Date(instant).getTimezoneOffset()), -660);
  assert.equal(new Date(instant).getTimezoneOffset(), 0);
});

test('matches in local time', () => {
  const spec = parse('30 8 * * 1-5');
  inZone('America/New_York', () => {
    assert.equal(matches(spec, new Date('2026-03-09T08:30:00-04:00')), true);
    assert.equal(matches(spec, new Date('2026-03-09T08:30:00Z')), false);
    assert.equal(matches(spec, new Date('2026-03-08T08:30:00-04:00')), false, 'a Sunday');
    assert.equal(matches(spec, new Date('2026-03-09T08:31:00-04:00')), false);
  });
});

test('matches ignores seconds', () => {
  assert.equal(matches(parse('5 * * * *'), new Date('2026-01-01T10:05:59.999Z')), true);
});

test('matches a wall-clock minute number', () => {
  const spec = parse('0 12 13 * 5');
  const wallMinute = Date.UTC(2026, 1, 13, 12, 0) / MINUTE;
  assert.equal(matchesWallMinute(spec, wallMinute), true);
  assert.equal(matchesWallMinute(spec, wallMinute + 1), false);
});

test('wall minute includes the UTC offset', () => {
  inZone('Australia/Sydney', () => {
    const instant = Date.UTC(2026, 0, 1, 0, 0, 30);
    assert.equal(utcOffsetAt(instant), 11 * HOUR);
    assert.equal(wallMinuteOf(instant), Date.UTC(2026, 0, 1, 11, 0) / MINUTE);
  });
});

test('day fields are ORed only when both are restricted', () => {
  const friday13 = new Date('2026-02-13T00:00:00Z');
  const friday20 = new Date('2026-02-20T00:00:00Z');
  const monday13 = new Date('2026-04-13T00:00:00Z');
  const either = parse('0 0 13 * 5');
  assert.equal(matches(either, friday13), true);
  assert.equal(matches(either, friday20), true);
  assert.equal(matches(either, monday13), true);
  const both = parse('0 0 */2 * 5');
  assert.equal(matches(both, friday13), true, 'odd day and a Friday');
  assert.equal(matches(both, friday20), false, 'even day');
  assert.equal(matches(both, new Date('2026-02-15T00:00:00Z')), false, 'odd day, a Sunday');
});

// Each row: expression, start instant (exclusive), expected next instant; all in UTC.
const nextRows: Array<[label: string, expr: string, after: string, next: string | null]> = [
  ['next minute', '* * * * *', '2026-01-01T10:00:00Z', '2026-01-01T10:01:00Z'],
  ['strictly after, from a match', '0 * * * *', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z'],
  ['seconds round up', '* * * * *', '2026-01-01T10:00:59.999Z', '2026-01-01T10:01:00Z'],
  ['star step starts at 0', '*/15 * * * *', '2026-12-04T12:59:50Z', '2026-12-04T13:00:00Z'],
  ['end of hour rolls over', '5 * * * *', '2026-01-01T23:59:00Z', '2026-01-02T00:05:00Z'],
  ['end of day rolls over', '0 0 * * *', '2026-12-31T23:59:00Z', '2027-01-01T00:00:00Z'],
  ['end of month rolls over', '0 12 1 * *', '2026-01-31T13:00:00Z', '2026-02-01T12:00:00Z'],
  ['skips months without day 31', '0 0 31 * *', '2026-01-31T00:00:00Z', '2026-03-31T00:00:00Z'],
  ['February 29 in the next leap year', '0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
  ['February 29 skips 2100', '0 0 29 2 *', '2096-03-01T00:00:00Z', '2104-02-29T00:00:00Z'],
  ['weekday only', '0 9 * * 1', '2026-01-01T00:00:00Z', '2026-01-05T09:00:00Z'],
  ['Sunday written as 7', '0 9 * * 7', '2026-01-01T00:00:00Z', '2026-01-04T09:00:00Z'],
  ['day OR weekday', '0 0 13 * 5', '2026-02-07T00:00:00Z', '2026-02-13T00:00:00Z'],
  ['day OR weekday, the weekday first', '0 0 28 * 1', '2026-02-07T00:00:00Z', '2026-02-09T00:00:00Z'],
  ['star-step day AND weekday', '0 0 */2 * 1', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'],
  ['13th that is a Sunday, star weekday ANDed', '0 0 13 * */7', '2026-01-01T00:00:00Z', '2026-09-13T00:00:00Z'],
  ['month and hour lists', '15 6,18 * 3,9 *', '2026-03-31T18:15:00Z', '2026-09-01T06:15:00Z'],
  ['next year', '0 0 1 1 *', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
  ['December 31 at the last minute', '59 23 31 12 *', '2026-06-01T00:00:00Z', '2026-12-31T23:59:00Z'],
];

for (const [label, expr, after, next] of nextRows) {
  test(`nextTime: ${label}`, () => {
    assert.equal(nextTime(parse(expr), new Date(after))?.toISOString() ?? null, next === null ? null : new Date(next).toISOString());
  });
}

test('nextTime returns null when nothing matches', () => {
  // A spec that parseSchedule rejects, built by hand: February 30.
  const spec: CronSpec = { ...parse('0 0 1 2 *'), daysOfMonth: [30] };
  assert.equal(nextTime(spec, new Date('2026-01-01T00:00:00Z')), null);
  assert.equal(nextWallTime(spec, Date.UTC(2026, 0, 1)), null);
  assert.equal(nextStartTime(spec, new Date('2026-01-01T00:00:00Z')), null);
});

test('nextTime finds a match 8 years away', () => {
  // Only in leap years, and only when February 29 is a Monday (AND through the star weekday step).
  const spec = parse('0 0 29 2 */1');
  assert.deepEqual(iso([nextTime(spec, new Date('2026-01-01T00:00:00Z'))]), ['2028-02-29T00:00:00.000Z']);
});

test('star step of 15 fires on the hour', () => {
  // Clock at 2026-12-04 12:59:50 local: the next run is 13:00:00.
  inZone('Australia/Sydney', () => {
    const next = nextTime(parse('*/15 * * * *'), new Date('2026-12-04T12:59:50+11:00'));
    assert.equal(next?.toISOString(), new Date('2026-12-04T13:00:00+11:00').toISOString());
  });
});

test('day OR rule over 2026', () => {
  inZone('Australia/Sydney', () => {
    const from = new Date(2025, 11, 31, 23, 59);
    const to = new Date(2027, 0, 1);
    const runs = (expr: string): Date[] => {
      const spec = parse(expr);
      return enumerate((after) => nextTime(spec, after), from, to);
    };
    const friday13 = runs('0 0 13 * 5');
    const thirteenths = runs('0 0 13 * *');
    const fridays = runs('0 0 * * 5');
    const oddMondays = runs('0 0 */2 * 1');

    assert.equal(friday13.length, 61);
    assert.equal(thirteenths.length, 12);
    assert.equal(fridays.length, 52);
    assert.equal(oddMondays.length, 26);
    assert.deepEqual(
      [oddMondays[0].getFullYear(), oddMondays[0].getMonth() + 1, oddMondays[0].getDate()],
      [2026, 1, 5],
    );
    const both = friday13.filter((date) => date.getDate() === 13 && date.getDay() === 5);
    assert.deepEqual(both.map((date) => date.getMonth() + 1), [2, 3, 11]);
  });
});

test('nextTime skips the spring-forward gap', () => {
  inZone('America/New_York', () => {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that day.
    const spec = parse('30 2 * * *');
    assert.equal(nextTime(spec, new Date('2026-03-07T12:00:00-05:00'))?.toISOString(), '2026-03-09T06:30:00.000Z');
    const hourly = parse('30 * * * *');
    assert.deepEqual(iso([
      nextTime(hourly, new Date('2026-03-08T01:00:00-05:00')),
      nextTime(hourly, new Date('2026-03-08T01:30:00-05:00')),
    ]), ['2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z']);
  });
});

test('nextTime matches a repeated time twice', () => {
  inZone('America/New_York', () => {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:30 occurs at 05:30Z and 06:30Z.
    const spec = parse('30 1 * * *');
    const runs = enumerate((after) => nextTime(spec, after), new Date('2026-10-31T12:00:00Z'), new Date('2026-11-03T00:00:00Z'));
    assert.deepEqual(iso(runs), ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
});

test('nextTime from inside the repeated hour', () => {
  inZone('America/New_York', () => {
    const spec = parse('10 1 * * *');
    // From 01:50 EDT, 01:10 comes again at 01:10 EST.
    assert.equal(nextTime(spec, new Date('2026-11-01T01:50:00-04:00'))?.toISOString(), '2026-11-01T06:10:00.000Z');
    // From 01:20 EST the second 01:10 has passed too.
    assert.equal(nextTime(spec, new Date('2026-11-01T01:20:00-05:00'))?.toISOString(), '2026-11-02T06:10:00.000Z');
  });
});

test('nextTime across a half-hour shift', () => {
  inZone('Australia/Lord_Howe', () => {
    // 2026-10-04: 02:00 +10:30 becomes 02:30 +11:00, so 02:00-02:29 do not exist.
    const spec = parse('15,45 2 * * *');
    assert.equal(nextTime(spec, new Date('2026-10-04T01:00:00+10:30'))?.toISOString(), new Date('2026-10-04T02:45:00+11:00').toISOString());
  });
});

test('nextTime across a skipped calendar day', () => {
  inZone('Pacific/Apia', () => {
    // Samoa moved across the date line: 2011-12-29 23:59 -10:00 was followed by 2011-12-31 00:00 +14:00.
    assert.equal(nextTime(parse('0 12 30 12 *'), new Date('2011-12-01T00:00:00Z'))?.toISOString(), new Date('2012-12-30T12:00:00+14:00').toISOString());
    assert.equal(nextTime(parse('0 0 31 12 *'), new Date('2011-04-01T00:00:00Z'))?.toISOString(), new Date('2011-12-31T00:00:00+14:00').toISOString());
    assert.equal(nextTime(parse('0 12 * * *'), new Date('2011-12-29T13:00:00-10:00'))?.toISOString(), new Date('2011-12-31T12:00:00+14:00').toISOString());
  });
});

test('nextTime agrees with a minute scan near offset changes', () => {
  // Frequent schedules, so that the scan stays short; starts every 3 hours in the 2 days around
  // each offset change of 2011-2012 (daylight saving, and Samoa skipping a day).
  const expressions = ['0 12 * * *', '30 0 * * *', '*/30 * * * *', '15 23 * * *', '45 1,2 * * *'];
  let checked = 0;

  for (const zone of ['America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Apia']) {
    inZone(zone, () => {
      for (let day = Date.UTC(2011, 0, 1); day < Date.UTC(2013, 0, 1); day += DAY) {
        if (utcOffsetAt(day) === utcOffsetAt(day + 2 * DAY)) {
          continue;
        }
        for (const expr of expressions) {
          const spec = parse(expr);
          for (let start = day; start < day + 2 * DAY; start += 3 * HOUR) {
            let expected = start + MINUTE;
            while (!matches(spec, new Date(expected))) {
              expected += MINUTE;
            }
            assert.equal(nextTime(spec, new Date(start))?.getTime(), expected, `${zone} "${expr}" after ${new Date(start).toISOString()}`);
            checked++;
          }
        }
      }
    });
  }
  assert.ok(checked > 500, `checked ${checked} starts`);
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Generator of random but valid crontab fields, using every syntax form. */
class ExpressionGenerator {
  constructor(private readonly random: () => number) {}

  private integer(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length - 1)];
  }

  private name(value: number, names: readonly string[] | undefined, base: number): string {
    if (names === undefined || this.random() < 0.6) {
      return String(value);
    }
    const name = names[(value - base) % names.length];
    return this.pick([name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1)]);
  }

  /** One list item; `wild` fields start with a star form. */
  private item(low: number, high: number, names?: readonly string[], base = low): string {
    const kind = this.integer(0, 5);
    const a = this.integer(low, high);
    const b = this.integer(a, high);
    const step = this.integer(1, Math.max(2, Math.floor((high - low) / 2)));
    switch (kind) {
      case 0:
        return this.name(a, names, base);
      case 1:
        return `${this.name(a, names, base)}-${this.name(b, names, base)}`;
      case 2:
        return `${this.name(a, names, base)}-${this.name(b, names, base)}/${step}`;
      case 3:
        return `${this.name(a, names, base)}/${step}`;
      default:
        return String(a);
    }
  }

  field(low: number, high: number, starChance: number, names?: readonly string[], base = low): string {
    const roll = this.random();
    if (roll < starChance) {
      return this.pick(['*', '*', `*/${this.integer(1, Math.max(2, high - low))}`]) +
        (this.random() < 0.2 ? `,${this.item(low, high, names, base)}` : '');
    }
    const count = this.integer(1, 3);
    return Array.from({ length: count }, () => this.item(low, high, names, base)).join(',');
  }

  weekdayField(): string {
    const roll = this.random();
    if (roll < 0.1) {
      return this.pick(['fri-sun', '5-0', 'sat-7', '1-7', '0,7']);
    }
    return this.field(0, 7, 0.6, WEEKDAY_NAMES, 0);
  }

  expression(): string {
    return [
      this.field(0, 59, 0.35),
      this.field(0, 23, 0.45),
      this.field(1, 31, 0.65),
      this.field(1, 12, 0.7, MONTH_NAMES, 1),
      this.weekdayField(),
    ].join(' ');
  }
}

/**
 * Render a parsed spec for croner. Fields that start with `*` keep their star step (croner counts
 * them as wildcard, or "interval", jobs, as cronie does); every other field becomes the explicit
 * list of its values, which croner counts as fixed-time under fixedTimeRule "no-wildcard". So the
 * comparison checks the time computation; the parser has its own table tests.
 */
function cronerPattern(expr: string, spec: CronSpec): string {
  const [minute, hour] = expr.split(' ');
  const starPart = (text: string, values: readonly number[]): string => {
    const star = text.split(',')[0];
    return `${star},${values.join(',')}`;
  };
  return [
    spec.minuteWild ? starPart(minute, spec.minutes) : spec.minutes.join(','),
    spec.hourWild ? starPart(hour, spec.hours) : spec.hours.join(','),
    spec.daysOfMonth.join(','),
    spec.months.join(','),
    spec.daysOfWeek.join(','),
  ].join(' ');
}

function cronerFor(expr: string, spec: CronSpec, zone: string): Cron {
  return new Cron(cronerPattern(expr, spec), {
    ...(zone === 'UTC' ? { utcOffset: 0 } : { timezone: zone }),
    fixedTimeRule: 'no-wildcard',
    // croner has one switch for the day rule; cronie ANDs when either day field starts with `*`.
    domAndDow: spec.domStar || spec.dowStar,
  });
}

/** Offset changes of the current TZ from 2020 to 2045. */
function offsetChanges(): number[] {
  const changes: number[] = [];
  for (let day = Date.UTC(2020, 0, 1); day < Date.UTC(2045, 0, 1); day += DAY) {
    if (utcOffsetAt(day) !== utcOffsetAt(day + DAY)) {
      let low = day;
      let high = day + DAY;
      while (high - low > MINUTE) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
        if (utcOffsetAt(middle) === utcOffsetAt(day)) {
          low = middle;
        } else {
          high = middle;
        }
      }
      changes.push(high);
    }
  }
  return changes;
}

const ZONES = ['UTC', 'Australia/Sydney', 'America/New_York'];

test('next times agree with croner for 2000 expressions', (t) => {
  const started = performance.now();
  const random = randomSource(0x5eed);
  const generator = new ExpressionGenerator(random);
  const expressions: Array<[string, CronSpec]> = [];
  while (expressions.length < 2000) {
    const expr = generator.expression();
    try {
      expressions.push([expr, parse(expr)]);
    } catch (error) {
      // Random days and months may never meet (day 31 in February only): draw again.
      assert.match((error as Error).message, /never run/, expr);
    }
  }

  let compared = 0;
  let calendarCompared = 0;
  let calendarFiltered = 0;
  for (const zone of ZONES) {
    inZone(zone, () => {
      const changes = offsetChanges();
      for (const [expr, spec] of expressions) {
        const croner = cronerFor(expr, spec, zone);
        for (let instant = 0; instant < 5; instant++) {
          // Three instants anywhere in 2020-2034, two in the 36 hours before an offset change.
          const start = instant < 3 || changes.length === 0
            ? Date.UTC(2020, 0, 1) + Math.floor(random() * 15 * 365 * DAY)
            : changes[Math.floor(random() * changes.length / 2)] - Math.floor(random() * 36 * HOUR);
          const theirs = croner.nextRuns(10, new Date(start));

          let previous = new Date(start);
          for (const expected of theirs) {
            const ours = nextStartTime(spec, previous);
            assert.equal(ours?.toISOString(), expected.toISOString(), `${zone} "${expr}" after ${previous.toISOString()}`);
            compared++;

            // The calendar search differs from croner only where croner applies the
            // daylight-saving rules: for a fixed-time job with an offset change in between.
            const calendar = nextTime(spec, previous);
            const fixedTime = !spec.minuteWild && !spec.hourWild;
            const later = Math.max(calendar?.getTime() ?? Infinity, expected.getTime());
            const offsetChanged = changes.some((change) => change > previous.getTime() && change <= later);
            if (fixedTime && offsetChanged) {
              calendarFiltered++;
            } else {
              assert.equal(calendar?.toISOString(), expected.toISOString(), `calendar ${zone} "${expr}" after ${previous.toISOString()}`);
              calendarCompared++;
            }
            previous = expected;
          }
        }
      }
    });
  }

  t.diagnostic(`compared ${compared} start times and ${calendarCompared} calendar times (${calendarFiltered} skipped by rule) in ${Math.round(performance.now() - started)} ms`);
  assert.ok(compared > 2000 * 3 * 45, `compared ${compared}`);
  assert.ok(calendarFiltered < compared / 50, `skipped ${calendarFiltered}`);
});

// Hand-picked schedules, enumerated over a whole year in zones with daylight saving.
const YEAR_EXPRESSIONS = [
  '0 0 * * *', '30 2 * * *', '30 1 * * *', '0 2 * * *', '59 1 * * *', '0 3 * * *', '15 2,14 * * *',
  '0 1-3 * * *', '*/30 1-3 * * *', '30 * * * *', '0 */2 * * *', '0 */6 * * *', '5 4 * * sun',
  '0 0 1 * *', '0 0 1 1 *', '0 0 1 */3 *', '0 0 13 * 5', '0 0 */2 * 1', '0 12 * * 1-5',
  '30 8 * jan-mar Mon-Fri', '0 12 * * sat,SUN', '0 9 1-7 * 1', '0 0 28-31 * *',
  '0 22 * * 1-5', '45 23 31 12 *', '0 0 29 2 *', '1-9/2 3 * * *', '10-40/15 8-17 * * 0-1,3-6',
  '5 1-1 * * *', '0 0 * * fri-sun', '0 0 1,15 * 3', '20 4 * * 7', '0 2 8-14 3 0', '0 1 1-7 11 0',
  '0 2 1-7 4 0', '0 2 1-7 10 0', '30 2 8 3 *', '30 1 1 11 *', '*/20 2 * * *', '0,30 2 * 3,10,11 *',
  '2 * * * *', '0 0 * * 0', '0 6 * * 6', '17 3 */5 * *', '0 0 1 jan,jul *', '0 1 * * 1,3,5',
  '0 2 */7 * *', '0 23 * * *', '0 12 15 * *', '50 1 * * *',
];

test('full-year runs agree with croner for 50 schedules', () => {
  assert.equal(YEAR_EXPRESSIONS.length, 50);
  for (const zone of ['America/New_York', 'Australia/Sydney']) {
    inZone(zone, () => {
      for (const expr of YEAR_EXPRESSIONS) {
        const spec = parse(expr);
        const croner = cronerFor(expr, spec, zone);
        const from = new Date(2025, 11, 31, 23, 59);
        const to = new Date(2027, 0, 1);
        const ours = enumerate((after) => nextStartTime(spec, after), from, to);
        const theirs = enumerate((after) => croner.nextRun(after), from, to);
        assert.deepEqual(iso(ours), iso(theirs), `${zone} "${expr}"`);
        for (const time of enumerate((after) => nextTime(spec, after), from, to)) {
          assert.ok(matches(spec, time), `${zone} "${expr}" at ${time.toISOString()}`);
        }
      }
    });
  }
});
