// Next start times depend on the zone.
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';

import { type CheckOptions, buildCheckReport, formatCheckText, runCheck } from '../lib/check';
import { reportProblem } from '../lib/checkyaml';
import { type ConfigScan, scanConfig } from '../lib/config/scan';
import { parseYamlConfig } from '../lib/config/yaml';
import { ROOT, bin, makeConfig, tempDir } from './kit';

const CHECK: CheckOptions = { json: false, next: 0, from: Date.parse('2026-03-07T00:00:00Z'), showEnv: false };
const FILE = '/etc/wingmate/wingmate.yaml';

const YAML = [
  'service:',
  '  web:',
  '    command: [ /usr/bin/app, --port, "8080" ]',
  '    environ: [ "TOKEN=secret value" ]',
  '    working_dir: /srv/app',
  '    user: app',
  '    group: staff',
  '    setsid: true',
  '  sshd:',
  '    command: [ /usr/sbin/sshd ]',
  '    pidfile: /run/sshd.pid',
  '    startsecs: 2',
  '    autorestart: false',
  'cron:',
  '  cleanup:',
  '    command: [ /usr/local/bin/cleanup ]',
  '    schedule: "*/30 * * * *"',
  '    environ: [ "MODE=fast" ]',
  '    user: "33"',
  '  boot:',
  '    command: [ /bin/warm ]',
  '    schedule: "@reboot"',
  '  broken:',
  '    command: [ /bin/x ]',
  '    schedule: "61 * * * *"',
  '  quiet:',
  '    command: [ /bin/q ]',
  '    schedule: "@daily"',
  '    autostart: true',
  '  odd:',
  '    command: [ /bin/o ]',
  '    schedule: "@daily"',
  '    startsecs: 1',
].join('\n');

const SCAN: ConfigScan = { dir: '/etc/wingmate', serviceDir: '/etc/wingmate/service', services: [], skipped: [], crontab: null };

/** A writable stream that keeps what is written. */
class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

test('report lists yaml services with settings', () => {
  const report = buildCheckReport(SCAN, null, CHECK, parseYamlConfig(YAML, FILE));

  assert.deepEqual(report.services, [
    {
      name: 'web', file: FILE, line: 2, command: ['/usr/bin/app', '--port', '8080'], env: ['TOKEN'],
      working_dir: '/srv/app', user: 'app', group: 'staff', setsid: true,
      pidfile: null, startsecs: null, autostart: true, autorestart: true,
    },
    {
      name: 'sshd', file: FILE, line: 9, command: ['/usr/sbin/sshd'], env: [],
      working_dir: null, user: null, group: null, setsid: false,
      pidfile: '/run/sshd.pid', startsecs: 2, autostart: true, autorestart: false,
    },
  ]);
});

test('report lists yaml cron jobs with next times', () => {
  const report = buildCheckReport(SCAN, null, { ...CHECK, next: 2 }, parseYamlConfig(YAML, FILE));

  assert.deepEqual(report.cron, [
    {
      name: 'cleanup', file: FILE, line: 15, command: ['/usr/local/bin/cleanup'], env: ['MODE'],
      working_dir: null, user: '33', group: null, setsid: false, schedule: '*/30 * * * *',
      next: ['2026-03-07T00:30:00Z', '2026-03-07T01:00:00Z'],
    },
    {
      name: 'boot', file: FILE, line: 20, command: ['/bin/warm'], env: [],
      working_dir: null, user: null, group: null, setsid: false, schedule: '@reboot', next: [],
    },
  ]);
});

test('report lists yaml errors and warnings', () => {
  const report = buildCheckReport(SCAN, null, CHECK, parseYamlConfig(YAML, FILE));

  assert.deepEqual(report.errors, [
    { file: FILE, line: 25, message: 'cron.broken.schedule: invalid schedule "61 * * * *": minute field "61": value 61 out of range 0-59' },
    { file: FILE, line: 29, message: 'cron.quiet.autostart: not valid for a cron job, only for a service; remove it' },
    { file: FILE, line: 33, message: 'cron.odd.startsecs: not valid for a cron job, only for a service; remove it' },
  ]);
  assert.deepEqual(report.warnings, []);
});

test('report shows environ values on request', () => {
  const report = buildCheckReport(SCAN, null, { ...CHECK, showEnv: true }, parseYamlConfig(YAML, FILE));

  assert.deepEqual(report.services[0] && 'env' in report.services[0] ? report.services[0].env : null, ['TOKEN=secret value']);
  assert.deepEqual(report.cron[0].env, ['MODE=fast']);
});

test('report says nothing runs with only yaml errors', () => {
  const report = buildCheckReport(SCAN, null, CHECK, parseYamlConfig('service:\n  web: {}\n', FILE));

  assert.deepEqual(report.errors, [
    { file: FILE, line: 2, message: 'service.web: missing "command", e.g. [ "/usr/bin/app", "--port", "8080" ]' },
    {
      file: '/etc/wingmate',
      message: `nothing to run: no executable file in /etc/wingmate/service and no /etc/wingmate/crontab, and no valid entry in ${FILE}`,
    },
  ]);
});

