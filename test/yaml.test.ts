import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { parseSchedule } from '../lib/config/cronspec';
import { parseCrontab } from '../lib/config/crontab';
import { crontabEntryName, rejectNameCollisions } from '../lib/config/names';
import { type ConfigProblem, type YamlConfig, parseYamlConfig, readYamlConfig } from '../lib/config/yaml';

const FILE = '/etc/wingmate/wingmate.yaml';

function parse(lines: string[]): YamlConfig {
  return parseYamlConfig(lines.join('\n'), FILE);
}

/** Parse a document that must produce exactly one error, and return it. */
function onlyError(lines: string[]): ConfigProblem {
  const config = parse(lines);
  assert.equal(config.errors.length, 1, JSON.stringify(config.errors));
  assert.equal(config.errors[0].file, FILE);
  return config.errors[0];
}

/** Build a service entry named `web`, with each setting line indented under it. */
function service(...settings: string[]): string[] {
  return ['service:', '  web:', ...settings.map((line) => `    ${line}`)];
}

function cronJob(...settings: string[]): string[] {
  return ['cron:', '  tidy:', ...settings.map((line) => `    ${line}`)];
}

test('loads the upstream documentation example', () => {
  // The example of the Go original's wingmate.yaml.md, with its test programs replaced by commands
  // that exist here.
  const config = parse([
    'service:',
    '  spawner:',
    '    command: [ /bin/sleep, "1000" ]',
    '    user: "1200"',
    '    working_dir: "/var/run/test"',
    '',
    '  bgtest:',
    '    command:',
    '      - "start-stop-daemon"',
    '      - "--start"',
    '      - "--background"',
    '      - "--make-pidfile"',
    '      - "--pidfile"',
    '      - "/var/run/wmbg.pid"',
    '      - "--exec"',
    '      - "/bin/sleep"',
    '      - "--"',
    '      - "1000"',
    '    pidfile: "/var/run/wmbg.pid"',
    '',
    'cron:',
    '  cron1:',
    '    command: ["/bin/sh", "-c", "echo $WINGMATE_LOG_MESSAGE"]',
    '    schedule: "*/5 * * * *"',
    '    working_dir: "/var/run/cron"',
    '    environ:',
    '      - "WINGMATE_LOG=/var/log/cron1.log"',
    '      - "WINGMATE_LOG_MESSAGE=cron executed in minute 5,10,15,20,25,30,35,40,45,50,55"',
    '  cron2:',
    '    command: ["/bin/sleep", "5"]',
    '    schedule: "17,42 */2 * * *"',
    '  cron3:',
    '    command:',
    '      - "/bin/sleep"',
    '      - "5"',
    '    schedule: "7,19,23,47 22 * * *"',
  ]);

  assert.deepEqual(config.errors, []);
  assert.deepEqual(config.warnings, []);
  assert.deepEqual(config.services, [
    {
      name: 'spawner', file: FILE, line: 2, command: ['/bin/sleep', '1000'], env: [], workingDir: '/var/run/test',
      user: '1200', group: null, setsid: false, pidfile: null, startsecs: null, autostart: true, autorestart: true,
    },
    {
      name: 'bgtest', file: FILE, line: 7,
      command: ['start-stop-daemon', '--start', '--background', '--make-pidfile', '--pidfile', '/var/run/wmbg.pid', '--exec', '/bin/sleep', '--', '1000'],
      env: [], workingDir: null, user: null, group: null, setsid: false, pidfile: '/var/run/wmbg.pid', startsecs: null,
      autostart: true, autorestart: true,
    },
  ]);

  assert.deepEqual(config.cron.map((job) => [job.name, job.line, job.schedule]), [
    ['cron1', 22, '*/5 * * * *'],
    ['cron2', 29, '17,42 */2 * * *'],
    ['cron3', 32, '7,19,23,47 22 * * *'],
  ]);
  const [cron1] = config.cron;
  assert.deepEqual(cron1.command, ['/bin/sh', '-c', 'echo $WINGMATE_LOG_MESSAGE']);
  assert.equal(cron1.commandText, 'cron1');
  assert.equal(cron1.workingDir, '/var/run/cron');
  assert.deepEqual(cron1.env, [
    ['WINGMATE_LOG', '/var/log/cron1.log'],
    ['WINGMATE_LOG_MESSAGE', 'cron executed in minute 5,10,15,20,25,30,35,40,45,50,55'],
  ]);
  assert.deepEqual(cron1.spec, parseSchedule(['*/5', '*', '*', '*', '*']));
  assert.equal(cron1.reboot, false);
});

