// Next start times depend on the zone; New York has daylight saving on 2026-03-08.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';

import {
  buildCheckReport, type CheckOptions, formatCheckText, MAX_NEXT, parseRfc3339, readCheckOptions,
  readCrontab, runCheck,
} from '../lib/check';
import { UsageError } from '../lib/cli';
import { parseCrontab } from '../lib/config/crontab';
import { type ConfigScan, scanConfig } from '../lib/config/scan';
import { bin, makeConfig, ROOT, tempDir } from './kit';

const NOW = Date.parse('2026-03-07T00:00:00Z');

function options(entries: Record<string, string | boolean>): Map<string, string | boolean> {
  return new Map(Object.entries(entries));
}

const CHECK: CheckOptions = { json: false, next: 0, from: NOW, showEnv: false };

function scan(overrides: Partial<ConfigScan> = {}): ConfigScan {
  return {
    dir: '/etc/wingmate',
    serviceDir: '/etc/wingmate/service',
    services: [],
    skipped: [],
    crontab: '/etc/wingmate/crontab',
    ...overrides,
  };
}

/** A writable stream that keeps what is written. */
class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

test('check options are null without --check', () => {
  assert.equal(readCheckOptions(options({ config: '/x' }), NOW), null);
});

test('check options have defaults', () => {
  assert.deepEqual(readCheckOptions(options({ check: true }), NOW), CHECK);
});

test('check options read every flag', () => {
  const parsed = readCheckOptions(options({ check: true, json: true, next: '5', from: '2026-03-08T01:00:00-05:00', 'show-env': true }), NOW);
  assert.deepEqual(parsed, { json: true, next: 5, from: Date.parse('2026-03-08T06:00:00Z'), showEnv: true });
});

for (const flag of ['json', 'next', 'from', 'show-env']) {
  test(`--${flag} needs --check`, () => {
    assert.throws(() => readCheckOptions(options({ [flag]: flag === 'next' ? '1' : true }), NOW), {
      name: 'UsageError',
      message: `option --${flag} works only with --check`,
    });
  });
}

test('--check=false counts as no check', () => {
  assert.throws(() => readCheckOptions(options({ check: false, json: true }), NOW), UsageError);
});

for (const value of ['0', '7', String(MAX_NEXT)]) {
  test(`--next accepts ${value}`, () => {
    assert.equal(readCheckOptions(options({ check: true, next: value }), NOW)?.next, Number(value));
  });
}

for (const value of ['', 'five', '-1', '1.5', '1e3', String(MAX_NEXT + 1), ' 5']) {
  test(`--next rejects "${value}"`, () => {
    assert.throws(() => readCheckOptions(options({ check: true, next: value }), NOW), {
      name: 'UsageError',
      message: `invalid value "${value}" for --next: use a whole number from 0 to ${MAX_NEXT}`,
    });
  });
}

const times: Array<[text: string, iso: string]> = [
  ['2026-03-07T00:00:00Z', '2026-03-07T00:00:00.000Z'],
  ['2026-03-07t00:00:00z', '2026-03-07T00:00:00.000Z'],
  ['2026-03-07T00:00:00.250Z', '2026-03-07T00:00:00.250Z'],
  ['2026-03-07T01:30:00+05:30', '2026-03-06T20:00:00.000Z'],
  ['2026-03-07T00:00:00-04:00', '2026-03-07T04:00:00.000Z'],
  ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
];

for (const [text, iso] of times) {
  test(`--from reads ${text}`, () => {
    assert.equal(new Date(parseRfc3339(text)).toISOString(), iso);
  });
}

for (const text of ['2026-02-30T00:00:00Z', '2026-03-07T24:00:00Z', '2026-03-07T00:60:00Z', '2026-13-01T00:00:00Z',
  '2026-03-07T00:00:00', '2026-03-07T00:00Z', '2026-03-07 00:00:00Z', '2026-03-07T00:00:00+24:00',
  '2026-03-07T00:00:00+01:60', 'now', '1772841600000']) {
  test(`--from rejects ${text}`, () => {
    assert.throws(() => parseRfc3339(text), {
      name: 'UsageError',
      message: `invalid value "${text}" for --from: use RFC 3339, e.g. 2026-03-07T00:00:00Z`,
    });
  });
}

const CRONTAB = [
  'TOKEN=secret value',
  '*/30 * * * * /bin/poll --fast',
  '61 * * * * /bin/bad',
  '30 2 * * * /bin/echo "two thirty"',
  '@reboot /bin/warm',
].join('\n');

