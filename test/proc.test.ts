import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

import { childrenLister, listDescendants, listProcesses, readProcessEntry } from '../lib/init/proc';

test('readProcessEntry reads this process', () => {
  const entry = readProcessEntry(process.pid);
  assert.equal(entry?.pid, process.pid);
  assert.equal(entry?.ppid, process.ppid);
  assert.match(entry?.state ?? '', /^[RS]$/);
});

test('readProcessEntry returns null for a missing pid', () => {
  assert.equal(readProcessEntry(2 ** 22 + 1), null);
});

test('listDescendants follows parent links', () => {
  const table = [
    { pid: 10, ppid: 1, state: 'S' },
    { pid: 11, ppid: 10, state: 'S' },
    { pid: 12, ppid: 11, state: 'Z' },
    { pid: 13, ppid: 1, state: 'S' },
    { pid: 14, ppid: 13, state: 'S' },
  ];
  assert.deepEqual(listDescendants(10, table).map((entry) => entry.pid).sort(), [11, 12]);
  assert.deepEqual(listDescendants(1, table).map((entry) => entry.pid).sort(), [10, 11, 12, 13, 14]);
  assert.deepEqual(listDescendants(14, table), []);
});

test('listDescendants stops at a parent cycle', () => {
  // A table read while pids are reused may hold a cycle.
  const table = [
    { pid: 20, ppid: 21, state: 'S' },
    { pid: 21, ppid: 20, state: 'S' },
  ];
  assert.deepEqual(listDescendants(20, table).map((entry) => entry.pid), [21]);
});

test('children and descendants include a grandchild', async () => {
  const child = spawn('sh', ['-c', 'sleep 30 & echo $!; wait']);
  try {
    const grandchild = Number(await new Promise<string>((resolve) => child.stdout.once('data', (data) => resolve(String(data)))));
    assert.ok(childrenLister()().includes(child.pid!));
    const descendants = listDescendants(process.pid, listProcesses()).map((entry) => entry.pid);
    assert.ok(descendants.includes(child.pid!));
    assert.ok(descendants.includes(grandchild));
    process.kill(grandchild, 'SIGKILL');
  } finally {
    child.kill('SIGKILL');
  }
});
