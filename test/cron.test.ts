// The daylight-saving tests use New York's 2026 changes; TZ must be set before any Date is used.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { afterEach, mock, test } from 'node:test';

import { type CronEntry, parseCrontab } from '../lib/config/crontab';
import { CronScheduler, type CronLog, WAKE_MARGIN_MS } from '../lib/init/cron';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const LONGEST_SLEEP = MINUTE + WAKE_MARGIN_MS;

afterEach(() => {
  mock.timers.reset();
});

function entries(text: string): CronEntry[] {
  const { entries: parsed, errors } = parseCrontab(text, '/etc/wingmate/crontab');
  assert.deepEqual(errors, []);
  return parsed;
}

/** Let promise callbacks run (setImmediate is not mocked here). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Start {
  command: string;
  /** Wall-clock time of the start, as the scheduler saw it. */
  at: number;
  finish: () => void;
}

interface Record {
  level: string;
  message: string;
  fields?: object;
}

/**
 * A scheduler on mocked Date and setTimeout. `skew` shifts the wall clock that the scheduler reads
 * without touching the timers, the way a clock step looks to a process: timers keep running on the
 * monotonic clock.
 */
class Harness {
  readonly starts: Start[] = [];
  readonly records: Record[] = [];
  readonly delays: number[] = [];
  cancelled = 0;
  /** Timers fire even when cancelled, like a timer that was already on its way. */
  ignoreCancel = false;
  skew = 0;
  failStart = false;
  /** Jobs stay running until their `finish` is called; otherwise they end at once. */
  keepRunning = false;
  private due: number | null = null;
  readonly scheduler: CronScheduler;

  constructor(crontab: string, now: string | number) {
    mock.timers.enable({ apis: ['Date', 'setTimeout'], now: typeof now === 'number' ? now : Date.parse(now) });
    const record = (level: string) => (message: string, fields?: object): void => {
      this.records.push({ level, message, fields });
    };
    const log: CronLog = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };

    this.scheduler = new CronScheduler(entries(crontab), {
      now: () => Date.now() + this.skew,
      setTimer: (fn, ms) => {
        this.delays.push(ms);
        this.due = Date.now() + ms;
        const handle = setTimeout(() => {
          this.due = null;
          fn();
        }, ms);
        return {
          cancel: () => {
            this.cancelled++;
            if (!this.ignoreCancel) {
              this.due = null;
              clearTimeout(handle);
            }
          },
        };
      },
      start: (entry) => {
        if (this.failStart) {
          return null;
        }
        let finish = (): void => {};
        const done = this.keepRunning ? new Promise<void>((resolve) => {
          finish = resolve;
        }) : Promise.resolve();
        this.starts.push({ command: entry.commandText, at: Date.now() + this.skew, finish });
        return { done };
      },
      log,
    });
  }

  /**
   * Advance the mocked monotonic clock by `ms`, firing each timer at its own due time, and let
   * promise callbacks (ended jobs) run after each one, as the event loop would.
   */
  async advance(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.due !== null && this.due <= end) {
      mock.timers.tick(this.due - Date.now());
      await settle();
    }
    mock.timers.tick(end - Date.now());
    await settle();
  }

  /** Start times of one command, as ISO strings in UTC. */
  startsOf(command: string): string[] {
    return this.starts.filter((start) => start.command === command).map((start) => new Date(start.at).toISOString());
  }

  pending(): boolean {
    return this.due !== null;
  }
}

test('fires just after the minute boundary', async () => {
  const harness = new Harness('*/15 * * * * /srv/t/m.sh', '2026-12-04T12:59:50-05:00');
  harness.scheduler.start();

  await harness.advance(10_000 + WAKE_MARGIN_MS - 1);
  assert.deepEqual(harness.starts, []);
  await harness.advance(1);
  assert.deepEqual(harness.startsOf('/srv/t/m.sh'), [new Date('2026-12-04T13:00:00.005-05:00').toISOString()]);
});

