import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readHelperPathsEnv } from '../lib/env';
import { type LaunchSettings, buildLaunch, locateHelpers } from '../lib/launch';

const HELPERS = { pidproxy: ['/opt/wm/bin/wmpidproxy'], exec: ['/usr/bin/node', '/opt/wm/dist/wmexec.js'] };

function settings(overrides: Partial<LaunchSettings>): LaunchSettings {
  return { command: ['/usr/bin/app', '--port', '8080'], env: [], workingDir: null, user: null, group: null, setsid: false, ...overrides };
}

test('runs a plain entry as it is', () => {
  const launch = buildLaunch(settings({}), HELPERS, { PATH: '/bin' });

  assert.deepEqual(launch, { command: ['/usr/bin/app', '--port', '8080'], env: { PATH: '/bin' }, cwd: undefined });
});

test('adds environ to the environment', () => {
  const base = { PATH: '/bin', MODE: 'dev' };
  const launch = buildLaunch(settings({ env: [['MODE', 'prod'], ['URL', 'http://x/?a=b'], ['MODE', 'test']] }), HELPERS, base);

  assert.deepEqual(launch.env, { PATH: '/bin', MODE: 'test', URL: 'http://x/?a=b' });
  assert.deepEqual(base, { PATH: '/bin', MODE: 'dev' }, 'the base environment is left as it was');
});

test('starts in working_dir', () => {
  assert.equal(buildLaunch(settings({ workingDir: '/srv/app' }), HELPERS, {}).cwd, '/srv/app');
});

test('runs wmexec for user, group and setsid', () => {
  const cases: [string, Partial<LaunchSettings>, string[]][] = [
    ['user', { user: 'app' }, ['--user', 'app']],
    ['user and group', { user: '1200', group: 'staff' }, ['--user', '1200:staff']],
    ['setsid', { setsid: true }, ['--setsid']],
    ['all three', { user: 'app', group: '0', setsid: true }, ['--user', 'app:0', '--setsid']],
  ];
  for (const [label, overrides, options] of cases) {
    const launch = buildLaunch(settings(overrides), HELPERS, {});
    assert.deepEqual(launch.command, [...HELPERS.exec, ...options, '--', '/usr/bin/app', '--port', '8080'], label);
  }
});

test('keeps wmexec variables away from wmexec', () => {
  const base = { WINGMATE_USER: 'root', WINGMATE_SETSID: 'true' };

  assert.deepEqual(buildLaunch(settings({ user: 'app' }), HELPERS, base).env, {});
  assert.deepEqual(buildLaunch(settings({}), HELPERS, base).env, base, 'an entry without wmexec keeps them');
});

test('runs wmpidproxy for pidfile, in front of wmexec', () => {
  const launch = buildLaunch(settings({ pidfile: '/run/app.pid', user: 'app', startsecs: null }), HELPERS, {});

  assert.deepEqual(launch.command, [
    '/opt/wm/bin/wmpidproxy', '--pid-file', '/run/app.pid', '--',
    '/usr/bin/node', '/opt/wm/dist/wmexec.js', '--user', 'app', '--',
    '/usr/bin/app', '--port', '8080',
  ]);
  assert.equal(launch.env.WINGMATE_STARTSECS, undefined);
});

test('passes startsecs to wmpidproxy', () => {
  const cases: [number, string][] = [[2, '2'], [0.25, '0.25'], [0, '0'], [1e-7, '0'], [2_000_000, '2000000']];
  for (const [startsecs, text] of cases) {
    const launch = buildLaunch(settings({ pidfile: '/run/app.pid', startsecs }), HELPERS, { WINGMATE_STARTSECS: '9' });
    assert.equal(launch.env.WINGMATE_STARTSECS, text, String(startsecs));
  }
});

test('ignores startsecs without pidfile', () => {
  const launch = buildLaunch(settings({ startsecs: 3 }), HELPERS, {});

  assert.equal(launch.env.WINGMATE_STARTSECS, undefined);
  assert.deepEqual(launch.command, ['/usr/bin/app', '--port', '8080']);
});

test('locates the helpers of the same installation', () => {
  assert.deepEqual(locateHelpers({}, '/opt/wm/lib/wingmate/dist'), {
    pidproxy: [process.execPath, '/opt/wm/lib/wingmate/dist/wmpidproxy.js'],
    exec: [process.execPath, '/opt/wm/lib/wingmate/dist/wmexec.js'],
  });
});

test('locates the helpers named by the variables', () => {
  const env = { WINGMATE_PIDPROXY_PATH: '/usr/local/bin/wmpidproxy', WINGMATE_EXEC_PATH: 'wmexec' };

  assert.deepEqual(locateHelpers(env, '/opt/wm/dist'), { pidproxy: ['/usr/local/bin/wmpidproxy'], exec: ['wmexec'] });
  assert.deepEqual(readHelperPathsEnv({ WINGMATE_PIDPROXY_PATH: '', WINGMATE_EXEC_PATH: '' }), { pidproxyPath: undefined, execPath: undefined });
});