test('report lists entries with next start times', () => {
  const report = buildCheckReport(scan(), parseCrontab(CRONTAB, '/etc/wingmate/crontab'), { ...CHECK, next: 3, from: Date.parse('2026-03-08T01:00:00-05:00') });

  assert.deepEqual(report.cron, [
    {
      name: '/etc/wingmate/crontab:2',
      file: '/etc/wingmate/crontab',
      line: 2,
      schedule: '*/30 * * * *',
      command: ['/bin/poll', '--fast'],
      env: ['TOKEN'],
      next: ['2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00'],
    },
    {
      name: '/etc/wingmate/crontab:4',
      file: '/etc/wingmate/crontab',
      line: 4,
      schedule: '30 2 * * *',
      command: ['/bin/echo', 'two thirty'],
      env: ['TOKEN'],
      next: ['2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'],
    },
    {
      name: '/etc/wingmate/crontab:5',
      file: '/etc/wingmate/crontab',
      line: 5,
      schedule: '@reboot',
      command: ['/bin/warm'],
      env: ['TOKEN'],
      next: [],
    },
  ]);
  assert.deepEqual(report.errors, [{ file: '/etc/wingmate/crontab', line: 3, message: 'minute field "61": value 61 out of range 0-59' }]);
});

test('report hides variable values', () => {
  const crontab = parseCrontab(CRONTAB, '/etc/wingmate/crontab');
  assert.deepEqual(buildCheckReport(scan(), crontab, CHECK).cron[0].env, ['TOKEN']);
  assert.deepEqual(buildCheckReport(scan(), crontab, { ...CHECK, showEnv: true }).cron[0].env, ['TOKEN=secret value']);
});

test('report lists services and skipped entries', () => {
  const report = buildCheckReport(scan({
    services: [{ name: '/etc/wingmate/service/a', path: '/etc/wingmate/service/a', command: ['/etc/wingmate/service/a'] }],
    skipped: [{ path: '/etc/wingmate/service/b', reason: 'not executable (chmod +x to make it a service)' }],
    crontab: null,
  }), null, CHECK);

  assert.deepEqual(report, {
    services: [{ name: '/etc/wingmate/service/a', command: ['/etc/wingmate/service/a'] }],
    skipped: [{ path: '/etc/wingmate/service/b', reason: 'not executable (chmod +x to make it a service)' }],
    cron: [],
    errors: [],
    warnings: [],
  });
});

test('report says when there is nothing to run', () => {
  assert.deepEqual(buildCheckReport(scan({ crontab: null }), null, CHECK).errors, [{
    file: '/etc/wingmate',
    message: 'nothing to run: no executable file in /etc/wingmate/service and no /etc/wingmate/crontab',
  }]);
  const onlyErrors = parseCrontab('61 * * * * /bin/x', '/etc/wingmate/crontab');
  assert.deepEqual(buildCheckReport(scan(), onlyErrors, CHECK).errors.map((error) => error.message), [
    'minute field "61": value 61 out of range 0-59',
    'nothing to run: no executable file in /etc/wingmate/service and no valid entry in /etc/wingmate/crontab',
  ]);
});

test('unreadable crontab is one error', () => {
  const dir = tempDir();
  const crontab = readCrontab(dir);
  assert.deepEqual(crontab, { entries: [], errors: [{ file: dir, line: 0, message: 'cannot read the crontab: EISDIR' }] });
  const report = buildCheckReport(scan({ crontab: dir }), crontab, CHECK);
  assert.deepEqual(report.errors[0], { file: dir, message: 'cannot read the crontab: EISDIR' });
});

test('text report for a person', () => {
  const report = buildCheckReport(scan({
    services: [{ name: '/s/a', path: '/s/a', command: ['/s/a'] }],
    skipped: [{ path: '/s/.b', reason: 'a dot file' }],
  }), parseCrontab(CRONTAB, '/etc/wingmate/crontab'), { ...CHECK, next: 2, showEnv: true });

  const text = formatCheckText(report);
  assert.equal(text.stdout, [
    'services:',
    '  /s/a',
    '  skipped /s/.b: a dot file',
    'cron:',
    '  /etc/wingmate/crontab:2  */30 * * * *  /bin/poll --fast',
    "    env: 'TOKEN=secret value'",
    '    next: 2026-03-06T19:30:00-05:00 2026-03-06T20:00:00-05:00',
    "  /etc/wingmate/crontab:4  30 2 * * *  /bin/echo 'two thirty'",
    "    env: 'TOKEN=secret value'",
    '    next: 2026-03-07T02:30:00-05:00 2026-03-08T03:00:00-04:00',
    '  /etc/wingmate/crontab:5  @reboot  /bin/warm',
    "    env: 'TOKEN=secret value'",
    '',
  ].join('\n'));
  assert.equal(text.stderr, '/etc/wingmate/crontab:3: minute field "61": value 61 out of range 0-59\n');
});

