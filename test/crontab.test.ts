import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseCrontab, type CronEntry } from '../lib/config/crontab';
import { parseSchedule } from '../lib/config/cronspec';

const FILE = '/etc/wingmate/crontab';

function only(text: string): CronEntry {
  const { entries, errors } = parseCrontab(text, FILE);
  assert.deepEqual(errors, []);
  assert.equal(entries.length, 1);
  return entries[0];
}

function errorOf(text: string): string {
  const { entries, errors } = parseCrontab(text, FILE);
  assert.deepEqual(entries, []);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, FILE);
  assert.equal(errors[0].line, 1);
  return errors[0].message;
}

test('loads CRLF lines without a final newline', () => {
  const text = '# nightly\r\n\r\nSHELL=/bin/sh\r\n* * * * * /srv/t/a.sh\r\n* * * * * /srv/t/b.sh';
  const { entries, errors } = parseCrontab(text, FILE);

  assert.deepEqual(errors, []);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries.map((entry) => entry.command), [['/srv/t/a.sh'], ['/srv/t/b.sh']]);
  assert.deepEqual(entries.map((entry) => entry.commandText), ['/srv/t/a.sh', '/srv/t/b.sh']);
  assert.deepEqual(entries.map((entry) => entry.line), [4, 5]);
  for (const entry of entries) {
    assert.deepEqual(entry.env, [['SHELL', '/bin/sh']]);
    assert.equal(entry.schedule, '* * * * *');
    assert.deepEqual(entry.spec, parseSchedule(['*', '*', '*', '*', '*']));
  }
});

test('starts star steps at the field minimum', () => {
  const text = [
    '*/15 * * * * /srv/t/m.sh',
    '0 */6 * * * /srv/t/h.sh',
    '0 0 */10 * * /srv/t/d.sh',
    '0 0 1 */3 * /srv/t/mo.sh',
    '*/59 * * * * /srv/t/x.sh',
  ].join('\n');
  const { entries, errors } = parseCrontab(text, FILE);

  assert.deepEqual(errors, []);
  assert.deepEqual(entries[0].spec?.minutes, [0, 15, 30, 45]);
  assert.deepEqual(entries[1].spec?.hours, [0, 6, 12, 18]);
  assert.deepEqual(entries[2].spec?.daysOfMonth, [1, 11, 21, 31]);
  assert.deepEqual(entries[3].spec?.months, [1, 4, 7, 10]);
  assert.deepEqual(entries[4].spec?.minutes, [0, 59]);
});

