import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { test } from 'node:test';

import { FORWARDED_SIGNALS, IGNORED_SIGNALS, STOP_SIGNALS, installSignalHandlers } from '../lib/init/signals';
import { captureLogger } from './kit';

// Default actions of signal(7) on Linux, for every signal in os.constants.signals.
const DEFAULT_ACTIONS: Record<string, 'end' | 'ignore' | 'stop' | 'continue'> = {
  SIGHUP: 'end', SIGINT: 'end', SIGQUIT: 'end', SIGILL: 'end', SIGTRAP: 'end', SIGABRT: 'end', SIGIOT: 'end',
  SIGBUS: 'end', SIGFPE: 'end', SIGKILL: 'end', SIGUSR1: 'end', SIGSEGV: 'end', SIGUSR2: 'end', SIGPIPE: 'end',
  SIGALRM: 'end', SIGTERM: 'end', SIGSTKFLT: 'end', SIGXCPU: 'end', SIGXFSZ: 'end', SIGVTALRM: 'end',
  SIGPROF: 'end', SIGIO: 'end', SIGPOLL: 'end', SIGPWR: 'end', SIGSYS: 'end', SIGUNUSED: 'end',
  SIGCHLD: 'ignore', SIGURG: 'ignore', SIGWINCH: 'ignore', SIGCONT: 'continue',
  SIGSTOP: 'stop', SIGTSTP: 'stop', SIGTTIN: 'stop', SIGTTOU: 'stop',
};

// Cannot be caught, or must keep their default so that a real fault still ends the process.
const LEFT_ALONE = ['SIGKILL', 'SIGSTOP', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGSEGV'];

test('every ending signal has an action', () => {
  const handled = new Set<number>([...STOP_SIGNALS, ...FORWARDED_SIGNALS, ...IGNORED_SIGNALS].map((name) => constants.signals[name]));
  const leftAlone = new Set(LEFT_ALONE.map((name) => constants.signals[name as NodeJS.Signals]));
  for (const [name, number] of Object.entries(constants.signals)) {
    const action = DEFAULT_ACTIONS[name];
    assert.ok(action, `${name} is missing from the table of default actions`);
    if (action === 'end' && !leftAlone.has(number)) {
      assert.ok(handled.has(number), `${name} would end wingmate`);
    }
  }
});

test('signal lists do not overlap', () => {
  const all = [...STOP_SIGNALS, ...FORWARDED_SIGNALS, ...IGNORED_SIGNALS].map((name) => constants.signals[name]);
  assert.equal(new Set(all).size, all.length);
});

test('handlers route each signal kind', async () => {
  const { log, records } = captureLogger();
  const stops: string[] = [];
  const forwards: string[] = [];
  // Node 24's test runner listens to some signals itself, so removal is measured against this.
  const handled = [...STOP_SIGNALS, ...FORWARDED_SIGNALS, ...IGNORED_SIGNALS];
  const before = new Map(handled.map((signal) => [signal, process.listenerCount(signal)]));
  const remove = installSignalHandlers({ stop: (signal) => stops.push(signal), forward: (signal) => forwards.push(signal) }, log);
  try {
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGPWR', 'SIGPWR');
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGALRM', 'SIGALRM');
  } finally {
    remove();
  }
  assert.deepEqual(stops, ['SIGTERM', 'SIGPWR']);
  assert.deepEqual(forwards, ['SIGHUP']);
  const ignored = (await records()).filter((record) => record.message === 'ignored a signal');
  assert.deepEqual(ignored.map((record) => record.signal), ['SIGALRM']);
  for (const signal of handled) {
    assert.equal(process.listenerCount(signal), before.get(signal), `${signal} listener removed`);
  }
});
