import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';

import { parseCrontab } from '../lib/config/crontab';
import { parseYamlConfig } from '../lib/config/yaml';
import { readYamlEntries, toCronLaunches, toServices } from '../lib/init/yamlentries';
import { captureLogger, makeConfig } from './kit';

const HELPERS = { pidproxy: ['/opt/wmpidproxy'], exec: ['/opt/wmexec'] };
const FILE = '/etc/wingmate/wingmate.yaml';

test('missing wingmate.yaml is no entries', async () => {
  const { log, records } = captureLogger();

  assert.equal(readYamlEntries(makeConfig({}), [], [], log), null);
  assert.deepEqual(await records(), []);
});

test('yaml problems are logged with file and line', async () => {
  const yaml = [
    'service:',
    '  web: { command: [ /bin/web ], startsecs: 1 }',
    '  /legacy: { command: [ /bin/x ] }',
    'cron:',
    '  job: { command: [ /bin/job ] }',
  ].join('\n');
  const etc = makeConfig({ files: { 'wingmate.yaml': { content: yaml } } });
  const file = path.join(etc, 'wingmate.yaml');
  const { log, records } = captureLogger();

  const config = readYamlEntries(etc, [{ name: '/legacy', path: '/legacy', command: ['/legacy'] }], [], log);

  assert.deepEqual(config?.services.map((service) => service.name), ['web']);
  assert.deepEqual((await records()).map((record) => [record.level, record.message, record.file, record.line]), [
    ['error', 'invalid wingmate.yaml: cron.job: missing "schedule", e.g. "*/5 * * * *" or "@daily"', file, 5],
    ['error', 'invalid wingmate.yaml: service["/legacy"]: the name is already taken by the service file of that path; rename the entry', file, 3],
    ['warn', 'wingmate.yaml: service.web.startsecs: has no effect without "pidfile"; it delays the first pid file check', file, 2],
  ]);
});

test('yaml services become init services', () => {
  const config = parseYamlConfig([
    'service:',
    '  web:',
    '    command: [ /bin/web ]',
    '    environ: [ "A=1" ]',
    '    working_dir: /srv',
    '    user: app',
    '    autorestart: false',
    '  plain: { command: [ /bin/plain ] }',
  ].join('\n'), FILE);

  assert.deepEqual(toServices(config.services, HELPERS, { PATH: '/bin' }), [
    { name: 'web', command: ['/opt/wmexec', '--user', 'app', '--', '/bin/web'], env: { PATH: '/bin', A: '1' }, cwd: '/srv', autorestart: false },
    { name: 'plain', command: ['/bin/plain'], env: { PATH: '/bin' }, cwd: undefined, autorestart: true },
  ]);
});

test('yaml cron jobs map to their launches', () => {
  const config = parseYamlConfig('cron:\n  job: { command: [ /bin/job ], schedule: "@daily", setsid: true }\n', FILE);
  const crontab = parseCrontab('@daily /bin/legacy\n', '/etc/wingmate/crontab');

  const launches = toCronLaunches(config.cron, HELPERS, { PATH: '/bin' });

  assert.deepEqual(launches.get(config.cron[0]), { command: ['/opt/wmexec', '--setsid', '--', '/bin/job'], env: { PATH: '/bin' }, cwd: undefined });
  assert.equal(launches.get(crontab.entries[0]), undefined, 'a crontab line runs its own command');
});
