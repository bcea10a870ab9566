import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';

import { StartError, closeInheritedOnExec, isTracked, onTrackedExit, refuseNewChildren, startChild } from '../lib/init/child';
import * as libc from '../lib/libc';
import { Logger } from '../lib/log';
import { LogSink } from '../lib/logsink';
import { type LogRecord, ROOT, captureLogger, tempDir, waitUntil } from './kit';

function shell(script: string, log: Logger, source = '/svc/test') {
  return startChild({ command: ['sh', '-c', script], sourceKey: 'service', source, log });
}

function messages(records: LogRecord[], stream?: string): unknown[] {
  return records.filter((record) => stream === undefined || record.stream === stream).map((record) => record.message);
}

test('child output is logged per line and stream', async () => {
  const { log, records } = captureLogger();
  const child = await shell('echo one; echo two >&2; printf three', log);
  await child.outputClosed;
  const all = await records();
  assert.deepEqual(messages(all, 'stdout'), ['one', 'three']);
  assert.deepEqual(messages(all, 'stderr'), ['two']);
  for (const record of all) {
    assert.deepEqual(Object.keys(record), ['level', 'time', 'service', 'message', 'stream']);
    assert.equal(record.level, 'info');
    assert.equal(record.service, '/svc/test');
  }
});

test('child output ignores the log level', async () => {
  const { log: quiet, records } = captureLogger('error');
  const child = await shell('echo visible', quiet);
  await child.outputClosed;
  assert.deepEqual(messages(await records()), ['visible']);
});

test('cron source key tags the lines', async () => {
  const { log, records } = captureLogger();
  const child = await startChild({ command: ['echo', 'a b'], sourceKey: 'cron', source: 'echo "a b"', log });
  await child.outputClosed;
  const [record] = await records();
  assert.equal(record.cron, 'echo "a b"');
  assert.equal(record.message, 'a b');
});

test('child exit reports status and signal', async () => {
  const { log } = captureLogger();
  const exit7 = await (await shell('exit 7', log)).exited;
  assert.equal(exit7.code, 7);
  assert.equal(exit7.signal, null);
  assert.ok(exit7.runtimeMs >= 0);

  const killed = await (await shell('kill -KILL $$', log)).exited;
  assert.equal(killed.code, null);
  assert.equal(killed.signal, 'SIGKILL');
});

test('stdout and stderr are real pipes', async () => {
  const { log, records } = captureLogger();
  const child = await shell('echo via-dev-stdout > /dev/stdout; echo via-fd2 > /proc/self/fd/2; readlink /proc/self/fd/1; readlink /proc/self/fd/0', log);
  await child.outputClosed;
  const all = await records();
  assert.deepEqual(messages(all, 'stdout').slice(0, 1), ['via-dev-stdout']);
  assert.deepEqual(messages(all, 'stderr'), ['via-fd2']);
  assert.match(String(messages(all, 'stdout')[1]), /^pipe:\[\d+\]$/);
  assert.equal(messages(all, 'stdout')[2], '/dev/null');
});

test('child starts with default signal dispositions', async () => {
  // Node ignores SIGPIPE and SIGXFSZ and this process listens to others; libuv resets them all in the child.
  process.on('SIGHUP', () => {});
  const { log, records } = captureLogger();
  const child = await shell('grep -E "^Sig(Ign|Blk)" /proc/self/status', log);
  await child.outputClosed;
  // Signals from 32 up that the caller ignored (GNU make ignores 32 and 33) may pass through,
  // because libuv resets only 1 to 31, the part that Node changes.
  const own = /^SigIgn:\t([0-9a-f]{16})$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1];
  const passedThrough = (BigInt(`0x${own}`) & ~0x7fffffffn).toString(16).padStart(16, '0');
  assert.deepEqual(messages(await records()), ['SigBlk:\t0000000000000000', `SigIgn:\t${passedThrough}`]);
});

test('child sees WINGMATE_PID and the given environment', async () => {
  const { log, records } = captureLogger();
  const child = await startChild({ command: ['sh', '-c', 'echo "$WINGMATE_PID $EXTRA"'], env: { PATH: process.env.PATH, EXTRA: 'x' }, sourceKey: 'service', source: 's', log });
  await child.outputClosed;
  assert.deepEqual(messages(await records()), [`${process.pid} x`]);
});

test('exit does not wait for a pipe held open', async () => {
  const { log, records } = captureLogger();
  const child = await shell('echo started; (sleep 2; echo late) & exit 0', log);
  let closed = false;
  void child.outputClosed.then(() => (closed = true));
  const exit = await child.exited;
  assert.equal(exit.code, 0);
  assert.equal(closed, false);
  assert.ok(exit.runtimeMs < 1500, `exit seen after ${exit.runtimeMs} ms`);
  await child.outputClosed;
  assert.deepEqual(messages(await records()), ['started', 'late']);
});

test('tracked pid is released after exit', async () => {
  const { log } = captureLogger();
  const exits: number[] = [];
  onTrackedExit((info) => exits.push(info.pid));
  const child = await shell('sleep 0.2', log);
  assert.equal(isTracked(child.pid), true);
  await child.exited;
  assert.equal(isTracked(child.pid), false);
  assert.ok(exits.includes(child.pid));
  assert.equal(child.kill('SIGTERM'), false);
});

