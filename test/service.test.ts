import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import type { ChildOptions, ExitInfo, RunningChild } from '../lib/init/child';
import { StartError } from '../lib/init/child';
import { MIN_RUN_MS, RESTART_DELAY_MS, SupervisedService } from '../lib/init/service';
import { captureLogger } from './kit';

const SERVICE = { name: '/etc/wingmate/service/web', path: '/etc/wingmate/service/web', command: ['/etc/wingmate/service/web'] };

interface FakeStarts {
  start: (options: ChildOptions) => Promise<RunningChild>;
  /** Every start so far, with exit() to end its child (a no-op for a failed start). */
  starts: Array<{ options: ChildOptions; exit: (info: Partial<ExitInfo>) => void; signals: NodeJS.Signals[] }>;
  /** Errors to fail the next starts with, in order. */
  failures: StartError[];
}

function fakeStarts(): FakeStarts {
  const fake: FakeStarts = { starts: [], failures: [], start: async () => assert.fail('replaced below') };
  let nextPid = 1000;
  fake.start = async (options) => {
    const failure = fake.failures.shift();
    if (failure) {
      fake.starts.push({ options, exit: () => {}, signals: [] });
      throw failure;
    }
    const pid = nextPid++;
    let exit!: (info: Partial<ExitInfo>) => void;
    const exited = new Promise<ExitInfo>((resolve) => {
      exit = (info) => resolve({ pid, code: 0, signal: null, runtimeMs: 5000, ...info });
    });
    const record = { options, exit, signals: [] as NodeJS.Signals[] };
    fake.starts.push(record);
    return {
      pid,
      exited,
      outputClosed: Promise.resolve(),
      kill: (signal) => {
        record.signals.push(signal);
        return true;
      },
    };
  };
  return fake;
}

// Lets promise callbacks run until nothing is left to do.
async function settle(): Promise<void> {
  for (let index = 0; index < 10; index++) {
    await Promise.resolve();
  }
}

function withTimers(t: { after: (fn: () => void) => void }): void {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
}

test('service starts with its path as source', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  const service = new SupervisedService(SERVICE, log, fake.start);
  void service.run();
  await settle();

  assert.equal(fake.starts.length, 1);
  assert.deepEqual(fake.starts[0].options.command, SERVICE.command);
  assert.equal(fake.starts[0].options.sourceKey, 'service');
  assert.equal(fake.starts[0].options.source, SERVICE.name);
  assert.equal(service.pid, 1000);
  const started = (await records()).find((record) => record.message === 'service started');
  assert.equal(started?.service, SERVICE.name);
  assert.equal(started?.pid, 1000);
});

test('service starts with its environment and directory', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log } = captureLogger();
  const env = { PATH: '/bin', MODE: 'prod' };
  const service = new SupervisedService({ name: 'web', command: ['/srv/web'], env, cwd: '/srv' }, log, fake.start);
  void service.run();
  await settle();

  assert.deepEqual(fake.starts[0].options.env, env);
  assert.equal(fake.starts[0].options.cwd, '/srv');
  assert.equal(fake.starts[0].options.source, 'web');
});

test('service without autorestart runs once', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  const service = new SupervisedService({ name: 'once', command: ['/bin/once'], autorestart: false }, log, fake.start);
  const loop = service.run();
  await settle();
  fake.starts[0].exit({ code: 3, runtimeMs: 10 });
  await loop;
  mock.timers.tick(RESTART_DELAY_MS * 5);
  await settle();

  assert.equal(fake.starts.length, 1);
  const messages = (await records()).map((record) => record.message);
  assert.deepEqual(messages, ['service started', 'service exited', 'service not restarted: autorestart is false']);
});

test('service restarts at once after a long run', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  void new SupervisedService(SERVICE, log, fake.start).run();
  await settle();

  fake.starts[0].exit({ code: 2, runtimeMs: MIN_RUN_MS });
  await settle();
  assert.equal(fake.starts.length, 2);
  const exited = (await records()).find((record) => record.message === 'service exited');
  assert.equal(exited?.level, 'warn');
  assert.equal(exited?.status, 2);
  assert.equal(exited?.runtime_ms, MIN_RUN_MS);
});

