import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { UsageError } from '../lib/cli';
import { VARIABLES, readBool, readExecEnv, readLogLevel, readPidproxyEnv, readSeconds, readWingmateEnv } from '../lib/env';
import { bin } from './kit';

test('defaults when nothing is set', () => {
  assert.deepEqual(readWingmateEnv({}), { configPath: '/etc/wingmate', logLevel: 'info', shutdownTimeoutMs: 5000 });
  assert.deepEqual(readPidproxyEnv({}), { logLevel: 'info', startMs: 1000, pidfileTimeoutMs: 10_000, stopTimeoutMs: 4000 });
  assert.deepEqual(readExecEnv({}), { logLevel: 'info', user: undefined, setsid: false });
});

test('empty values count as unset', () => {
  assert.deepEqual(readWingmateEnv({ WINGMATE_CONFIG_PATH: '', WINGMATE_SHUTDOWN_TIMEOUT: '' }), { configPath: '/etc/wingmate', logLevel: 'info', shutdownTimeoutMs: 5000 });
});

test('readSeconds accepts whole and decimal seconds', () => {
  assert.equal(readSeconds({ X: '2' }, 'X', 5), 2000);
  assert.equal(readSeconds({ X: '0.25' }, 'X', 5), 250);
  assert.equal(readSeconds({ X: '.5' }, 'X', 5), 500);
  assert.equal(readSeconds({ X: '0' }, 'X', 5), 0);
  assert.equal(readSeconds({ X: ' 3 ' }, 'X', 5), 3000);
});

for (const value of ['5s', '-1', 'abc', '1e3', 'Infinity', '1.', '3000000']) {
  test(`readSeconds rejects "${value}"`, () => {
    assert.throws(() => readSeconds({ WINGMATE_STOP_TIMEOUT: value }, 'WINGMATE_STOP_TIMEOUT', 4), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `invalid WINGMATE_STOP_TIMEOUT "${value}": expected a number of seconds such as 5 or 0.5`);
      return true;
    });
  });
}

test('readLogLevel accepts the four levels in any case', () => {
  assert.equal(readLogLevel({ WINGMATE_LOG_LEVEL: 'debug' }), 'debug');
  assert.equal(readLogLevel({ WINGMATE_LOG_LEVEL: 'WARN' }), 'warn');
  assert.throws(() => readLogLevel({ WINGMATE_LOG_LEVEL: 'verbose' }), /invalid WINGMATE_LOG_LEVEL "verbose": use one of debug, info, warn, error/);
});

test('readBool uses Go boolean syntax', () => {
  assert.equal(readBool({ WINGMATE_SETSID: 'T' }, 'WINGMATE_SETSID'), true);
  assert.equal(readBool({ WINGMATE_SETSID: 'False' }, 'WINGMATE_SETSID'), false);
  assert.throws(() => readBool({ WINGMATE_SETSID: 'yes' }, 'WINGMATE_SETSID'), /invalid WINGMATE_SETSID "yes": use true or false/);
});

test('variable table holds exactly the documented variables', () => {
  assert.deepEqual(VARIABLES.map((variable) => variable.name), [
    'WINGMATE_CONFIG_PATH', 'WINGMATE_LOG_LEVEL', 'WINGMATE_SHUTDOWN_TIMEOUT', 'WINGMATE_STARTSECS',
    'WINGMATE_PIDFILE_TIMEOUT', 'WINGMATE_STOP_TIMEOUT', 'WINGMATE_USER', 'WINGMATE_SETSID',
    'WINGMATE_PIDPROXY_PATH', 'WINGMATE_EXEC_PATH',
  ]);
});

test('wingmate exits 2 on an invalid variable', () => {
  const [node, script] = bin('wingmate');
  const result = spawnSync(node, [script], { encoding: 'utf8', env: { ...process.env, WINGMATE_SHUTDOWN_TIMEOUT: 'soon' } });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^wingmate: invalid WINGMATE_SHUTDOWN_TIMEOUT "soon": expected a number of seconds/);
});