test('missing program is a StartError with ENOENT', async () => {
  const { log } = captureLogger();
  await assert.rejects(startChild({ command: ['/nonexistent/program'], sourceKey: 'service', source: 's', log }), (error: unknown) => {
    assert.ok(error instanceof StartError);
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.path, '/nonexistent/program');
    assert.match(error.message, /^cannot start \/nonexistent\/program: ENOENT \(/);
    return true;
  });
});

test('child starts in the given directory', async () => {
  const dir = tempDir();
  const { log, records } = captureLogger();
  const child = await startChild({ command: ['sh', '-c', 'pwd'], cwd: dir, sourceKey: 'service', source: 's', log });
  await child.outputClosed;
  assert.deepEqual(messages(await records()), [dir]);
});

test('missing working directory is named', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, '');
  const cases: [string, string][] = [
    [path.join(dir, 'missing'), 'does not exist'],
    [file, 'is not a directory'],
  ];
  const { log } = captureLogger();
  for (const [cwd, problem] of cases) {
    await assert.rejects(startChild({ command: ['sh', '-c', 'true'], cwd, sourceKey: 'service', source: 's', log }), (error: unknown) => {
      assert.ok(error instanceof StartError);
      assert.equal(error.path, cwd);
      assert.match(error.message, new RegExp(`^cannot start ${cwd}: E[A-Z]+ \\(the working directory ${problem}\\)$`));
      return true;
    });
  }
});

test('file without execute permission is EACCES', async () => {
  const file = path.join(tempDir(), 'script');
  fs.writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const { log } = captureLogger();
  await assert.rejects(startChild({ command: [file], sourceKey: 'service', source: file, log }), { name: 'StartError', code: 'EACCES' });
});

test('failed starts leave no descriptor open', async () => {
  const before = fs.readdirSync('/proc/self/fd').length;
  const { log } = captureLogger();
  for (let index = 0; index < 20; index++) {
    await assert.rejects(startChild({ command: ['/nonexistent/program'], sourceKey: 'service', source: 's', log }));
  }
  assert.equal(fs.readdirSync('/proc/self/fd').length, before);
});

test('no free descriptor is a StartError with EMFILE', () => {
  const result = spawnSync('sh', ['-c', 'ulimit -n 256; exec "$@"', 'sh', process.execPath, '--import', 'tsx', '-e', `
    const { startChild } = require('./lib/init/child');
    const { captureLogger } = require('./test/kit');
    const fs = require('node:fs');
    const held = [];
    try { for (;;) held.push(fs.openSync('/dev/null', 'r')); } catch {}
    // Two free descriptors: the stdout pipe opens, the stderr pipe cannot.
    fs.closeSync(held.pop());
    fs.closeSync(held.pop());
    const log = captureLogger().log;
    const before = fs.readdirSync('/proc/self/fd').length;
    startChild({ command: ['true'], sourceKey: 'service', source: 's', log }).then(
      () => console.log('started'),
      (error) => {
        console.log(error.name, error.code, fs.readdirSync('/proc/self/fd').length === before);
        held.forEach((fd) => fs.closeSync(fd));
        return startChild({ command: ['true'], sourceKey: 'service', source: 's', log }).then((child) => child.exited).then((exit) => console.log('then exit', exit.code));
      },
    );
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, 'StartError EMFILE true\nthen exit 0\n', result.stderr);
});

test('congested log pauses the child until drain', async () => {
  // A stderr whose writes complete only when the test calls their callbacks.
  const pending: Array<() => void> = [];
  let written = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString().split('\n').length - 1;
      pending.push(callback);
    },
  });
  const sink = new LogSink(stream, 64 * 1024);
  const log = new Logger(sink);
  const child = await shell('i=0; while [ $i -lt 20000 ]; do echo "line $i of the output"; i=$((i+1)); done', log);

  await waitUntil(() => sink.isCongested, 10_000, 'the log to congest');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const queued = stream.writableLength;
  assert.ok(queued < 1024 * 1024, `queued ${queued} bytes while congested`);
  let exited = false;
  void child.exited.then(() => (exited = true));
  assert.equal(exited, false, 'the child is blocked on its full pipe');

  // Let the reader go: complete the writes as they come.
  const release = setInterval(() => pending.splice(0).forEach((callback) => callback()), 1);
  try {
    await child.exited;
    await child.outputClosed;
    await sink.flush();
    await waitUntil(() => written === 20000, 10_000, 'every line to be written');
  } finally {
    clearInterval(release);
  }
});

test('inherited descriptors do not reach children', async () => {
  const [readEnd, writeEnd] = libc.pipe2(0);
  try {
    assert.ok(closeInheritedOnExec() >= 2);
    assert.equal(libc.fcntl(readEnd, libc.F_GETFD) & libc.FD_CLOEXEC, libc.FD_CLOEXEC);
    assert.equal(closeInheritedOnExec(), 0);
    const { log, records } = captureLogger();
    const child = await shell(`[ -e /proc/self/fd/${readEnd} ] && echo leaked || echo clean`, log);
    await child.outputClosed;
    assert.deepEqual(messages(await records()), ['clean']);
  } finally {
    fs.closeSync(readEnd);
    fs.closeSync(writeEnd);
  }
});

test('starts are refused once stopping', async () => {
  // This must stay the last test of the file: the refusal cannot be undone.
  refuseNewChildren();
  const { log } = captureLogger();
  await assert.rejects(shell('true', log), { name: 'StartError', code: 'ESTOPPING' });
});
