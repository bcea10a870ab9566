// Node reads TZ again whenever process.env.TZ is assigned, so each test sets the zone it needs.
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseSchedule } from '../lib/config/cronspec';
import { wallMinuteOf } from '../lib/config/cronnext';
import {
  checkClock, type ClockState, LARGE_JUMP_MINUTES, nextStartTime, type Scheduled, startClock,
} from '../lib/init/cronclock';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Job extends Scheduled {
  name: string;
}

function job(name: string, expr: string | null): Job {
  return { name, spec: expr === null ? null : parseSchedule(expr.split(' ')) };
}

function inZone<T>(zone: string, body: () => T): T {
  process.env.TZ = zone;
  try {
    return body();
  } finally {
    process.env.TZ = 'UTC';
  }
}

const names = (jobs: Job[]): string[] => jobs.map((entry) => entry.name);

const EVERY_MINUTE = job('every minute', '* * * * *');
const AT_1030 = job('fixed 10:30', '30 10 * * *');
const AT_1000 = job('fixed 10:00', '0 10 * * *');
const AT_1005 = job('fixed 10:05', '5 10 * * *');
const HALF_PAST = job('wild :30', '30 * * * *');
const REBOOT = job('reboot', null);
const JOBS = [EVERY_MINUTE, AT_1030, AT_1000, AT_1005, HALF_PAST, REBOOT];

const at = (time: string): number => Date.parse(`2026-06-01T${time}Z`);

test('starts with the current minute handled', () => {
  const state = startClock(at('10:29:40'));
  assert.deepEqual(state, { lastMinute: wallMinuteOf(at('10:29:00')), virtualMinute: wallMinuteOf(at('10:29:00')) });
});

test('same minute is no step', () => {
  const state = startClock(at('10:29:00'));
  assert.equal(checkClock(state, at('10:29:59.999'), JOBS), null);
});

test('next minute runs what matches', () => {
  const check = checkClock(startClock(at('10:29:10')), at('10:30:00.005'), JOBS);
  assert.equal(check?.step, 'next-minute');
  assert.equal(check?.jumpMinutes, 0);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'fixed 10:30', 'wild :30']);
  assert.deepEqual(check?.state, { lastMinute: wallMinuteOf(at('10:30:00')), virtualMinute: wallMinuteOf(at('10:30:00')) });
});

test('reboot entries never become due', () => {
  const check = checkClock(startClock(at('10:29:10')), at('10:30:00'), [REBOOT]);
  assert.deepEqual(check?.due, []);
});

test('late wake-up runs every missed minute', () => {
  // Four minutes late: 10:02 to 10:06 are handled, each job once.
  const check = checkClock(startClock(at('10:01:30')), at('10:06:00'), [EVERY_MINUTE, AT_1005, AT_1000, job('wild 10:03', '3 * * * *')]);
  assert.equal(check?.step, 'late');
  assert.equal(check?.jumpMinutes, 4);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'wild 10:03', 'fixed 10:05']);
});

test('forward step runs skipped fixed times once', () => {
  // 09:58 to 10:40: fixed-time jobs of 09:59-10:40 run, wildcard jobs only if they match 10:40.
  const check = checkClock(startClock(at('09:58:00')), at('10:40:00'), JOBS);
  assert.equal(check?.step, 'forward');
  assert.equal(check?.jumpMinutes, 41);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'fixed 10:00', 'fixed 10:05', 'fixed 10:30']);
  assert.equal(check?.state.virtualMinute, wallMinuteOf(at('10:40:00')));
});

test('forward step runs a fixed time at the new minute', () => {
  const check = checkClock(startClock(at('09:58:00')), at('10:30:00'), JOBS);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'wild :30', 'fixed 10:00', 'fixed 10:05', 'fixed 10:30']);
});

test('forward step of 6 minutes is no longer late', () => {
  const check = checkClock(startClock(at('10:00:00')), at('10:06:00'), [EVERY_MINUTE, AT_1005, job('wild :03', '3 * * * *')]);
  assert.equal(check?.step, 'forward');
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'fixed 10:05']);
});

test('backward step runs wildcard jobs only', () => {
  // Clock steps back from 10:45 to 10:30.
  const state = startClock(at('10:44:30'));
  const check = checkClock(state, at('10:30:10'), JOBS);
  assert.equal(check?.step, 'backward');
  assert.equal(check?.jumpMinutes, -15);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'wild :30']);
  assert.deepEqual(check?.state, { lastMinute: wallMinuteOf(at('10:30:00')), virtualMinute: state.virtualMinute });
});

