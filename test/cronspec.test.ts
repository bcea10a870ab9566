import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MACROS, parseMacro, parseSchedule, type CronSpec } from '../lib/config/cronspec';

const range = (first: number, last: number, step = 1): number[] => {
  const values: number[] = [];
  for (let value = first; value <= last; value += step) {
    values.push(value);
  }
  return values;
};

const ALL_MINUTES = range(0, 59);
const ALL_HOURS = range(0, 23);
const ALL_DAYS = range(1, 31);
const ALL_MONTHS = range(1, 12);
const ALL_WEEKDAYS = range(0, 6);

function parse(text: string): CronSpec {
  return parseSchedule(text.split(' '));
}

type FieldName = 'minutes' | 'hours' | 'daysOfMonth' | 'months' | 'daysOfWeek';

// Each row parses one field in place of `*` and checks the values it allows.
const fieldForms: Array<[label: string, field: FieldName, text: string, values: number[]]> = [
  ['star minute', 'minutes', '*', ALL_MINUTES],
  ['single minute', 'minutes', '7', [7]],
  ['minute with a leading zero', 'minutes', '07', [7]],
  ['minute 0 and 59', 'minutes', '0,59', [0, 59]],
  ['minute range', 'minutes', '10-15', range(10, 15)],
  ['one-value range', 'minutes', '5-5', [5]],
  ['star step 5 starts at 0', 'minutes', '*/5', range(0, 55, 5)],
  ['star step 15', 'minutes', '*/15', [0, 15, 30, 45]],
  ['star step 59', 'minutes', '*/59', [0, 59]],
  ['star step larger than the field', 'minutes', '*/60', [0]],
  ['step 1 is every value', 'minutes', '*/1', ALL_MINUTES],
  ['range with step', 'minutes', '1-9/2', [1, 3, 5, 7, 9]],
  ['range with step not reaching the end', 'minutes', '10-40/15', [10, 25, 40]],
  ['value with step runs to the maximum', 'minutes', '50/3', [50, 53, 56, 59]],
  ['list of ranges and steps', 'minutes', '0-4,*/20,33,50-58/4', [0, 1, 2, 3, 4, 20, 33, 40, 50, 54, 58]],
  ['overlapping list items', 'minutes', '1-5,3-7', range(1, 7)],
  ['unsorted list', 'minutes', '30,10,20', [10, 20, 30]],
  ['star hour', 'hours', '*', ALL_HOURS],
  ['hour step 6', 'hours', '*/6', [0, 6, 12, 18]],
  ['hour 23', 'hours', '23', [23]],
  ['hour range', 'hours', '8-17', range(8, 17)],
  ['star day of month', 'daysOfMonth', '*', ALL_DAYS],
  ['day of month step 10 starts at 1', 'daysOfMonth', '*/10', [1, 11, 21, 31]],
  ['day of month 31', 'daysOfMonth', '31', [31]],
  ['odd days of month', 'daysOfMonth', '*/2', range(1, 31, 2)],
  ['star month', 'months', '*', ALL_MONTHS],
  ['month step 3 starts at 1', 'months', '*/3', [1, 4, 7, 10]],
  ['month name', 'months', 'jan', [1]],
  ['month name in capitals', 'months', 'JAN', [1]],
  ['month name in mixed case', 'months', 'Dec', [12]],
  ['month name range', 'months', 'jan-mar', [1, 2, 3]],
  ['month name list', 'months', 'jun,AUG,oct', [6, 8, 10]],
  ['month name range with step', 'months', 'jan-dec/2', range(1, 11, 2)],
  ['month name with step', 'months', 'oct/1', [10, 11, 12]],
  ['month name mixed with a number', 'months', 'feb-4', [2, 3, 4]],
  ['star weekday', 'daysOfWeek', '*', ALL_WEEKDAYS],
  ['weekday 0 is Sunday', 'daysOfWeek', '0', [0]],
  ['weekday 7 is Sunday', 'daysOfWeek', '7', [0]],
  ['weekday 0 and 7 together', 'daysOfWeek', '0,7', [0]],
  ['weekday range 1-5', 'daysOfWeek', '1-5', [1, 2, 3, 4, 5]],
  ['weekday range up to 7', 'daysOfWeek', '5-7', [0, 5, 6]],
  ['weekday range ending in 0', 'daysOfWeek', '5-0', [0, 5, 6]],
  ['weekday range 0-0', 'daysOfWeek', '0-0', [0]],
  ['weekday names', 'daysOfWeek', 'Mon-Fri', [1, 2, 3, 4, 5]],
  ['weekday name range ending in sun', 'daysOfWeek', 'fri-sun', [0, 5, 6]],
  ['weekday name range from sun', 'daysOfWeek', 'sun-tue', [0, 1, 2]],
  ['weekday sun-sun', 'daysOfWeek', 'sun-sun', [0]],
  ['weekday names list in any case', 'daysOfWeek', 'sat,SUN', [0, 6]],
  ['weekday list of ranges', 'daysOfWeek', '0-1,3-6', [0, 1, 3, 4, 5, 6]],
  ['weekday star step 2', 'daysOfWeek', '*/2', [0, 2, 4, 6]],
  ['weekday star step 7 is Sunday', 'daysOfWeek', '*/7', [0]],
  ['weekday value with step folds 7 to Sunday', 'daysOfWeek', '1/2', [0, 1, 3, 5]],
];