test('default timers fire at the boundary', async () => {
  // No injected clock or timer: the scheduler uses Date.now and setTimeout, both mocked.
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse('2026-06-01T10:00:30-04:00') });
  const starts: number[] = [];
  const scheduler = new CronScheduler(entries('* * * * * /bin/job'), {
    start: () => {
      starts.push(Date.now());
      return { done: Promise.resolve() };
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  scheduler.start();

  mock.timers.tick(30_000 + WAKE_MARGIN_MS - 1);
  assert.equal(starts.length, 0);
  mock.timers.tick(1);
  assert.deepEqual(starts, [Date.parse('2026-06-01T10:01:00.005-04:00')]);
  await settle();
  mock.timers.tick(MINUTE);
  assert.deepEqual(starts, [Date.parse('2026-06-01T10:01:00.005-04:00'), Date.parse('2026-06-01T10:02:00.005-04:00')]);
  scheduler.stop();
});

test('runs each minute of an hour on time', async () => {
  const harness = new Harness('* * * * * /bin/every\n30 * * * * /bin/half', '2026-06-01T10:00:10-04:00');
  harness.scheduler.start();
  await harness.advance(HOUR);

  assert.equal(harness.startsOf('/bin/every').length, 60);
  assert.deepEqual(harness.startsOf('/bin/half'), [new Date('2026-06-01T10:30:00.005-04:00').toISOString()]);
  for (const start of harness.starts) {
    assert.equal(start.at % MINUTE, WAKE_MARGIN_MS, new Date(start.at).toISOString());
  }
});

test('sleeps at most a minute and the margin', async () => {
  const harness = new Harness('0 0 1 1 * /bin/yearly', '2026-06-01T10:00:00.000-04:00');
  harness.scheduler.start();
  await harness.advance(3 * HOUR);

  assert.ok(harness.delays.length >= 180);
  for (const delay of harness.delays) {
    assert.ok(delay > WAKE_MARGIN_MS, `delay ${delay}`);
    assert.ok(delay <= LONGEST_SLEEP, `delay ${delay}`);
  }
});

test('wakes again when woken before the boundary', async () => {
  const harness = new Harness('* * * * * /bin/job', '2026-06-01T10:00:30-04:00');
  harness.scheduler.start();
  // The wall clock steps back 2 seconds, so the timer comes due at 10:00:58.005 wall time.
  harness.skew = -2000;
  await harness.advance(30_000 + WAKE_MARGIN_MS);
  assert.deepEqual(harness.starts, []);
  await harness.advance(2000);
  assert.deepEqual(harness.startsOf('/bin/job'), [new Date('2026-06-01T10:01:00.005-04:00').toISOString()]);
});

test('skips a run while the previous one is going', async () => {
  const harness = new Harness('* * * * * /bin/slow', '2026-06-01T10:00:10-04:00');
  harness.keepRunning = true;
  harness.scheduler.start();

  await harness.advance(MINUTE);
  assert.equal(harness.starts.length, 1);
  await harness.advance(MINUTE);
  assert.equal(harness.starts.length, 1);
  assert.deepEqual(harness.records, [{
    level: 'warn',
    message: 'skipping this run: the previous run is still going',
    fields: { cron: '/bin/slow' },
  }]);

  harness.starts[0].finish();
  await settle();
  await harness.advance(MINUTE);
  assert.equal(harness.starts.length, 2);
  assert.equal(harness.records.length, 1);
});

test('a failed start does not block the next run', async () => {
  const harness = new Harness('* * * * * /bin/missing', '2026-06-01T10:00:10-04:00');
  harness.failStart = true;
  harness.scheduler.start();
  await harness.advance(MINUTE);
  harness.failStart = false;
  await harness.advance(MINUTE);

  assert.equal(harness.starts.length, 1);
  assert.deepEqual(harness.records, []);
});

test('a throwing start is logged', () => {
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse('2026-06-01T10:00:00-04:00') });
  const errors: Array<[string, object | undefined]> = [];
  const scheduler = new CronScheduler(entries('* * * * * /bin/job'), {
    start: () => {
      throw new Error('spawn EAGAIN');
    },
    log: { debug() {}, info() {}, warn() {}, error: (message, fields) => errors.push([message, fields]) },
  });
  scheduler.start();
  mock.timers.tick(MINUTE + WAKE_MARGIN_MS);
  mock.timers.tick(MINUTE);

  assert.deepEqual(errors, [
    ['cron job failed to start: spawn EAGAIN', { cron: '/bin/job' }],
    ['cron job failed to start: spawn EAGAIN', { cron: '/bin/job' }],
  ]);
  scheduler.stop();
});

