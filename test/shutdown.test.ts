import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import type { ProcessEntry } from '../lib/init/proc';
import { Shutdown, killProcess } from '../lib/init/shutdown';
import { captureLogger } from './kit';

interface Harness {
  shutdown: Shutdown;
  table: ProcessEntry[];
  sent: Array<[number, NodeJS.Signals]>;
  events: string[];
  records: ReturnType<typeof captureLogger>['records'];
}

// A shutdown over a fake process table; sendSignal only records, and tests change the table.
function harness(options: { pid?: number; table?: ProcessEntry[]; gracePeriodMs?: number } = {}): Harness {
  const table = options.table ?? [];
  const sent: Array<[number, NodeJS.Signals]> = [];
  const events: string[] = [];
  const { log, records } = captureLogger();
  const shutdown = new Shutdown({
    log,
    gracePeriodMs: options.gracePeriodMs ?? 5000,
    pid: options.pid ?? 100,
    stopStarting: () => events.push('stop starting'),
    markStopping: () => events.push('mark stopping'),
    sendSignal: (pid, signal) => {
      events.push(`${signal} ${pid}`);
      sent.push([pid, signal]);
    },
    listDescendants: () => table,
    killCheckMs: 100,
  });
  return { shutdown, table, sent, events, records };
}

function entry(pid: number, state = 'S', ppid = 100): ProcessEntry {
  return { pid, ppid, state };
}

function withTimers(t: { after: (fn: () => void) => void }): void {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate'] });
  t.after(() => mock.timers.reset());
}

test('shutdown marks and stops before signalling', (t) => {
  withTimers(t);
  const { shutdown, events } = harness({ table: [entry(200)] });
  shutdown.onStopSignal('SIGTERM');
  assert.deepEqual(events, ['mark stopping', 'stop starting', 'SIGTERM 200']);
});

test('shutdown signals each live descendant once', async (t) => {
  withTimers(t);
  const { shutdown, sent, records } = harness({ table: [entry(200), entry(201, 'Z'), entry(300, 'S', 200), entry(1, 'S', 0)] });
  shutdown.onStopSignal('SIGTERM');
  assert.deepEqual(sent, [
    [200, 'SIGTERM'],
    [300, 'SIGTERM'],
  ]);
  const log = await records();
  assert.equal(log.find((record) => record.message === 'shutdown started')?.signal, 'SIGTERM');
  assert.equal(log.find((record) => record.message === 'sent SIGTERM')?.processes, 2);
});

test('shutdown as PID 1 sends one kill(-1)', async (t) => {
  withTimers(t);
  const { shutdown, sent, records } = harness({ pid: 1, table: [entry(7, 'S', 1), entry(8, 'S', 7)] });
  shutdown.onStopSignal('SIGINT');
  assert.deepEqual(sent, [[-1, 'SIGTERM']]);
  assert.equal((await records()).find((record) => record.message === 'sent SIGTERM')?.processes, 2);
});

test('shutdown ends when no descendant is left', async (t) => {
  withTimers(t);
  const { shutdown, table, records } = harness({ table: [entry(200), entry(300, 'S', 200)] });
  let done = false;
  void shutdown.done.then(() => (done = true));
  shutdown.onStopSignal('SIGTERM');

  table.splice(0, 1);
  shutdown.requestCheck();
  mock.timers.tick(0);
  await Promise.resolve();
  assert.equal(done, false);

  table[0].state = 'Z';
  shutdown.requestCheck();
  mock.timers.tick(0);
  await Promise.resolve();
  assert.equal(done, false, 'a zombie is still a descendant until reaped');

  table.splice(0, 1);
  shutdown.requestCheck();
  mock.timers.tick(0);
  await shutdown.done;
  const log = await records();
  assert.ok(log.some((record) => record.message === 'all processes have exited'));
  assert.ok(!log.some((record) => record.message === 'grace period ended'));
});

test('shutdown with nothing running ends at once', async (t) => {
  withTimers(t);
  const { shutdown, sent } = harness();
  shutdown.onStopSignal('SIGQUIT');
  await shutdown.done;
  assert.deepEqual(sent, []);
});

test('grace period end sends SIGKILL to the rest', async (t) => {
  withTimers(t);
  const { shutdown, table, sent, records } = harness({ table: [entry(200), entry(201)], gracePeriodMs: 3000 });
  shutdown.onStopSignal('SIGTERM');
  mock.timers.tick(2999);
  assert.equal(sent.length, 2);

  mock.timers.tick(1);
  assert.deepEqual(sent.slice(2), [
    [200, 'SIGKILL'],
    [201, 'SIGKILL'],
  ]);
  const log = await records();
  assert.equal(log.find((record) => record.message === 'grace period ended')?.processes_left, 2);
  assert.equal(log.find((record) => record.message === 'sent SIGKILL')?.processes, 2);

  table.splice(0);
  mock.timers.tick(100);
  await shutdown.done;
});

test('grace period end as PID 1 sends kill(-1, SIGKILL)', (t) => {
  withTimers(t);
  const { shutdown, sent } = harness({ pid: 1, table: [entry(7, 'S', 1)], gracePeriodMs: 1000 });
  shutdown.onStopSignal('SIGTERM');
  mock.timers.tick(1000);
  assert.deepEqual(sent, [
    [-1, 'SIGTERM'],
    [-1, 'SIGKILL'],
  ]);
});

test('second stop signal ends the grace period', async (t) => {
  withTimers(t);
  const { shutdown, sent, records } = harness({ table: [entry(200)], gracePeriodMs: 60_000 });
  shutdown.onStopSignal('SIGTERM');
  shutdown.onStopSignal('SIGTERM');
  assert.deepEqual(sent, [
    [200, 'SIGTERM'],
    [200, 'SIGKILL'],
  ]);
  const log = await records();
  assert.ok(log.some((record) => record.message === 'second stop signal: ending the grace period now' && record.signal === 'SIGTERM'));
});

test('process that escaped SIGKILL is killed on the next check', (t) => {
  withTimers(t);
  const { shutdown, table, sent } = harness({ table: [entry(200)], gracePeriodMs: 1000 });
  shutdown.onStopSignal('SIGTERM');
  mock.timers.tick(1000);
  table.push(entry(400, 'S', 1));
  mock.timers.tick(100);
  assert.deepEqual(sent.at(-1), [400, 'SIGKILL']);
});

test('process already gone is not an error', async (t) => {
  withTimers(t);
  const { log, records } = captureLogger();
  const shutdown = new Shutdown({
    log,
    gracePeriodMs: 1000,
    pid: 100,
    stopStarting: () => {},
    markStopping: () => {},
    sendSignal: () => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    },
    listDescendants: () => [entry(200)],
  });
  shutdown.onStopSignal('SIGTERM');
  const all = await records();
  assert.equal(all.find((record) => record.message === 'sent SIGTERM')?.processes, 0);
  assert.ok(!all.some((record) => record.level === 'warn'));
});

test('killProcess rejects process groups and every process', () => {
  assert.throws(() => killProcess(0, 'SIGTERM'), { name: 'RangeError', message: /^invalid pid 0 for SIGTERM: / });
  assert.throws(() => killProcess(-1, 'SIGKILL'), { name: 'RangeError', message: /^invalid pid -1 for SIGKILL: / });
  assert.throws(() => killProcess(-4242, 'SIGTERM'), RangeError);
});