test('reads every service setting', () => {
  const config = parse(service(
    'command: [ "/usr/bin/app", "--port", "8080" ]',
    'environ: [ "KEY=value", "URL=http://x/?a=b", "EMPTY=" ]',
    'working_dir: /srv/app',
    'user: app',
    'group: staff',
    'setsid: true',
    'pidfile: /run/app.pid',
    'startsecs: 2.5',
    'background: true',
    'autostart: false',
    'autorestart: false',
  ));

  assert.deepEqual(config.errors, []);
  assert.deepEqual(config.warnings, []);
  assert.deepEqual(config.services[0], {
    name: 'web', file: FILE, line: 2, command: ['/usr/bin/app', '--port', '8080'],
    env: [['KEY', 'value'], ['URL', 'http://x/?a=b'], ['EMPTY', '']],
    workingDir: '/srv/app', user: 'app', group: 'staff', setsid: true,
    pidfile: '/run/app.pid', startsecs: 2.5, autostart: false, autorestart: false,
  });
});

test('reads every cron job setting', () => {
  const config = parse(cronJob(
    'command: [ /usr/local/bin/cleanup, --all ]',
    'schedule: "  @daily "',
    'environ: [ "A=1" ]',
    'working_dir: /tmp',
    'user: 33',
    'group: 33',
    'setsid: false',
  ));

  assert.deepEqual(config.errors, []);
  assert.deepEqual(config.cron, [{
    name: 'tidy', file: FILE, line: 2, schedule: '@daily', spec: parseSchedule(['0', '0', '*', '*', '*']), reboot: false,
    command: ['/usr/local/bin/cleanup', '--all'], commandText: 'tidy', env: [['A', '1']],
    workingDir: '/tmp', user: '33', group: '33', setsid: false,
  }]);
});

test('accepts the crontab macros and syntax in schedule', () => {
  const config = parse([
    'cron:',
    '  boot: { command: [ /bin/true ], schedule: "@reboot" }',
    '  weekly: { command: [ /bin/true ], schedule: "@weekly" }',
    '  names: { command: [ /bin/true ], schedule: "0 9 * jan-mar mon-fri" }',
    '  steps: { command: [ /bin/true ], schedule: "1-20/5 */6 * * fri-sun" }',
  ]);

  assert.deepEqual(config.errors, []);
  const [boot, weekly, names, steps] = config.cron;
  assert.equal(boot.reboot, true);
  assert.equal(boot.spec, null);
  assert.deepEqual(weekly.spec, parseSchedule(['0', '0', '*', '*', '0']));
  assert.deepEqual(names.spec?.months, [1, 2, 3]);
  assert.deepEqual(names.spec?.daysOfWeek, [1, 2, 3, 4, 5]);
  assert.deepEqual(steps.spec?.minutes, [1, 6, 11, 16]);
  assert.deepEqual(steps.spec?.daysOfWeek, [0, 5, 6]);
});

test('takes unquoted numbers and booleans in text as written', () => {
  const config = parse(service('command: [ sleep, 5, 0x1F, 1.10, true ]', 'user: 1200', 'group: 0', 'environ: [ 5=x ]'));

  assert.deepEqual(config.errors, []);
  assert.deepEqual(config.services[0].command, ['sleep', '5', '0x1F', '1.10', 'true']);
  assert.equal(config.services[0].user, '1200');
  assert.equal(config.services[0].group, '0');
  assert.deepEqual(config.services[0].env, [['5', 'x']]);
});

test('treats empty optional values as not set', () => {
  const config = parse(service('command: [ /bin/app ]', 'environ:', 'working_dir:', 'user: ~', 'setsid: null', 'autostart:'));

  assert.deepEqual(config.errors, []);
  const [web] = config.services;
  assert.deepEqual([web.env, web.workingDir, web.user, web.setsid, web.autostart], [[], null, null, false, true]);
});