const FIELD_ORDER: FieldName[] = ['minutes', 'hours', 'daysOfMonth', 'months', 'daysOfWeek'];

for (const [label, field, text, values] of fieldForms) {
  test(`parses ${label}`, () => {
    const fields = ['*', '*', '*', '*', '*'];
    fields[FIELD_ORDER.indexOf(field)] = text;
    const spec = parseSchedule(fields);
    assert.deepEqual(spec[field], values);
  });
}

test('parses every field of a full line', () => {
  assert.deepEqual(parse('10-40/15 8-17 1,15 jan-mar 0-1,3-6'), {
    minutes: [10, 25, 40],
    hours: range(8, 17),
    daysOfMonth: [1, 15],
    months: [1, 2, 3],
    daysOfWeek: [0, 1, 3, 4, 5, 6],
    domStar: false,
    dowStar: false,
    minuteWild: false,
    hourWild: false,
  });
});

const flags: Array<[label: string, text: string, expected: Partial<CronSpec>]> = [
  ['all stars', '* * * * *', { minuteWild: true, hourWild: true, domStar: true, dowStar: true }],
  ['fixed time', '30 2 * * *', { minuteWild: false, hourWild: false, domStar: true, dowStar: true }],
  ['minute step is wild', '*/5 2 * * *', { minuteWild: true, hourWild: false }],
  ['hour star is wild', '30 * * * *', { minuteWild: false, hourWild: true }],
  ['list starting with a star step is wild', '*/20,7 1 * * *', { minuteWild: true }],
  ['list with a later star step is not wild', '7,*/20 1 * * *', { minuteWild: false }],
  ['range step is fixed', '0-30/5 1-3 * * *', { minuteWild: false, hourWild: false }],
  ['day of month star step counts as star', '0 0 */2 * 1', { domStar: true, dowStar: false }],
  ['weekday star step counts as star', '0 0 13 * */2', { domStar: false, dowStar: true }],
  ['both day fields restricted', '0 0 13 * 5', { domStar: false, dowStar: false }],
];

for (const [label, text, expected] of flags) {
  test(`sets flags for ${label}`, () => {
    const spec = parse(text);
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(spec[key as keyof CronSpec], value, key);
    }
  });
}