test('problem of a whole file has no line', () => {
  assert.deepEqual(reportProblem({ file: FILE, line: null, message: 'cannot read the file: EACCES' }), { file: FILE, message: 'cannot read the file: EACCES' });
  assert.deepEqual(reportProblem({ file: FILE, line: 4, message: 'x' }), { file: FILE, line: 4, message: 'x' });
});

test('text report shows yaml settings', () => {
  const yaml = parseYamlConfig(YAML.replace('    user: "33"', '    user: "33"\n    working_dir: /tmp'), FILE);
  yaml.warnings.push({ file: FILE, line: 12, message: 'service.sshd.startsecs: example warning' });
  const text = formatCheckText(buildCheckReport(SCAN, null, { ...CHECK, next: 1 }, yaml));

  assert.equal(text.stdout, [
    'services:',
    '  web  /usr/bin/app --port 8080',
    '    working_dir: /srv/app  user: app  group: staff  setsid: true',
    '    env: TOKEN',
    '  sshd  /usr/sbin/sshd',
    '    pidfile: /run/sshd.pid  startsecs: 2  autorestart: false',
    'cron:',
    '  cleanup  */30 * * * *  /usr/local/bin/cleanup',
    '    working_dir: /tmp  user: 33',
    '    env: MODE',
    '    next: 2026-03-07T00:30:00Z',
    '  boot  @reboot  /bin/warm',
    '',
  ].join('\n'));
  assert.equal(text.stderr, [
    `${FILE}:26: cron.broken.schedule: invalid schedule "61 * * * *": minute field "61": value 61 out of range 0-59`,
    `${FILE}:30: cron.quiet.autostart: not valid for a cron job, only for a service; remove it`,
    `${FILE}:34: cron.odd.startsecs: not valid for a cron job, only for a service; remove it`,
    `${FILE}:12: warning: service.sshd.startsecs: example warning`,
    '',
  ].join('\n'));
});

test('check rejects names of legacy entries', () => {
  const dir = tempDir();
  const legacyName = path.join(dir, 'etc', 'service', 'web.sh');
  const yamlText = `service:\n  ok: { command: [ /bin/true ] }\n  ${JSON.stringify(legacyName)}: { command: [ /bin/true ] }\n`;
  const config = makeConfig({ services: { 'web.sh': '#!/bin/sh\n' }, files: { 'wingmate.yaml': { content: yamlText } } }, dir);
  const stdout = new Capture();
  const stderr = new Capture();

  assert.equal(runCheck(scanConfig(config), { ...CHECK, json: true }, stdout, stderr), 1);
  const report = JSON.parse(stdout.text);
  assert.deepEqual(report.services.map((service: { name: string }) => service.name), [legacyName, 'ok']);
  assert.deepEqual(report.errors, [{
    file: path.join(config, 'wingmate.yaml'),
    line: 3,
    message: `service[${JSON.stringify(legacyName)}]: the name is already taken by the service file of that path; rename the entry`,
  }]);
});

test('check passes with only wingmate.yaml', () => {
  const config = makeConfig({ files: { 'wingmate.yaml': { content: 'service:\n  a: { command: [ /bin/true ], startsecs: 1 }\n' } } });
  const stdout = new Capture();
  const stderr = new Capture();

  assert.equal(runCheck(scanConfig(config), CHECK, stdout, stderr), 0);
  assert.equal(stdout.text, 'services:\n  a  /bin/true\n    startsecs: 1\ncron: none\n');
  assert.equal(stderr.text, `${config}/wingmate.yaml:2: warning: service.a.startsecs: has no effect without "pidfile"; it delays the first pid file check\n`);
});

test('wingmate --check --json lists the yaml example', () => {
  const [node, script] = bin('wingmate');
  const result = spawnSync(node, [script, '--check', '--json', '--config', 'examples/basic'], { encoding: 'utf8', cwd: ROOT });

  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);
  const report = JSON.parse(result.stdout);
  const greeter = report.services.find((service: { name: string }) => service.name === 'greeter');
  assert.deepEqual(greeter.env, ['GREETING']);
  assert.equal(greeter.working_dir, '/tmp');
  assert.equal(greeter.file, 'examples/basic/wingmate.yaml');
  const heartbeat = report.cron.find((entry: { name: string }) => entry.name === 'heartbeat');
  assert.deepEqual(heartbeat.command, ['/bin/sh', '-c', 'echo "cron heartbeat in $PWD at $(date +%H:%M:%S)"']);
});

test('wingmate --check exits 1 on a yaml syntax error', () => {
  const config = makeConfig({ files: { 'wingmate.yaml': { content: 'service:\n  web:\n    command: [ /bin/app\n' } } });
  const [node, script] = bin('wingmate');
  const result = spawnSync(node, [script, '--check', '--config', config], { encoding: 'utf8' });

  assert.equal(result.status, 1);
  assert.match(result.stderr, new RegExp(`^${config}/wingmate.yaml:4: YAML syntax error: `));
});