test('service exit by signal is logged with its name', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  void new SupervisedService(SERVICE, log, fake.start).run();
  await settle();

  fake.starts[0].exit({ code: null, signal: 'SIGSEGV' });
  await settle();
  const exited = (await records()).find((record) => record.message === 'service exited');
  assert.equal(exited?.signal, 'SIGSEGV');
  assert.equal(exited?.status, undefined);
});

test('short run waits one second before restart', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  void new SupervisedService(SERVICE, log, fake.start).run();
  await settle();

  fake.starts[0].exit({ code: 1, runtimeMs: MIN_RUN_MS - 1 });
  await settle();
  assert.equal(fake.starts.length, 1);
  const delayed = (await records()).find((record) => record.message === 'restart delayed: the service ran under 1 s');
  assert.equal(delayed?.delay_ms, RESTART_DELAY_MS);

  mock.timers.tick(RESTART_DELAY_MS - 1);
  await settle();
  assert.equal(fake.starts.length, 1);
  mock.timers.tick(1);
  await settle();
  assert.equal(fake.starts.length, 2);
});

test('start failure is logged and retried each second', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  fake.failures.push(new StartError(SERVICE.path, 'ENOENT'), new StartError(SERVICE.path, 'EACCES'));
  const { log, records } = captureLogger();
  const service = new SupervisedService(SERVICE, log, fake.start);
  void service.run();
  await settle();
  assert.equal(fake.starts.length, 1);

  mock.timers.tick(RESTART_DELAY_MS);
  await settle();
  assert.equal(fake.starts.length, 2);
  mock.timers.tick(RESTART_DELAY_MS);
  await settle();
  assert.equal(fake.starts.length, 3);
  assert.equal(service.pid, 1000);

  const failures = (await records()).filter((record) => record.message === 'service failed to start, retrying in 1 s');
  assert.deepEqual(failures.map((record) => record.errno), ['ENOENT', 'EACCES']);
  assert.deepEqual(failures.map((record) => record.attempt), [1, 2]);
  assert.equal(failures[0].level, 'error');
  assert.match(String(failures[0].error), /cannot start \/etc\/wingmate\/service\/web: ENOENT/);
});

test('stopped service is not restarted', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log, records } = captureLogger();
  const service = new SupervisedService(SERVICE, log, fake.start);
  const loop = service.run();
  await settle();

  service.stop();
  fake.starts[0].exit({ code: null, signal: 'SIGTERM', runtimeMs: 10 });
  await loop;
  assert.equal(fake.starts.length, 1);
  const all = await records();
  assert.equal(all.find((record) => record.message === 'service exited')?.level, 'info');
  assert.ok(!all.some((record) => record.message === 'restart delayed: the service ran under 1 s'));
});

test('stop during the restart delay ends supervision', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log } = captureLogger();
  const service = new SupervisedService(SERVICE, log, fake.start);
  const loop = service.run();
  await settle();

  fake.starts[0].exit({ code: 1, runtimeMs: 10 });
  await settle();
  service.stop();
  await loop;
  mock.timers.tick(RESTART_DELAY_MS);
  await settle();
  assert.equal(fake.starts.length, 1);
});

test('signal reaches the running process only', async (t) => {
  withTimers(t);
  const fake = fakeStarts();
  const { log } = captureLogger();
  const service = new SupervisedService(SERVICE, log, fake.start);
  void service.run();
  await settle();

  assert.equal(service.signal('SIGHUP'), true);
  assert.deepEqual(fake.starts[0].signals, ['SIGHUP']);
  fake.starts[0].exit({ code: 0, runtimeMs: 10 });
  await settle();
  assert.equal(service.signal('SIGHUP'), false);
});