test('loads nothing from an empty file or empty sections', () => {
  for (const text of ['', '# all commented out\n', 'service:\ncron:\n']) {
    assert.deepEqual(parseYamlConfig(text, FILE), { file: FILE, services: [], cron: [], errors: [], warnings: [] });
  }
});

test('follows aliases and merge keys', () => {
  const config = parse([
    'defaults: &defaults',
    '  user: app',
    '  environ: [ "MODE=prod" ]',
    'service:',
    '  api:',
    '    <<: *defaults',
    '    command: [ /srv/api ]',
    '  worker:',
    '    <<: *defaults',
    '    command: [ /srv/worker ]',
    '    user: batch',
  ]);

  // `defaults` is not a section; its entries still merge into the services.
  assert.deepEqual(config.errors.map((error) => error.message), ['defaults: unknown key; the top level has only "service" and "cron"']);
  assert.deepEqual(config.services.map((entry) => [entry.name, entry.user, entry.env]), [
    ['api', 'app', [['MODE', 'prod']]],
    ['worker', 'batch', [['MODE', 'prod']]],
  ]);
});

test('reports an error in a merged setting at its line', () => {
  const config = parse(['x: &common', '  setsid: "yes"', 'service:', '  api:', '    <<: *common', '    command: [ /srv/api ]']);

  assert.deepEqual(config.errors.slice(1), [{ file: FILE, line: 2, message: 'service.api.setsid: expected true or false, got the string "yes"' }]);
  assert.deepEqual(config.services, []);
});

test('rejects a document with too many aliases', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level < 8; level++) {
    lines.push(`${'bcdefgh'[level - 1]}: &${'bcdefgh'[level - 1]} [${Array(10).fill(`*${'abcdefgh'[level - 1]}`).join(', ')}]`);
  }
  const error = onlyError(lines);

  assert.equal(error.line, null);
  assert.match(error.message, /^YAML error: .*alias/i);
});

test('reports a syntax error with its line and loads nothing', () => {
  const config = parse(['service:', '  ok:', '    command: [ /bin/true ]', '  web:', '    command: [ /bin/app', 'cron:']);

  assert.deepEqual(config.services, []);
  assert.equal(config.errors.length >= 1, true);
  assert.equal(config.errors[0].line, 6);
  assert.match(config.errors[0].message, /^YAML syntax error: .*\]/);
});

test('reports syntax errors of every kind with their lines', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['tab indentation', ['service:', '\tweb: {}'], 2, /^YAML syntax error: Tabs are not allowed/],
    ['duplicate name', ['service:', '  web: { command: [ a ] }', '  web: { command: [ b ] }'], 3, /^YAML syntax error: Map keys must be unique/],
    ['nested compact mapping', ['service:', '  web: command: [ a ]'], 2, /^YAML syntax error: Nested mappings/],
    ['second document', ['service:', '---', 'cron:'], 2, /^YAML syntax error: Source contains multiple documents/],
    ['unterminated quote', ['service:', '  web:', '    command: [ "a ]'], 3, /^YAML syntax error: /],
  ];
  for (const [label, lines, line, message] of cases) {
    const config = parse(lines);
    assert.deepEqual(config.services, [], label);
    assert.equal(config.errors[0]?.line, line, label);
    assert.match(config.errors[0].message, message, label);
  }
});