test('reports a reversed range, loads the rest', () => {
  const text = [
    '1-9/2 * * * * /srv/t/a.sh',
    '10-40/15 8-17 * * 0-1,3-6 /srv/t/b.sh',
    '5 1-1 * * * /srv/t/c.sh',
    '30-20 * * * * /srv/t/d.sh',
  ].join('\n');
  const { entries, errors } = parseCrontab(text, FILE);

  assert.deepEqual(entries.map((entry) => entry.commandText), ['/srv/t/a.sh', '/srv/t/b.sh', '/srv/t/c.sh']);
  assert.deepEqual(entries[0].spec?.minutes, [1, 3, 5, 7, 9]);
  assert.deepEqual(entries[1].spec?.minutes, [10, 25, 40]);
  assert.deepEqual(entries[1].spec?.hours, [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.deepEqual(entries[1].spec?.daysOfWeek, [0, 1, 3, 4, 5, 6]);
  assert.deepEqual(entries[2].spec?.hours, [1]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, FILE);
  assert.equal(errors[0].line, 4);
  assert.match(errors[0].message, /^minute field "30-20": reversed range "30-20"/);
});

test('reads month and weekday names in any case', () => {
  const text = [
    '30 8 * jan-mar Mon-Fri /srv/t/a.sh',
    '0 0 1 JAN * /srv/t/b.sh',
    '0 12 * * sat,SUN /srv/t/c.sh',
  ].join('\n');
  const { entries, errors } = parseCrontab(text, FILE);

  assert.deepEqual(errors, []);
  assert.deepEqual(entries[0].spec?.months, [1, 2, 3]);
  assert.deepEqual(entries[0].spec?.daysOfWeek, [1, 2, 3, 4, 5]);
  assert.deepEqual([entries[0].spec?.hours, entries[0].spec?.minutes], [[8], [30]]);
  assert.deepEqual([entries[1].spec?.months, entries[1].spec?.daysOfMonth], [[1], [1]]);
  assert.deepEqual(entries[2].spec?.daysOfWeek, [0, 6]);
  assert.deepEqual(entries[2].spec?.hours, [12]);
});

test('parses a job line into its parts', () => {
  const entry = only("*/5  * * * *\t/usr/bin/backup --to '/mnt/my disk' -v  ");

  assert.deepEqual(entry, {
    file: FILE,
    line: 1,
    schedule: '*/5 * * * *',
    spec: parseSchedule(['*/5', '*', '*', '*', '*']),
    reboot: false,
    command: ['/usr/bin/backup', '--to', '/mnt/my disk', '-v'],
    commandText: "/usr/bin/backup --to '/mnt/my disk' -v",
    env: [],
  });
});

test('parses a line with leading blanks', () => {
  assert.equal(only('   0 1 * * * /bin/job').schedule, '0 1 * * *');
});

test('parses a macro line', () => {
  const entry = only('@daily /bin/job arg');
  assert.equal(entry.schedule, '@daily');
  assert.deepEqual(entry.spec, parseSchedule(['0', '0', '*', '*', '*']));
  assert.equal(entry.reboot, false);
  assert.deepEqual(entry.command, ['/bin/job', 'arg']);
});

test('parses @reboot with no schedule', () => {
  const entry = only('@reboot /bin/warm-cache');
  assert.equal(entry.schedule, '@reboot');
  assert.equal(entry.spec, null);
  assert.equal(entry.reboot, true);
  assert.deepEqual(entry.command, ['/bin/warm-cache']);
});

test('keeps a command comment out of the arguments', () => {
  const entry = only('0 * * * * /bin/job a # runs hourly');
  assert.deepEqual(entry.command, ['/bin/job', 'a']);
  assert.equal(entry.commandText, '/bin/job a # runs hourly');
});

test('turns an escaped percent into a literal one', () => {
  assert.deepEqual(only('0 0 * * * /bin/date +\\%F').command, ['/bin/date', '+%F']);
});

test('skips comment lines with leading blanks', () => {
  assert.deepEqual(parseCrontab('  \t# comment\n\t\n', FILE), { entries: [], errors: [] });
});

test('parses an empty crontab', () => {
  assert.deepEqual(parseCrontab('', FILE), { entries: [], errors: [] });
});

test('ignores a byte order mark', () => {
  assert.equal(only('\uFEFF* * * * * /bin/job').schedule, '* * * * *');
});

test('counts lines from 1 across CRLF and LF', () => {
  const { entries } = parseCrontab('# a\r\n\n* * * * * /bin/a\r\n\r\n@hourly /bin/b\n', FILE);
  assert.deepEqual(entries.map((entry) => entry.line), [3, 5]);
});

const assignments: Array<[label: string, line: string, name: string, value: string]> = [
  ['plain', 'PATH=/usr/bin:/bin', 'PATH', '/usr/bin:/bin'],
  ['spaces around the equals sign', 'MAILTO = ops@example.org', 'MAILTO', 'ops@example.org'],
  ['tab before the equals sign', 'A\t= b', 'A', 'b'],
  ['trailing blanks of an unquoted value dropped', 'A=b c  \t', 'A', 'b c'],
  ['empty value', 'EMPTY=', 'EMPTY', ''],
  ['double-quoted value', 'GREETING="hello  world "', 'GREETING', 'hello  world '],
  ['single-quoted value', "Q='a \"b\" $c'", 'Q', 'a "b" $c'],
  ['empty quoted value', 'MAILTO=""', 'MAILTO', ''],
  ['blanks after the closing quote', 'A="b"   ', 'A', 'b'],
  ['quoted name', '"NAME"=value', 'NAME', 'value'],
  ['value with an equals sign', 'OPTS=a=b', 'OPTS', 'a=b'],
  ['value with a hash', 'COLOR=#fff', 'COLOR', '#fff'],
  ['value with a percent', 'FMT=%Y', 'FMT', '%Y'],
  ['value with a quote inside', "A=it's", 'A', "it's"],
  ['leading blanks', '  LANG=C.UTF-8', 'LANG', 'C.UTF-8'],
  ['underscore and digits', '_X1=y', '_X1', 'y'],
];

for (const [label, line, name, value] of assignments) {
  test(`reads a variable line: ${label}`, () => {
    const entry = only(`${line}\n* * * * * /bin/job`);
    assert.deepEqual(entry.env, [[name, value]]);
  });
}

test('variables apply only to entries below them', () => {
  const text = [
    '* * * * * /bin/first',
    'A=1',
    '* * * * * /bin/second',
    'B=2',
    'A=3',
    '* * * * * /bin/third',
  ].join('\n');
  const { entries } = parseCrontab(text, FILE);

  assert.deepEqual(entries[0].env, []);
  assert.deepEqual(entries[1].env, [['A', '1']]);
  // A set again keeps its first position and takes the new value.
  assert.deepEqual(entries[2].env, [['A', '3'], ['B', '2']]);
});

test('each entry gets its own copy of the variables', () => {
  const { entries } = parseCrontab('A=1\n* * * * * /bin/a\n* * * * * /bin/b', FILE);
  entries[0].env[0][1] = 'changed';
  assert.deepEqual(entries[1].env, [['A', '1']]);
});

test('a variable-like argument stays in the command', () => {
  assert.deepEqual(only('0 0 * * * /bin/job A=b').command, ['/bin/job', 'A=b']);
});

// Each row: a line that is invalid, and the message expected for it.
const lineErrors: Array<[label: string, line: string, message: string | RegExp]> = [
  ['value out of range', '61 * * * * /bin/job', 'minute field "61": value 61 out of range 0-59'],
  ['unknown name', '0 0 * foo * /bin/job', /^month field "foo": unknown name "foo"/],
  ['step 0', '*/0 * * * * /bin/job', /^minute field "\*\/0": step 0 never advances/],
  ['reversed range', '0 5-1 * * * /bin/job', /^hour field "5-1": reversed range "5-1"/],
  ['missing command', '* * * * *', 'missing command after the schedule "* * * * *"'],
  ['missing command with trailing blanks', '0 0 * * *  \t', 'missing command after the schedule "0 0 * * *"'],
  ['command that is only a comment', '0 0 * * * # nothing', 'missing command after the schedule "0 0 * * *" (only a comment follows)'],
  ['macro without a command', '@daily', 'missing command after the schedule "@daily"'],
  ['too few fields', '* * * *', 'expected 5 time fields (minute hour day-of-month month day-of-week) before the command, found 4: "* * * *"'],
  ['four fields before a path', '* * * * /bin/job', /^expected 5 time fields .* before the command, found 4: "\* \* \* \* \/bin\/job"$/],
  ['two fields before a relative path', '0 1 ./job', /found 2/],
  ['command name in a time field', '* * * * job', /^day-of-week field "job": unknown name "job"/],
  ['unknown macro', '@every5m /bin/job', /^unknown macro "@every5m"; use one of @yearly/],
  ['unterminated quote', "0 0 * * * /bin/job 'abc", /^command "\/bin\/job 'abc": unterminated single quote starting at column 10/],
  ['pipe', '0 0 * * * /bin/job | logger', /^command "\/bin\/job \| logger": unquoted "\|" at column 10 is a pipe in sh/],
  ['redirection', '0 0 * * * /bin/job >/dev/null 2>&1', /unquoted ">" at column 10 is a redirection/],
  ['command separator', '0 0 * * * cd /srv; ./run', /unquoted ";" at column 8/],
  ['variable expansion', '0 0 * * * /bin/job $HOME', /"\$" unquoted at column 10/],
  ['glob', '0 0 * * * /bin/rm /tmp/*.log', /unquoted "\*" at column 14 is a file name pattern/],
  ['unescaped percent', '0 0 * * * /bin/date +%F', /unescaped "%" at column 12: cron\(8\) would end the command there/],
  ['sixth star field', '* * * * * * /bin/job', /unquoted "\*" at column 1 is a file name pattern/],
  ['leading assignment in the command', '0 0 * * * TZ=UTC /bin/job', /would set the variable TZ in sh/],
  ['invalid variable name', 'MY-VAR=1', 'invalid variable name "MY-VAR": use letters, digits and "_", not starting with a digit'],
  ['variable name starting with a digit', '1A=b', /^invalid variable name "1A"/],
  ['unterminated quoted value', 'A="abc', 'unterminated " quote in the value of A: add the closing "'],
  ['text after a quoted value', "A='b' c", `text after the closing quote in the value of A: "c"; put the whole value inside the quotes`],
];

for (const [label, line, message] of lineErrors) {
  test(`reports ${label}`, () => {
    const actual = errorOf(line);
    if (typeof message === 'string') {
      assert.equal(actual, message);
    } else {
      assert.match(actual, message);
    }
  });
}

test('reports each invalid line and loads the others', () => {
  const text = [
    '# jobs',
    '61 * * * * /bin/bad-minute',
    '*/5 * * * * /bin/good',
    'A=1',
    '0 0 * * * /bin/job | tee /tmp/x',
    '@hourly /bin/also-good',
    '@sometimes /bin/bad-macro',
  ].join('\r\n');
  const { entries, errors } = parseCrontab(text, FILE);

  assert.deepEqual(entries.map((entry) => [entry.line, entry.commandText]), [
    [3, '/bin/good'],
    [6, '/bin/also-good'],
  ]);
  assert.deepEqual(errors.map((error) => [error.file, error.line]), [
    [FILE, 2],
    [FILE, 5],
    [FILE, 7],
  ]);
  assert.deepEqual(entries[1].env, [['A', '1']]);
});