test('runs @reboot entries once at start', async () => {
  const harness = new Harness('@reboot /bin/warm\n@reboot /bin/other', '2026-06-01T10:00:00-04:00');
  harness.scheduler.start();
  harness.scheduler.start();
  await harness.advance(HOUR);

  assert.deepEqual(harness.starts.map((start) => start.command), ['/bin/warm', '/bin/other']);
  assert.deepEqual(harness.delays, [], 'no timer without timed entries');
  assert.equal(harness.pending(), false);
});

test('runs @reboot entries next to timed ones', async () => {
  const harness = new Harness('@reboot /bin/warm\n* * * * * /bin/job', '2026-06-01T10:00:10-04:00');
  harness.scheduler.start();
  assert.deepEqual(harness.starts.map((start) => start.command), ['/bin/warm']);
  await harness.advance(MINUTE);
  assert.deepEqual(harness.starts.map((start) => start.command), ['/bin/warm', '/bin/job']);
});

test('empty crontab sets no timer', () => {
  const harness = new Harness('# nothing', '2026-06-01T10:00:00-04:00');
  harness.scheduler.start();
  assert.deepEqual(harness.delays, []);
});

test('stop cancels the timer and starts nothing', async () => {
  const harness = new Harness('* * * * * /bin/job', '2026-06-01T10:00:10-04:00');
  harness.scheduler.start();
  await harness.advance(MINUTE);
  harness.scheduler.stop();
  await harness.advance(HOUR);

  assert.equal(harness.starts.length, 1);
  assert.equal(harness.cancelled, 1);
  assert.equal(harness.pending(), false);
  harness.scheduler.start();
  await harness.advance(HOUR);
  assert.equal(harness.starts.length, 1, 'start after stop does nothing');
});

test('a wake-up after stop starts nothing', async () => {
  const harness = new Harness('* * * * * /bin/job', '2026-06-01T10:00:10-04:00');
  harness.ignoreCancel = true;
  harness.scheduler.start();
  harness.scheduler.stop();
  await harness.advance(MINUTE);

  assert.deepEqual(harness.starts, []);
  assert.equal(harness.pending(), false, 'no new timer after the stray wake-up');
});