test('reports each validation error with its path and line', () => {
  const cases: [string, string[], number | null, string][] = [
    ['top level not a mapping', ['- web'], null, 'top level: expected a mapping with the keys "service" and "cron", got a list'],
    ['unknown top-level key', ['services:', '  web: {}'], 1, 'services: unknown key; the top level has only "service" and "cron"'],
    ['section not a mapping', ['service: [ web ]'], 1, 'service: expected a mapping of names to settings, got a list'],
    ['name not a string', ['service:', '  42: { command: [ a ] }'], 2, 'service.42: invalid name 42: a name must be a non-empty string; quote it'],
    ['entry not a mapping', ['service:', '  web: /bin/app'], 2, 'service.web: expected a mapping of settings with at least "command", got the string "/bin/app"'],
    ['entry empty', ['service:', '  web:'], 2, 'service.web: expected a mapping of settings with at least "command", got an empty value (null)'],
    ['cron entry a list', ['cron:', '  tidy: [ a ]'], 2, 'cron.tidy: expected a mapping of settings with at least "command", got a list'],
    ['missing command', service('user: app'), 2, 'service.web: missing "command", e.g. [ "/usr/bin/app", "--port", "8080" ]'],
    ['empty command', service('command: []'), 3, 'service.web.command: empty command; give the program and its arguments, e.g. [ "/usr/bin/app", "--port", "8080" ]'],
    ['command as one string', service('command: /usr/bin/app --port 8080'), 3, 'service.web.command: expected a list of strings, got the string "/usr/bin/app --port 8080"; write it as a list, e.g. [ "/usr/bin/app", "--port", "8080" ] (no shell splits it)'],
    ['command item a list', service('command:', '  - /bin/app', '  - [ a ]'), 5, 'service.web.command[1]: expected a string, got a list'],
    ['empty program', service('command: [ "", x ]'), 3, 'service.web.command[0]: the program name is empty'],
    ['NUL in an argument', service('command: [ a, "b\\0c" ]'), 3, 'service.web.command[1]: contains a NUL character, which no argument can hold'],
    ['number by explicit tag', service('command: [ a, !!int "5" ]'), 3, 'service.web.command[1]: expected a string, got the number 5; quote it ("5")'],
    ['boolean by explicit tag', service('command: [ a, !!bool "true" ]'), 3, 'service.web.command[1]: expected a string, got the boolean true; quote it ("true")'],
    ['unknown key, similar', service('command: [ a ]', 'Command: [ b ]'), 4, 'service.web.Command: unknown key (did you mean "command"?); a service accepts command, environ, working_dir, user, group, setsid, pidfile, startsecs, background, autostart, autorestart'],
    ['unknown key, misspelt', service('command: [ a ]', 'working-dir: /srv'), 4, 'service.web.working-dir: unknown key (did you mean "working_dir"?); a service accepts command, environ, working_dir, user, group, setsid, pidfile, startsecs, background, autostart, autorestart'],
    ['unknown key', service('command: [ a ]', 'restart: always'), 4, 'service.web.restart: unknown key; a service accepts command, environ, working_dir, user, group, setsid, pidfile, startsecs, background, autostart, autorestart'],
    ['environ not a list', service('command: [ a ]', 'environ: { A: b }'), 4, 'service.web.environ: expected a list of "NAME=value" strings, got a mapping'],
    ['environ without =', service('command: [ a ]', 'environ: [ "A=1", "DEBUG" ]'), 4, 'service.web.environ[1]: "DEBUG" has no "="; write NAME=value'],
    ['environ empty name', service('command: [ a ]', 'environ: [ "=1" ]'), 4, 'service.web.environ[0]: "=1" has an empty variable name; write NAME=value'],
    ['environ item a mapping', service('command: [ a ]', 'environ:', '  - A: 1'), 5, 'service.web.environ[0]: expected a string, got a mapping'],
    ['working_dir empty', service('command: [ a ]', 'working_dir: ""'), 4, 'service.web.working_dir: empty string; give a value or remove the key'],
    ['NUL in working_dir', service('command: [ a ]', 'working_dir: "/srv\\0"'), 4, 'service.web.working_dir: contains a NUL character, which a path, argument or name cannot hold'],
    ['NUL in environ', service('command: [ a ]', 'environ: [ "A=\\0" ]'), 4, 'service.web.environ[0]: contains a NUL character, which no environment variable can hold'],
    ['working_dir a list', service('command: [ a ]', 'working_dir: [ /srv ]'), 4, 'service.web.working_dir: expected a string, got a list'],
    ['user with a group', service('command: [ a ]', 'user: "app:staff"'), 4, 'service.web.user: "app:staff" contains ":"; give the group with the separate "group" key'],
    ['user id too large', service('command: [ a ]', 'user: 4294967295'), 4, 'service.web.user: invalid id 4294967295: a uid or gid is at most 4294967294'],
    ['group without user', service('command: [ a ]', 'group: staff'), 4, 'service.web.group: needs "user" as well; add user: "0" to keep running as root'],
    ['setsid not a boolean', service('command: [ a ]', 'setsid: "true"'), 4, 'service.web.setsid: expected true or false, got the string "true"'],
    ['autostart not a boolean', service('command: [ a ]', 'autostart: 1'), 4, 'service.web.autostart: expected true or false, got the number 1'],
    ['autorestart not a boolean', service('command: [ a ]', 'autorestart: "no"'), 4, 'service.web.autorestart: expected true or false, got the string "no"'],
    ['startsecs negative', service('command: [ a ]', 'pidfile: /run/a.pid', 'startsecs: -1'), 5, 'service.web.startsecs: expected a number of seconds from 0 to 2000000 such as 2 or 0.5, got the number -1'],
    ['startsecs a string', service('command: [ a ]', 'pidfile: /run/a.pid', 'startsecs: 2s'), 5, 'service.web.startsecs: expected a number of seconds from 0 to 2000000 such as 2 or 0.5, got the string "2s"'],
    ['pidfile a list', service('command: [ a ]', 'pidfile: [ /run/a.pid ]'), 4, 'service.web.pidfile: expected a string, got a list'],
    ['cron with pidfile', cronJob('command: [ a ]', 'schedule: "@hourly"', 'pidfile: /run/a.pid'), 5, 'cron.tidy.pidfile: not valid for a cron job: wingmate does not supervise a job after it starts, so there is no daemon to follow; remove it'],
    ['cron with autorestart', cronJob('command: [ a ]', 'schedule: "@hourly"', 'autorestart: false'), 5, 'cron.tidy.autorestart: not valid for a cron job, only for a service; remove it'],
    ['cron unknown key', cronJob('command: [ a ]', 'schedule: "@hourly"', 'schedul: x'), 5, 'cron.tidy.schedul: unknown key (did you mean "schedule"?); a cron job accepts command, environ, working_dir, user, group, setsid, schedule'],
    ['cron missing schedule', cronJob('command: [ a ]'), 2, 'cron.tidy: missing "schedule", e.g. "*/5 * * * *" or "@daily"'],
    ['cron missing command', cronJob('schedule: "@daily"'), 2, 'cron.tidy: missing "command", e.g. [ "/usr/bin/app", "--port", "8080" ]'],
    ['schedule with 4 fields', cronJob('command: [ a ]', 'schedule: "*/5 * * *"'), 4, 'cron.tidy.schedule: invalid schedule "*/5 * * *": expected 5 time fields (minute hour day-of-month month day-of-week), got 4: "*/5 * * *"'],
    ['schedule out of range', cronJob('command: [ a ]', 'schedule: "0 24 * * *"'), 4, 'cron.tidy.schedule: invalid schedule "0 24 * * *": hour field "24": value 24 out of range 0-23'],
    ['schedule unknown macro', cronJob('command: [ a ]', 'schedule: "@fortnightly"'), 4, 'cron.tidy.schedule: invalid schedule "@fortnightly": unknown macro "@fortnightly"; use one of @yearly @annually @monthly @weekly @daily @midnight @hourly @reboot, or five time fields'],
    ['schedule blank', cronJob('command: [ a ]', 'schedule: "  "'), 4, 'cron.tidy.schedule: invalid schedule "": expected 5 time fields (minute hour day-of-month month day-of-week), got 0'],
    ['schedule a list', cronJob('command: [ a ]', 'schedule: [ "*", "*" ]'), 4, 'cron.tidy.schedule: expected a string, got a list'],
  ];
  for (const [label, lines, line, message] of cases) {
    const error = onlyError(lines);
    assert.equal(error.message, message, label);
    assert.equal(error.line, line, label);
  }
});

