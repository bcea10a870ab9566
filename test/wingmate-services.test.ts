// wingmate's services, end to end: the built wingmate runs as PID 1 of new namespaces.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { type LogRecord, type NamespaceRun, makeConfig, readStat, requireNamespaces, sleep, startWingmate, stopWingmate, tempDir } from './kit';

function serviceRecords(run: NamespaceRun, service: string, message: string): LogRecord[] {
  return run.records.filter((record) => record.service === service && record.message === message);
}

test('service is restarted after it exits', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { once: '#!/bin/sh\necho "run $$"\nsleep 1.2\nexit 0\n' } });
  const service = path.join(etc, 'service', 'once');
  const run = startWingmate(etc);
  try {
    const isRun = (record: LogRecord) => record.service === service && String(record.message).startsWith('run ');
    await run.waitFor(() => run.records.filter(isRun).length >= 2, 10_000, 'output of a second run');
    const exited = serviceRecords(run, service, 'service exited')[0];
    assert.equal(exited.status, 0);
    assert.equal(exited.level, 'info');
    assert.ok(Number(exited.runtime_ms) >= 1000);
    assert.equal(serviceRecords(run, service, 'restart delayed: the service ran under 1 s').length, 0);
    const runs = run.records.filter(isRun);
    assert.equal(runs.length, 2);
    assert.notEqual(runs[0].message, runs[1].message, 'each run is a new process');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('crash loop restarts about once a second', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { crash: '#!/bin/sh\necho crashing\nexit 3\n' } });
  const service = path.join(etc, 'service', 'crash');
  const run = startWingmate(etc);
  try {
    await run.waitFor(() => serviceRecords(run, service, 'service started').length >= 4, 15_000, 'four starts');
    const starts = serviceRecords(run, service, 'service started').map((record) => run.arrivalOf(record));
    for (let index = 1; index < starts.length; index++) {
      const gap = starts[index] - starts[index - 1];
      assert.ok(gap >= 750, `start ${index} came ${gap.toFixed(0)} ms after the one before`);
    }
    for (const exited of serviceRecords(run, service, 'service exited')) {
      assert.equal(exited.status, 3);
      assert.equal(exited.level, 'warn');
    }
    assert.ok(serviceRecords(run, service, 'restart delayed: the service ran under 1 s').every((record) => record.delay_ms === 1000));
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('quick exit restarts three to twelve times in 10 s', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { 'quick.sh': '#!/bin/sh\necho run\nexit 1\n' } });
  const service = path.join(etc, 'service', 'quick.sh');
  const run = startWingmate(etc);
  try {
    const pid = await run.pid1();
    const first = await run.waitForRecord((record) => record.service === service && record.message === 'run');
    const firstAt = run.arrivalOf(first);
    const cpuBefore = cpuTicks(pid);
    await sleep(10_000);
    const cpuMs = ((cpuTicks(pid) - cpuBefore) * 1000) / 100;

    const runs = serviceRecords(run, service, 'run');
    assert.ok(runs.length >= 3, `${runs.length} runs in 10 s`);
    assert.ok(runs.length <= 12, `${runs.length} runs in 10 s`);
    assert.ok(run.arrivalOf(runs[1]) - firstAt <= 2000, 'first restart within 2 s');
    const exits = serviceRecords(run, service, 'service exited');
    assert.ok(exits.length >= runs.length - 1);
    assert.ok(exits.every((record) => record.status === 1));
    assert.ok(cpuMs < 1000, `wingmate used ${cpuMs} ms of CPU in 10 s`);

    const stopAt = performance.now();
    await stopWingmate(run);
    assert.ok(performance.now() - stopAt < 5000, 'SIGTERM still stops promptly');
  } finally {
    run.kill();
  }
});

// utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux).
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('background child holding stdout does not delay restart', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { 'bg.sh': '#!/bin/sh\necho "start $$"\nsleep 30 &\nexit 0\n' } });
  const service = path.join(etc, 'service', 'bg.sh');
  const run = startWingmate(etc);
  try {
    const isStart = (record: LogRecord) => record.service === service && String(record.message).startsWith('start ');
    const first = await run.waitForRecord(isStart);
    const exited = await run.waitForRecord((record) => record.service === service && record.message === 'service exited', 5000);
    assert.equal(exited.status, 0);
    assert.ok(run.arrivalOf(exited) - run.arrivalOf(first) < 1000, 'exit logged within 1 s');

    await run.waitFor(() => run.records.filter(isStart).length >= 2, 5000, 'a second start record');
    const second = run.records.filter(isStart)[1];
    assert.ok(run.arrivalOf(second) - run.arrivalOf(first) <= 2000, 'second start within 2 s of the first');
    assert.notEqual(second.message, first.message);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('start failure is retried until it works', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const interpreter = path.join(dir, 'interpreter');
  const etc = makeConfig({ services: { late: `#!${interpreter}\necho finally\nexec sleep 1000\n` } }, dir);
  const service = path.join(etc, 'service', 'late');
  const run = startWingmate(etc);
  try {
    const isFailure = (record: LogRecord) => record.service === service && record.message === 'service failed to start, retrying in 1 s';
    await run.waitFor(() => run.records.filter(isFailure).length >= 3, 10_000, 'three failed starts');
    const failures = run.records.filter(isFailure);
    assert.ok(failures.every((record) => record.errno === 'ENOENT' && record.level === 'error'));
    assert.deepEqual(failures.slice(0, 3).map((record) => record.attempt), [1, 2, 3]);
    for (let index = 1; index < failures.length; index++) {
      const gap = run.arrivalOf(failures[index]) - run.arrivalOf(failures[index - 1]);
      assert.ok(gap >= 750, `retry ${index} after ${gap.toFixed(0)} ms`);
      assert.ok(gap < 5000, `retry ${index} after ${gap.toFixed(0)} ms`);
    }

    fs.symlinkSync('/bin/sh', interpreter);
    await run.waitForRecord((record) => record.service === service && record.message === 'finally', 10_000);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('service runs with stdin on /dev/null and WINGMATE_PID', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { env: '#!/bin/sh\necho "pid=$WINGMATE_PID stdin=$(readlink /proc/self/fd/0)"\nexec sleep 1000\n' } });
  const service = path.join(etc, 'service', 'env');
  const run = startWingmate(etc);
  try {
    const line = await run.waitForRecord((record) => record.service === service && String(record.message).startsWith('pid='));
    assert.equal(line.message, 'pid=1 stdin=/dev/null');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test("descriptors from wingmate's parent stay out of services", async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { fds: '#!/bin/sh\n[ -e /proc/self/fd/300 ] && echo leaked || echo clean\nexec sleep 1000\n' } });
  const service = path.join(etc, 'service', 'fds');
  // bash opens descriptor 300 without close-on-exec and replaces itself with wingmate.
  const run = startWingmate(etc, { shell: { before: `exec bash -c 'exec 300</dev/null; exec "$@"' bash`, after: '' } });
  try {
    const line = await run.waitForRecord((record) => record.service === service && record.stream === 'stdout');
    assert.equal(line.message, 'clean');
  } finally {
    run.kill();
  }
});

test('wingmate starts with only a crontab and keeps running', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ crontab: '0 0 1 1 * /bin/true\n' });
  const run = startWingmate(etc);
  try {
    await run.waitForRecord((record) => record.message === 'wingmate starting');
    await sleep(500);
    const pid = await run.pid1();
    assert.notEqual(readStat(pid), null, 'wingmate is still running');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});
