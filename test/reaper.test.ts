import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LibcError, type WaitStatus } from '../lib/libc';
import { Reaper } from '../lib/init/reaper';
import { captureLogger } from './kit';

test('reaper skips tracked children', () => {
  const waited: number[] = [];
  const reaper = new Reaper(captureLogger().log, {
    listChildren: () => [10, 11, 12],
    isTracked: (pid) => pid === 11,
    waitpid: (pid) => {
      waited.push(pid);
      return { pid, exitCode: 0, signal: null };
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
    waitpid: (pid): WaitStatus | null => (pid === 10 ? { pid, exitCode: null, signal: 9 } : null),
  });
  assert.equal(reaper.reapAll(), 1);
});

test('reaper ignores a child gone in between', () => {
  const reaper = new Reaper(captureLogger().log, {
    listChildren: () => [10],
    isTracked: () => false,
    waitpid: () => {
      throw new LibcError('waitpid', 10, 'No child processes');
    },
  });
  assert.equal(reaper.reapAll(), 0);
});

test('reaper logs each orphan at debug', async () => {
  const { log, records } = captureLogger('debug');
  const reaper = new Reaper(log, {
    listChildren: () => [10],
    isTracked: () => false,
    waitpid: (pid) => ({ pid, exitCode: 3, signal: null }),
  });
  reaper.reapAll();
  const record = (await records()).find((entry) => entry.message === 'reaped an orphan');
  assert.equal(record?.level, 'debug');
  assert.equal(record?.pid, 10);
  assert.equal(record?.status, 3);
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
