import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Reaper } from '../lib/init/reaper';
import { captureLogger } from './kit';

test('reaper skips tracked children', () => {
  const waited: number[] = [];
  const reaper = new Reaper(captureLogger().log, {
    listChildren: () => [10, 11, 12],
    isTracked: (pid) => pid === 11,
    reap: (pid) => {
      waited.push(pid);
      return true;
    },
  });
  assert.equal(reaper.reapAll(), 2);
  assert.deepEqual(waited, [10, 12]);
  assert.equal(reaper.reaped, 2);
});

test('reaper counts only exited children', () => {
  const reaper = new Reaper(captureLogger().log, {
    listChildren: () => [10, 11],
    isTracked: () => false,
    reap: (pid) => pid === 10,
  });
  assert.equal(reaper.reapAll(), 1);
});

test('reaper logs each pass at debug', async () => {
  const { log, records } = captureLogger('debug');
  const reaper = new Reaper(log, {
    listChildren: () => [10, 11, 12],
    isTracked: () => false,
    reap: () => true,
  });
  reaper.reapAll();
  reaper.reapAll();
  const passes = (await records()).filter((entry) => entry.message === 'reaped orphans');
  assert.deepEqual(passes.map((entry) => [entry.level, entry.count, entry.total]), [
    ['debug', 3, 3],
    ['debug', 3, 6],
  ]);
});

test('coalesced SIGCHLDs make one pass', async () => {
  let passes = 0;
  const reaper = new Reaper(captureLogger().log, {
    listChildren: () => {
      passes++;
      return [];
    },
  });
  let listened = 0;
  reaper.onPass(() => listened++);
  reaper.start();
  try {
    await new Promise((resolve) => setImmediate(resolve));
    const before = passes;
    process.emit('SIGCHLD', 'SIGCHLD');
    process.emit('SIGCHLD', 'SIGCHLD');
    process.emit('SIGCHLD', 'SIGCHLD');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(passes - before, 1);
    assert.equal(listened, 2);
  } finally {
    reaper.stop();
  }
});