test('text report of an empty configuration', () => {
  const text = formatCheckText(buildCheckReport(scan({ crontab: null }), null, CHECK));
  assert.equal(text.stdout, 'services: none\ncron: none\n');
  assert.equal(text.stderr, '/etc/wingmate: nothing to run: no executable file in /etc/wingmate/service and no /etc/wingmate/crontab\n');
});

test('check exits 0 for a valid configuration', () => {
  const config = makeConfig({ services: { 'a.sh': '#!/bin/sh\n' }, crontab: "0 0 * * * /bin/true 'it''s'\n" });
  const stdout = new Capture();
  const stderr = new Capture();
  assert.equal(runCheck(scanConfig(config), { ...CHECK, json: true }, stdout, stderr), 0);

  const report = JSON.parse(stdout.text);
  assert.deepEqual(report.services, [{ name: path.join(config, 'service', 'a.sh'), command: [path.join(config, 'service', 'a.sh')] }]);
  assert.deepEqual(report.cron[0].command, ['/bin/true', "its"]);
  assert.equal(stderr.text, '');
});

test('check exits 1 for an invalid line', () => {
  const config = makeConfig({ crontab: '* * * * * /bin/true\n* * * * * /bin/a | b\n' });
  const stdout = new Capture();
  const stderr = new Capture();
  assert.equal(runCheck(scanConfig(config), CHECK, stdout, stderr), 1);
  assert.match(stderr.text, new RegExp(`^${path.join(config, 'crontab')}:2: command "/bin/a \\| b": unquoted "\\|"`));
});

function wingmate(args: string[], env: Record<string, string> = {}): ReturnType<typeof spawnSync> {
  const [node, script] = bin('wingmate');
  return spawnSync(node, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: ROOT });
}

test('wingmate --check prints the example', () => {
  const result = wingmate(['--check', '--json', '--next', '5', '--from', '2026-03-07T00:00:00Z', '--config', 'examples/basic'], { TZ: 'America/New_York' });
  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);

  const report = JSON.parse(String(result.stdout));
  const nextOf = (schedule: string): string[] =>
    report.cron.find((entry: { schedule: string }) => entry.schedule === schedule).next;
  assert.deepEqual(report.services.map((service: { name: string }) => service.name), [
    'examples/basic/service/crasher', 'examples/basic/service/devstdout', 'examples/basic/service/hello',
    'examples/basic/service/ticker', 'greeter', 'once', 'session', 'spare',
  ]);
  assert.deepEqual(nextOf('30 2 * * *'), [
    '2026-03-07T02:30:00-05:00',
    '2026-03-08T03:00:00-04:00',
    '2026-03-09T02:30:00-04:00',
    '2026-03-10T02:30:00-04:00',
    '2026-03-11T02:30:00-04:00',
  ]);
  assert.deepEqual(nextOf('0 9 * * mon-fri'), [
    '2026-03-09T09:00:00-04:00',
    '2026-03-10T09:00:00-04:00',
    '2026-03-11T09:00:00-04:00',
    '2026-03-12T09:00:00-04:00',
    '2026-03-13T09:00:00-04:00',
  ]);
  assert.deepEqual(nextOf('*/15 * * * *'), [
    '2026-03-06T19:15:00-05:00',
    '2026-03-06T19:30:00-05:00',
    '2026-03-06T19:45:00-05:00',
    '2026-03-06T20:00:00-05:00',
    '2026-03-06T20:15:00-05:00',
  ]);
  assert.deepEqual(nextOf('@reboot'), []);
  assert.deepEqual(report.errors, []);
});

test('wingmate --check exits 1 and names the line', () => {
  const config = makeConfig({ crontab: '# jobs\n0 0 31 2 * /bin/never\n' });
  const result = wingmate(['--check', '--config', config]);
  assert.equal(result.status, 1);
  assert.equal(result.stderr, `${config}/crontab:2: day-of-month field "31": none of these days occurs in month field "2", so the job would never run\n${config}: nothing to run: no executable file in ${config}/service and no valid entry in ${config}/crontab\n`);
});

test('wingmate --json without --check is a usage error', () => {
  const result = wingmate(['--json']);
  assert.equal(result.status, 2);
  assert.match(String(result.stderr), /^wingmate: option --json works only with --check\nusage: wingmate /);
});

test('wingmate --check starts nothing and writes no log', () => {
  const marker = path.join(tempDir(), 'ran');
  const config = makeConfig({ services: { 'a.sh': `#!/bin/sh\ntouch ${marker}\n` }, crontab: '@reboot /bin/true\n' });
  const result = wingmate(['--check', '-c', config]);
  assert.equal(result.status, 0);
  assert.equal(result.stderr, '');
  assert.equal(fs.existsSync(marker), false);
});