// Each row: the five fields, the error class, and the message expected.
const errors: Array<[label: string, text: string, kind: typeof TypeError | typeof RangeError, message: string | RegExp]> = [
  ['minute out of range', '61 * * * *', RangeError, 'minute field "61": value 61 out of range 0-59'],
  ['minute 60', '60 * * * *', RangeError, 'minute field "60": value 60 out of range 0-59'],
  ['hour out of range', '0 24 * * *', RangeError, 'hour field "24": value 24 out of range 0-23'],
  ['day of month 0', '0 0 0 * *', RangeError, 'day-of-month field "0": value 0 out of range 1-31'],
  ['day of month 32', '0 0 32 * *', RangeError, 'day-of-month field "32": value 32 out of range 1-31'],
  ['month 0', '0 0 1 0 *', RangeError, 'month field "0": value 0 out of range 1-12'],
  ['month 13', '0 0 1 13 *', RangeError, 'month field "13": value 13 out of range 1-12'],
  ['weekday 8', '0 0 * * 8', RangeError, 'day-of-week field "8": value 8 out of range 0-7'],
  ['value out of range in a list', '1,61 * * * *', RangeError, 'minute field "1,61": value 61 out of range 0-59'],
  ['range end out of range', '50-60 * * * *', RangeError, 'minute field "50-60": value 60 out of range 0-59'],
  ['huge number', '99999999999999999999 * * * *', RangeError, /minute field "9+": value 9+ out of range 0-59/],
  ['step 0', '*/0 * * * *', RangeError, 'minute field "*/0": step 0 never advances; use a step of 1 or more'],
  ['step 0 on a range', '0 1-5/0 * * *', RangeError, /hour field "1-5\/0": step 0 never advances/],
  ['reversed range', '30-20 * * * *', RangeError, 'minute field "30-20": reversed range "30-20" (start after end); ranges do not wrap around, so write two ranges, e.g. "30-59,0-20"'],
  ['reversed month names', '0 0 1 dec-jan *', RangeError, /month field "dec-jan": reversed range "dec-jan"/],
  ['reversed weekday range', '0 0 * * 5-1', RangeError, /day-of-week field "5-1": reversed range/],
  ['unknown month name', '0 0 1 foo *', TypeError, 'month field "foo": unknown name "foo"; use one of jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec'],
  ['full month name', '0 0 1 january *', TypeError, /month field "january": unknown name "january"/],
  ['unknown weekday name', '0 0 * * mo', TypeError, /day-of-week field "mo": unknown name "mo"; use one of sun, mon/],
  ['weekday name in the month field', '0 0 1 mon *', TypeError, /month field "mon": unknown name "mon"/],
  ['name in the minute field', 'jan * * * *', TypeError, 'minute field "jan": "jan" is not a number'],
  ['name in the hour field', '0 mon * * *', TypeError, 'hour field "mon": "mon" is not a number'],
  ['name as a step', '0 0 * jan/feb *', TypeError, /month field "jan\/feb": step "feb" is not a number/],
  ['name as a weekday step', '0 0 * * */mon', TypeError, /day-of-week field "\*\/mon": step "mon" is not a number/],
  ['empty step', '*/ * * * *', TypeError, /minute field "\*\/": step "" is not a number/],
  ['double step', '*/2/3 * * * *', TypeError, /minute field "\*\/2\/3": step "2\/3" is not a number/],
  ['negative number', '-5 * * * *', TypeError, /minute field "-5": "" is not a number \(a range needs a value on both sides of "-"\)/],
  ['open range', '5- * * * *', TypeError, /minute field "5-": "" is not a number/],
  ['three-part range', '1-2-3 * * * *', TypeError, /minute field "1-2-3": "2-3" is not a number/],
  ['empty list item', '1,,2 * * * *', TypeError, 'minute field "1,,2": empty list item; remove the extra comma'],
  ['trailing comma', '1, * * * *', TypeError, /minute field "1,": empty list item/],
  ['letters after a number', '5x * * * *', TypeError, /minute field "5x": "5x" is not a number/],
  ['question mark', '? * * * *', TypeError, /minute field "\?": "\?" is not a number/],
  ['last-day extension L', '0 0 L * *', TypeError, /day-of-month field "L": "L" is not a number/],
  ['star with a range', '*-5 * * * *', TypeError, /minute field "\*-5": "\*" is not a number/],
  ['decimal number', '1.5 * * * *', TypeError, /minute field "1.5": "1.5" is not a number/],
  ['too few fields', '* * * *', TypeError, 'expected 5 time fields (minute hour day-of-month month day-of-week), got 4: "* * * *"'],
  ['too many fields', '* * * * * *', TypeError, /expected 5 time fields .*, got 6/],
  ['day 30 only in February', '0 0 30 2 *', RangeError, 'day-of-month field "30": none of these days occurs in month field "2", so the job would never run'],
  ['day 31 only in 30-day months', '0 0 31 apr,jun,sep,nov *', RangeError, /day-of-month field "31": none of these days occurs in month field "apr,jun,sep,nov"/],
];

for (const [label, text, kind, message] of errors) {
  test(`rejects ${label}`, () => {
    assert.throws(() => parse(text), (error: unknown) => {
      assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
      if (typeof message === 'string') {
        assert.equal(error.message, message);
      } else {
        assert.match(error.message, message);
      }
      return true;
    });
  });
}

test('rejects no fields at all', () => {
  assert.throws(() => parseSchedule([]), { name: 'TypeError', message: /got 0$/ });
});

test('accepts February 29 and the 31st with a 31-day month', () => {
  assert.deepEqual(parse('0 0 29 2 *').daysOfMonth, [29]);
  assert.deepEqual(parse('0 0 30,31 2,3 *').daysOfMonth, [30, 31]);
});

test('accepts day 30 of February when the weekday can match', () => {
  // Both day fields restricted: the OR rule runs it on Mondays in February.
  assert.deepEqual(parse('0 0 30 2 1').daysOfWeek, [1]);
});

const macros: Array<[macro: string, fields: string]> = [
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
  ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  ['@hourly', '0 * * * *'],
];

for (const [macro, fields] of macros) {
  test(`expands ${macro} to ${fields}`, () => {
    assert.deepEqual(parseMacro(macro), parse(fields));
  });
}

test('lists every macro of crontab(5)', () => {
  assert.deepEqual(Object.keys(MACROS).sort(), [
    '@annually', '@daily', '@hourly', '@midnight', '@monthly', '@reboot', '@weekly', '@yearly',
  ]);
});

test('@hourly is a wildcard job and @daily a fixed-time job', () => {
  assert.equal(parseMacro('@hourly')?.hourWild, true);
  assert.equal(parseMacro('@daily')?.hourWild, false);
  assert.equal(parseMacro('@daily')?.minuteWild, false);
});

test('@reboot has no schedule', () => {
  assert.equal(parseMacro('@reboot'), null);
});

test('rejects an unknown macro', () => {
  assert.throws(() => parseMacro('@every5m'), {
    name: 'TypeError',
    message: 'unknown macro "@every5m"; use one of @yearly @annually @monthly @weekly @daily @midnight @hourly @reboot, or five time fields',
  });
});

test('macro names are case-sensitive', () => {
  assert.throws(() => parseMacro('@DAILY'), { name: 'TypeError', message: /unknown macro "@DAILY"/ });
});

test('rejects a prototype key as a macro', () => {
  assert.throws(() => parseMacro('constructor'), { name: 'TypeError', message: /unknown macro/ });
});