test('reports every error of an entry, loads the others', () => {
  const config = parse([
    'service:',
    '  good: { command: [ /bin/good ] }',
    '  bad:',
    '    command: /bin/bad',
    '    setsid: maybe',
    '    colour: blue',
    'cron:',
    '  fine: { command: [ /bin/fine ], schedule: "@hourly" }',
    '  broken: { command: [ /bin/broken ], schedule: "61 * * * *" }',
  ]);

  assert.deepEqual(config.services.map((entry) => entry.name), ['good']);
  assert.deepEqual(config.cron.map((entry) => entry.name), ['fine']);
  assert.deepEqual(config.errors.map((error) => [error.line, error.message.split(':')[0]]), [
    [6, 'service.bad.colour'],
    [4, 'service.bad.command'],
    [5, 'service.bad.setsid'],
    [9, 'cron.broken.schedule'],
  ]);
});

test('quotes names that are not plain words in paths', () => {
  const error = onlyError(['service:', '  "my app.v2":', '    command: 42']);

  assert.equal(error.message, 'service["my app.v2"].command: expected a list of strings, got the number 42');
});

test('warns about settings that have no effect', () => {
  const config = parse([
    'service:',
    '  a: { command: [ a ], startsecs: 3 }',
    '  b: { command: [ b ], background: true }',
    '  c: { command: [ c ], pidfile: /run/c.pid, background: false }',
    '  d: { command: [ d ], tag: !custom x }',
  ]);

  assert.deepEqual(config.services.map((entry) => entry.name), ['a', 'b', 'c']);
  assert.deepEqual(config.warnings.map((warning) => [warning.line, warning.message]), [
    [5, 'YAML warning: Unresolved tag: !custom'],
    [2, 'service.a.startsecs: has no effect without "pidfile"; it delays the first pid file check'],
    [3, 'service.b.background: has no effect without "pidfile": a daemon that forks is followed through its pid file'],
    [4, 'service.c.background: ignored: a service with "pidfile" always runs in the background'],
  ]);
});