test('after a backward step fixed times wait for the clock', () => {
  // Back from 10:31 to 10:00: fixed 10:05 and 10:30 have run already, and must not run again.
  let state: ClockState = startClock(at('10:31:00'));
  const runs: string[] = [];
  for (let time = at('10:00:00'); time <= at('10:40:00'); time += MINUTE) {
    const check = checkClock(state, time, [AT_1005, AT_1030, job('fixed 10:35', '35 10 * * *'), HALF_PAST]);
    assert.ok(check !== null);
    state = check.state;
    runs.push(...check.due.map((entry) => `${new Date(time).toISOString().slice(11, 16)} ${entry.name}`));
  }
  assert.deepEqual(runs, ['10:30 wild :30', '10:35 fixed 10:35']);
});

test('jump of 3 hours forward takes the new time', () => {
  const state = startClock(at('06:59:00'));
  const check = checkClock(state, at('10:00:00'), JOBS);
  assert.equal(check?.step, 'jump');
  assert.equal(check?.jumpMinutes, 180);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'fixed 10:00']);
});

test('jump of 3 hours back takes the new time', () => {
  const state = startClock(at('13:29:00'));
  const check = checkClock(state, at('10:30:00'), JOBS);
  assert.equal(check?.step, 'jump');
  assert.equal(check?.jumpMinutes, -180);
  assert.deepEqual(names(check?.due ?? []), ['every minute', 'fixed 10:30', 'wild :30']);
  assert.equal(check?.state.virtualMinute, wallMinuteOf(at('10:30:00')));
});

test('3 hours is the limit both ways', () => {
  const from = at('12:00:00');
  const stepOf = (jump: number): string | undefined =>
    checkClock(startClock(from), from + (jump + 1) * MINUTE, JOBS)?.step;
  assert.equal(LARGE_JUMP_MINUTES, 180);
  assert.equal(stepOf(179), 'forward');
  assert.equal(stepOf(180), 'jump');
  assert.equal(stepOf(-179), 'backward');
  assert.equal(stepOf(-180), 'jump');
});

/** Run the checks minute by minute over real instants and list the start times per job. */
function simulate(jobs: Job[], from: number, to: number): Map<string, string[]> {
  const runs = new Map(jobs.map((entry): [string, string[]] => [entry.name, []]));
  let state = startClock(from);
  for (let time = from + MINUTE; time <= to; time += MINUTE) {
    const check = checkClock(state, time, jobs);
    assert.ok(check !== null, 'every real minute is a new wall-clock minute or a step');
    state = check.state;
    for (const entry of check.due) {
      runs.get(entry.name)?.push(new Date(time).toISOString());
    }
  }
  return runs;
}

test('spring forward in New York', () => {
  inZone('America/New_York', () => {
    // 2026-03-08 02:00 EST (07:00Z) becomes 03:00 EDT.
    const runs = simulate([
      job('fixed 02:30', '30 2 * * *'),
      job('fixed 02:00,02:15', '0,15 2 * * *'),
      job('fixed 03:00', '0 3 * * *'),
      job('wild :30', '30 * * * *'),
      job('wild */20 in 02', '*/20 2 * * *'),
    ], Date.parse('2026-03-08T05:00:00Z'), Date.parse('2026-03-08T09:00:00Z'));

    assert.deepEqual(runs.get('fixed 02:30'), ['2026-03-08T07:00:00.000Z']);
    assert.deepEqual(runs.get('fixed 02:00,02:15'), ['2026-03-08T07:00:00.000Z']);
    assert.deepEqual(runs.get('fixed 03:00'), ['2026-03-08T07:00:00.000Z']);
    assert.deepEqual(runs.get('wild :30'), ['2026-03-08T05:30:00.000Z', '2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-08T08:30:00.000Z']);
    assert.deepEqual(runs.get('wild */20 in 02'), []);
  });
});

test('fall back in New York', () => {
  inZone('America/New_York', () => {
    // 2026-11-01 02:00 EDT (06:00Z) becomes 01:00 EST: 01:00-01:59 local comes twice.
    const runs = simulate([
      job('fixed 01:30', '30 1 * * *'),
      job('fixed 01:00-01:59', '0-59 1 * * *'),
      job('fixed 02:00', '0 2 * * *'),
      job('wild :30', '30 * * * *'),
      job('wild every minute of 01', '* 1 * * *'),
    ], Date.parse('2026-11-01T04:00:00Z'), Date.parse('2026-11-01T08:00:00Z'));

    assert.deepEqual(runs.get('fixed 01:30'), ['2026-11-01T05:30:00.000Z']);
    assert.equal(runs.get('fixed 01:00-01:59')?.length, 60);
    assert.ok(runs.get('fixed 01:00-01:59')?.every((time) => time < '2026-11-01T06:00'));
    assert.deepEqual(runs.get('fixed 02:00'), ['2026-11-01T07:00:00.000Z']);
    assert.deepEqual(runs.get('wild :30'), ['2026-11-01T04:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T07:30:00.000Z']);
    assert.equal(runs.get('wild every minute of 01')?.length, 120);
  });
});