test('stop during a start skips other due jobs', async () => {
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse('2026-06-01T10:00:10-04:00') });
  const started: string[] = [];
  const scheduler: CronScheduler = new CronScheduler(entries('* * * * * /bin/first\n* * * * * /bin/second'), {
    start: (entry) => {
      started.push(entry.commandText);
      scheduler.stop();
      return { done: Promise.resolve() };
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  scheduler.start();
  mock.timers.tick(MINUTE);
  await settle();
  mock.timers.tick(MINUTE);

  assert.deepEqual(started, ['/bin/first']);
});

test('stop before start keeps @reboot from running', () => {
  const harness = new Harness('@reboot /bin/warm', '2026-06-01T10:00:00-04:00');
  harness.scheduler.stop();
  harness.scheduler.start();
  assert.deepEqual(harness.starts, []);
});

const WALL_CRONTAB = [
  '0 11 * * * /bin/fixed-11',
  '20 11 * * * /bin/fixed-1120',
  '0 13 * * * /bin/fixed-13',
  '* * * * * /bin/every',
  '30 * * * * /bin/half',
].join('\n');

test('clock step forward under 3 hours', async () => {
  const harness = new Harness(WALL_CRONTAB, '2026-06-01T10:58:10-04:00');
  harness.scheduler.start();
  await harness.advance(MINUTE);
  // 10:59 -> 12:40: the fixed-time jobs of 11:00-12:40 run once, wildcard jobs match 12:40 only.
  harness.skew = 100 * MINUTE;
  await harness.advance(MINUTE);

  const at1240 = new Date('2026-06-01T12:40:00.005-04:00').toISOString();
  assert.deepEqual(harness.startsOf('/bin/fixed-11'), [at1240]);
  assert.deepEqual(harness.startsOf('/bin/fixed-1120'), [at1240]);
  assert.deepEqual(harness.startsOf('/bin/half'), []);
  assert.equal(harness.startsOf('/bin/every').length, 2);
  assert.deepEqual(harness.records.filter((record) => record.level !== 'debug'), [{
    level: 'info',
    message: 'wall clock moved forward; running the fixed-time jobs of the skipped minutes once',
    fields: { minutes: 100 },
  }]);

  await harness.advance(30 * MINUTE);
  assert.deepEqual(harness.startsOf('/bin/fixed-13'), [new Date('2026-06-01T13:00:00.005-04:00').toISOString()]);
});

test('clock step back under 3 hours', async () => {
  const harness = new Harness(WALL_CRONTAB, '2026-06-01T11:24:10-04:00');
  harness.scheduler.start();
  // 11:25 -> 10:56: 11:00 and 11:20 must not run again, :30 and * do.
  await harness.advance(MINUTE);
  harness.skew = -30 * MINUTE;
  await harness.advance(MINUTE);
  assert.deepEqual(harness.records, [{
    level: 'info',
    message: 'wall clock moved back; fixed-time jobs will not run again for minutes already handled',
    fields: { minutes: -30 },
  }]);
  await harness.advance(130 * MINUTE);

  assert.deepEqual(harness.startsOf('/bin/fixed-11'), []);
  assert.deepEqual(harness.startsOf('/bin/fixed-1120'), []);
  assert.deepEqual(harness.startsOf('/bin/fixed-13'), [new Date('2026-06-01T13:00:00.005-04:00').toISOString()]);
  assert.deepEqual(harness.startsOf('/bin/half'), [
    new Date('2026-06-01T11:30:00.005-04:00').toISOString(),
    new Date('2026-06-01T12:30:00.005-04:00').toISOString(),
  ]);
  assert.equal(harness.startsOf('/bin/every').length, 132);
});

test('clock step forward of 3 hours or more', async () => {
  const harness = new Harness(WALL_CRONTAB, '2026-06-01T07:58:10-04:00');
  harness.scheduler.start();
  await harness.advance(MINUTE);
  // 07:59 -> 11:20: taken as is; only what matches 11:20 runs, 11:00 is lost.
  harness.skew = 200 * MINUTE;
  await harness.advance(MINUTE);

  assert.deepEqual(harness.startsOf('/bin/fixed-11'), []);
  assert.deepEqual(harness.startsOf('/bin/fixed-1120'), [new Date('2026-06-01T11:20:00.005-04:00').toISOString()]);
  assert.deepEqual(harness.records, [{
    level: 'warn',
    message: 'wall clock moved 3 hours or more; taking the new time as is',
    fields: { minutes: 200 },
  }]);
});

test('clock step back of 3 hours or more', async () => {
  const harness = new Harness(WALL_CRONTAB, '2026-06-01T14:18:10-04:00');
  harness.scheduler.start();
  await harness.advance(MINUTE);
  // 14:19 -> 11:20: taken as is, so 11:20 and 13:00 run again.
  harness.skew = -180 * MINUTE;
  await harness.advance(MINUTE);
  await harness.advance(2 * HOUR);

  assert.deepEqual(harness.startsOf('/bin/fixed-1120'), [new Date('2026-06-01T11:20:00.005-04:00').toISOString()]);
  assert.deepEqual(harness.startsOf('/bin/fixed-13'), [new Date('2026-06-01T13:00:00.005-04:00').toISOString()]);
  assert.deepEqual(harness.records, [{
    level: 'warn',
    message: 'wall clock moved 3 hours or more; taking the new time as is',
    fields: { minutes: -180 },
  }]);
});

test('late wake-up is logged at debug level', async () => {
  const harness = new Harness('* * * * * /bin/every', '2026-06-01T10:00:10-04:00');
  harness.scheduler.start();
  harness.skew = 3 * MINUTE;
  await harness.advance(MINUTE);

  assert.equal(harness.starts.length, 1);
  assert.deepEqual(harness.records, [{ level: 'debug', message: 'woke up late; running the jobs of the missed minutes', fields: { minutes: 3 } }]);
});

const DST_CRONTAB = [
  '30 2 * * * /bin/fixed-0230',
  '30 1 * * * /bin/fixed-0130',
  '0 3 * * * /bin/fixed-0300',
  '30 * * * * /bin/wild-half',
  '* * * * * /bin/every',
].join('\n');

test('daylight saving starts: New York 2026-03-08', async () => {
  const harness = new Harness(DST_CRONTAB, '2026-03-08T00:00:10-05:00');
  harness.scheduler.start();
  await harness.advance(4 * HOUR);

  // 01:59 EST is followed by 03:00 EDT.
  assert.deepEqual(harness.startsOf('/bin/fixed-0230'), ['2026-03-08T07:00:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/fixed-0300'), ['2026-03-08T07:00:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/fixed-0130'), ['2026-03-08T06:30:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/wild-half'), ['2026-03-08T05:30:00.005Z', '2026-03-08T06:30:00.005Z', '2026-03-08T07:30:00.005Z', '2026-03-08T08:30:00.005Z']);
  assert.equal(harness.startsOf('/bin/every').length, 4 * 60);
  assert.deepEqual(harness.records, [{
    level: 'info',
    message: 'wall clock moved forward; running the fixed-time jobs of the skipped minutes once',
    fields: { minutes: 60 },
  }]);
});

test('daylight saving ends: New York 2026-11-01', async () => {
  const harness = new Harness(DST_CRONTAB, '2026-11-01T00:00:10-04:00');
  harness.scheduler.start();
  await harness.advance(4 * HOUR);

  // 01:59 EDT is followed by 01:00 EST.
  assert.deepEqual(harness.startsOf('/bin/fixed-0130'), ['2026-11-01T05:30:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/fixed-0230'), ['2026-11-01T07:30:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/fixed-0300'), ['2026-11-01T08:00:00.005Z']);
  assert.deepEqual(harness.startsOf('/bin/wild-half'), ['2026-11-01T04:30:00.005Z', '2026-11-01T05:30:00.005Z', '2026-11-01T06:30:00.005Z', '2026-11-01T07:30:00.005Z']);
  assert.equal(harness.startsOf('/bin/every').length, 4 * 60);
  assert.deepEqual(harness.records, [{
    level: 'info',
    message: 'wall clock moved back; fixed-time jobs will not run again for minutes already handled',
    fields: { minutes: -60 },
  }]);
});

test('a run 29.5 days away does not fire early', async () => {
  // 2026-12-02 12:00 to 2027-01-01 00:00 is 2 548 800 000 ms, beyond setTimeout's 2^31-1 ms.
  const harness = new Harness('0 0 1 1 * /srv/t/y.sh\n0 0 1 * * /srv/t/mo.sh', '2026-12-02T12:00:00-05:00');
  harness.scheduler.start();
  await harness.advance(Date.parse('2027-01-01T00:00:00-05:00') - Date.now() - 1);
  assert.deepEqual(harness.starts, []);
  await harness.advance(2 * MINUTE);

  const newYear = new Date('2027-01-01T00:00:00.005-05:00').toISOString();
  assert.deepEqual(harness.startsOf('/srv/t/y.sh'), [newYear]);
  assert.deepEqual(harness.startsOf('/srv/t/mo.sh'), [newYear]);
  assert.ok(harness.delays.length > 42_000, `${harness.delays.length} sleeps`);
  assert.ok(harness.delays.every((delay) => delay > WAKE_MARGIN_MS));
  assert.ok(harness.delays.every((delay) => delay <= LONGEST_SLEEP));
});

test('no TimeoutOverflowWarning with real timers', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', onWarning);
  const delays: number[] = [];
  const scheduler = new CronScheduler(entries('0 0 1 1 * /srv/t/y.sh'), {
    now: () => Date.parse('2026-12-02T12:00:00-05:00'),
    setTimer: (fn, ms) => {
      delays.push(ms);
      const handle = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(handle) };
    },
    start: () => null,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  try {
    scheduler.start();
    await settle();
    await settle();
  } finally {
    scheduler.stop();
    process.off('warning', onWarning);
  }

  assert.deepEqual(delays, [LONGEST_SLEEP]);
  assert.deepEqual(warnings.filter((warning) => warning.name === 'TimeoutOverflowWarning'), []);
});