test('reads wingmate.yaml of a directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wingmate-yaml-'));
  try {
    assert.equal(readYamlConfig(dir), null);

    fs.writeFileSync(path.join(dir, 'wingmate.yaml'), 'service:\n  web:\n    command: [ /bin/app ]\n');
    const config = readYamlConfig(dir);
    assert.equal(config?.file, path.join(dir, 'wingmate.yaml'));
    assert.deepEqual(config?.services.map((entry) => entry.command), [['/bin/app']]);

    fs.rmSync(path.join(dir, 'wingmate.yaml'));
    fs.mkdirSync(path.join(dir, 'wingmate.yaml'));
    assert.deepEqual(readYamlConfig(dir)?.errors, [{ file: path.join(dir, 'wingmate.yaml'), line: null, message: 'cannot read the file: EISDIR' }]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rejects names taken by legacy entries', () => {
  const crontab = parseCrontab('# jobs\n*/5 * * * * /usr/bin/tidy --all\n', '/etc/wingmate/crontab');
  const config = parse([
    'service:',
    '  /etc/wingmate/service/web.sh: { command: [ /bin/web ] }',
    '  web: { command: [ /bin/web ] }',
    'cron:',
    '  /etc/wingmate/crontab:2: { command: [ a ], schedule: "@daily" }',
    '  /usr/bin/tidy --all: { command: [ a ], schedule: "@daily" }',
    '  tidy: { command: [ a ], schedule: "@daily" }',
  ]);
  const legacyServices = [{ name: '/etc/wingmate/service/web.sh' }];

  const checked = rejectNameCollisions(config, legacyServices, crontab.entries);

  assert.equal(crontabEntryName(crontab.entries[0]), '/etc/wingmate/crontab:2');
  assert.deepEqual(checked.services.map((entry) => entry.name), ['web']);
  assert.deepEqual(checked.cron.map((entry) => entry.name), ['tidy']);
  assert.deepEqual(checked.errors, [
    { file: FILE, line: 2, message: 'service["/etc/wingmate/service/web.sh"]: the name is already taken by the service file of that path; rename the entry' },
    { file: FILE, line: 5, message: 'cron["/etc/wingmate/crontab:2"]: the name is already taken by line 2 of /etc/wingmate/crontab; rename the entry' },
    { file: FILE, line: 6, message: 'cron["/usr/bin/tidy --all"]: the name equals the command of /etc/wingmate/crontab:2, which tags that job\'s log records; rename the entry so that the records of the two jobs can be told apart' },
  ]);
  assert.deepEqual(config.errors, [], 'the input is left as it was');
});

test('loads the bundled example', () => {
  const config = readYamlConfig(path.join(__dirname, '..', 'examples', 'basic'));

  assert.deepEqual(config?.errors, []);
  assert.deepEqual(config?.warnings, []);
  assert.deepEqual(config?.services.map((entry) => entry.name), ['greeter', 'once', 'session', 'spare']);
  assert.deepEqual(config?.cron.map((entry) => entry.name), ['heartbeat']);
});