test('a skipped day is a large jump', () => {
  inZone('Pacific/Apia', () => {
    // 2011-12-29 23:59 -10:00 (2011-12-30 09:59Z) was followed by 2011-12-31 00:00 +14:00.
    const runs = simulate([
      job('fixed noon', '0 12 * * *'),
      job('fixed midnight', '0 0 * * *'),
    ], Date.parse('2011-12-29T20:00:00Z'), Date.parse('2011-12-31T00:00:00Z'));
    assert.deepEqual(runs.get('fixed noon'), ['2011-12-29T22:00:00.000Z', '2011-12-30T22:00:00.000Z']);
    assert.deepEqual(runs.get('fixed midnight'), ['2011-12-30T10:00:00.000Z']);
  });
});

// Each row: zone, schedule, and the simulated period; nextStartTime must list the same starts.
const agreement: Array<[zone: string, expr: string, from: string, to: string]> = [
  ['America/New_York', '30 2 * * *', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
  ['America/New_York', '0,15,59 2 * * *', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
  ['America/New_York', '30 1 * * *', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'],
  ['America/New_York', '0-59/7 1 * * *', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'],
  ['America/New_York', '*/10 1-3 * * *', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'],
  ['America/New_York', '*/10 1-3 * * *', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
  ['Australia/Sydney', '30 2 * * *', '2026-10-03T00:00:00Z', '2026-10-06T00:00:00Z'],
  ['Australia/Sydney', '30 2 * * *', '2026-04-03T00:00:00Z', '2026-04-06T00:00:00Z'],
  ['Australia/Lord_Howe', '10,40 2 * * *', '2026-10-02T00:00:00Z', '2026-10-06T00:00:00Z'],
  ['Australia/Lord_Howe', '10,40 1 * * *', '2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z'],
  ['Pacific/Apia', '0 12 * * *', '2011-12-28T00:00:00Z', '2012-01-02T00:00:00Z'],
];

for (const [zone, expr, from, to] of agreement) {
  test(`nextStartTime follows the rules: ${zone} "${expr}"`, () => {
    inZone(zone, () => {
      const spec = parseSchedule(expr.split(' '));
      const simulated = simulate([{ name: expr, spec }], Date.parse(from), Date.parse(to)).get(expr);
      const listed: string[] = [];
      for (let time = nextStartTime(spec, new Date(from)); time !== null && time.getTime() <= Date.parse(to); time = nextStartTime(spec, time)) {
        listed.push(time.toISOString());
      }
      assert.ok(listed.length > 0);
      assert.deepEqual(listed, simulated);
    });
  });
}

test('nextStartTime from inside the repeated hour', () => {
  inZone('America/New_York', () => {
    const spec = parseSchedule(['30', '1', '*', '*', '*']);
    // At 01:10 EST the scheduler has already handled 01:00-01:59 once, in EDT.
    assert.equal(nextStartTime(spec, new Date('2026-11-01T01:10:00-05:00'))?.toISOString(), '2026-11-02T06:30:00.000Z');
    assert.equal(nextStartTime(spec, new Date('2026-11-01T01:10:00-04:00'))?.toISOString(), '2026-11-01T05:30:00.000Z');
  });
});

test('nextStartTime of a fixed time in the gap', () => {
  inZone('America/New_York', () => {
    const spec = parseSchedule(['30', '2', '*', '*', '*']);
    assert.equal(nextStartTime(spec, new Date('2026-03-08T01:59:00-05:00'))?.toISOString(), new Date('2026-03-08T03:00:00-04:00').toISOString());
    assert.equal(nextStartTime(spec, new Date('2026-03-08T03:00:00-04:00'))?.toISOString(), new Date('2026-03-09T02:30:00-04:00').toISOString());
  });
});

test('nextStartTime of a wildcard job is the calendar time', () => {
  inZone('America/New_York', () => {
    const spec = parseSchedule(['30', '*', '*', '*', '*']);
    assert.equal(nextStartTime(spec, new Date('2026-03-08T01:45:00-05:00'))?.toISOString(), new Date('2026-03-08T03:30:00-04:00').toISOString());
    assert.equal(nextStartTime(spec, new Date('2026-11-01T01:45:00-04:00'))?.toISOString(), new Date('2026-11-01T01:30:00-05:00').toISOString());
  });
});

test('hour is 60 minutes of checks', () => {
  // Guards the test helpers: one simulated hour in UTC is 60 checks of `* * * * *`.
  const runs = simulate([EVERY_MINUTE], at('10:00:00'), at('10:00:00') + HOUR);
  assert.equal(runs.get('every minute')?.length, 60);
});
