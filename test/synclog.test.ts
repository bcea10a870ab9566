import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { formatTime } from '../lib/log';
import { SyncLogger } from '../lib/synclog';
import { tempDir } from './kit';

const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);

function logTo(level: 'debug' | 'info' | 'warn' | 'error', write: (log: SyncLogger) => void): unknown[] {
  const file = path.join(tempDir(), 'log');
  const fd = fs.openSync(file, 'w');
  try {
    write(new SyncLogger(level, fd, () => NOW));
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

test('SyncLogger writes one JSON record per line', () => {
  const records = logTo('debug', (log) => {
    log.debug('exec', { pid: 7, groups: '1500 1600', missing: undefined });
    log.warn('careful');
    log.error('failed', { status: 127 });
  });
  const time = formatTime(NOW);
  assert.deepEqual(records, [
    { level: 'debug', time, message: 'exec', pid: 7, groups: '1500 1600' },
    { level: 'warn', time, message: 'careful' },
    { level: 'error', time, message: 'failed', status: 127 },
  ]);
});

test('SyncLogger filters by level', () => {
  const records = logTo('warn', (log) => {
    log.debug('hidden');
    log.warn('shown');
    log.error('shown too');
  });
  assert.deepEqual(records.map((record) => (record as { message: string }).message), ['shown', 'shown too']);
});

test('SyncLogger ignores a failed write', () => {
  const log = new SyncLogger('debug', 987654);
  assert.doesNotThrow(() => log.error('nowhere to go'));
});
