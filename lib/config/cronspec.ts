/**
 * The five time fields of a crontab line and the `@` macros, parsed as crontab(5) of cronie
 * describes them.
 *
 * A field is a comma-separated list of items. Each item is `*`, a number, a name (months and
 * weekdays only, any case) or a range `a-b`, optionally with a step: `*\/n`, `a-b/n`, or the
 * extension `a/n`, which runs from a to the field's maximum as many crons accept. Values are
 * checked against the field's range and never wrapped or truncated.
 */

/** Allowed values of the five time fields, and the flags cron(8) keeps about how they were written. */
export interface CronSpec {
  /** Minutes 0-59, ascending. */
  readonly minutes: readonly number[];
  /** Hours 0-23, ascending. */
  readonly hours: readonly number[];
  /** Days of the month 1-31, ascending. */
  readonly daysOfMonth: readonly number[];
  /** Months 1-12, ascending. */
  readonly months: readonly number[];
  /** Days of the week 0-6 with Sunday as 0 (a written 7 is folded to 0), ascending. */
  readonly daysOfWeek: readonly number[];
  /** The day-of-month field starts with `*`, so it counts as unrestricted for the OR rule. */
  readonly domStar: boolean;
  /** The day-of-week field starts with `*`, so it counts as unrestricted for the OR rule. */
  readonly dowStar: boolean;
  /** The minute field starts with `*`: a wildcard job for the clock-change rules. */
  readonly minuteWild: boolean;
  /** The hour field starts with `*`: a wildcard job for the clock-change rules. */
  readonly hourWild: boolean;
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names of the values from `min` on, lower-case. */
  names?: readonly string[];
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldRule = { name: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES };

/** Five-field equivalents of the `@` macros of crontab(5); `@reboot` has none. */
export const MACROS: Readonly<Record<string, string | null>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@reboot': null,
};

const DAYS_IN_MONTH_MAX = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parse the five time fields of a crontab line.
 * @throws {TypeError} for a wrong number of fields or malformed syntax (unknown name, empty item,
 *   step that is not a number).
 * @throws {RangeError} for a value out of range, a step of 0, a reversed range, or days of the
 *   month that no allowed month has.
 */
export function parseSchedule(fields: readonly string[]): CronSpec {
  if (fields.length !== 5) {
    throw new TypeError(
      `expected 5 time fields (minute hour day-of-month month day-of-week), got ${fields.length}` +
      (fields.length > 0 ? `: "${fields.join(' ')}"` : ''),
    );
  }
  const [minute, hour, dom, month, dow] = fields;

  const spec: CronSpec = {
    minutes: parseField(MINUTE, minute),
    hours: parseField(HOUR, hour),
    daysOfMonth: parseField(DAY_OF_MONTH, dom),
    months: parseField(MONTH, month),
    daysOfWeek: parseField(DAY_OF_WEEK, dow),
    domStar: dom.startsWith('*'),
    dowStar: dow.startsWith('*'),
    minuteWild: minute.startsWith('*'),
    hourWild: hour.startsWith('*'),
  };

  checkDaysExist(spec, dom, month);
  return spec;
}

/**
 * Parse an `@` macro. Returns null for `@reboot`, which has no schedule.
 * @throws {TypeError} for an unknown macro. Names are case-sensitive, as in cronie.
 */
export function parseMacro(word: string): CronSpec | null {
  if (!Object.hasOwn(MACROS, word)) {
    throw new TypeError(
      `unknown macro "${word}"; use one of ${Object.keys(MACROS).join(' ')}, or five time fields`,
    );
  }
  const fields = MACROS[word];
  return fields === null ? null : parseSchedule(fields.split(' '));
}

/** Parse one field into its sorted allowed values. */
function parseField(rule: FieldRule, text: string): number[] {
  const values = new Set<number>();

  for (const item of text.split(',')) {
    if (item === '') {
      throw new TypeError(`${rule.name} field "${text}": empty list item; remove the extra comma`);
    }
    const { first, last, step } = parseItem(rule, item, text);
    for (let value = first; value <= last; value += step) {
      // 0 and 7 are both Sunday.
      values.add(rule === DAY_OF_WEEK && value === 7 ? 0 : value);
    }
  }
  return [...values].sort((a, b) => a - b);
}

/** Parse one list item into the range and step it stands for. */
function parseItem(rule: FieldRule, item: string, text: string): { first: number; last: number; step: number } {
  const slash = item.indexOf('/');
  const base = slash < 0 ? item : item.slice(0, slash);
  const step = slash < 0 ? 1 : parseStep(rule, item.slice(slash + 1), text);

  if (base === '*') {
    return { first: rule.min, last: rule.max, step };
  }

  const dash = base.indexOf('-');
  if (dash < 0) {
    const value = parseValue(rule, base, text);
    // `a/n` runs from a to the maximum, an extension that many crons share.
    return { first: value, last: slash < 0 ? value : rule.max, step };
  }

  const first = parseValue(rule, base.slice(0, dash), text);
  let last = parseValue(rule, base.slice(dash + 1), text);
  if (rule === DAY_OF_WEEK && last === 0 && first > 0) {
    // `fri-sun` and `5-0` end at Sunday written as 7.
    last = 7;
  }
  if (first > last) {
    throw new RangeError(
      `${rule.name} field "${text}": reversed range "${base}" (start after end); ranges do not ` +
      `wrap around, so write two ranges, e.g. "${first}-${rule.max},${rule.min}-${last}"`,
    );
  }
  return { first, last, step };
}

function parseStep(rule: FieldRule, text: string, field: string): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new TypeError(
      `${rule.name} field "${field}": step "${text}" is not a number; write a step as digits, ` +
      `e.g. "*/5"`,
    );
  }
  const step = Number(text);
  if (step === 0) {
    throw new RangeError(`${rule.name} field "${field}": step 0 never advances; use a step of 1 or more`);
  }
  return step;
}

/** Parse a number or a name of the field, checked against the field's range. */
function parseValue(rule: FieldRule, text: string, field: string): number {
  if (/^[0-9]+$/.test(text)) {
    const value = Number(text);
    if (value < rule.min || value > rule.max) {
      throw new RangeError(
        `${rule.name} field "${field}": value ${text} out of range ${rule.min}-${rule.max}`,
      );
    }
    return value;
  }

  if (rule.names && /^[A-Za-z]+$/.test(text)) {
    const index = rule.names.indexOf(text.toLowerCase());
    if (index < 0) {
      throw new TypeError(
        `${rule.name} field "${field}": unknown name "${text}"; use one of ${rule.names.join(', ')}`,
      );
    }
    return rule.min + index;
  }

  const expected = rule.names ? 'a number or a name' : 'a number';
  throw new TypeError(
    `${rule.name} field "${field}": "${text}" is not ${expected}` +
    (text === '' ? ' (a range needs a value on both sides of "-")' : ''),
  );
}

/**
 * Reject a day-of-month/month combination that never occurs, such as `30 2`, when the day of the
 * week cannot stand in for it: the job would silently never run.
 */
function checkDaysExist(spec: CronSpec, domText: string, monthText: string): void {
  const dayOfWeekCanMatch = !spec.domStar && !spec.dowStar;
  if (dayOfWeekCanMatch) {
    return;
  }
  const longestMonth = Math.max(...spec.months.map((month) => DAYS_IN_MONTH_MAX[month]));
  if (spec.daysOfMonth[0] <= longestMonth) {
    return;
  }
  throw new RangeError(
    `day-of-month field "${domText}": none of these days occurs in month field "${monthText}", ` +
    `so the job would never run`,
  );
}
