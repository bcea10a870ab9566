// The shutdown and signal handling, end to end, with wingmate as PID 1 of new namespaces.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { IGNORED_SIGNALS } from '../lib/init/signals';
import { isWingmate, makeConfig, type NamespaceRun, requireNamespaces, sleep, startWingmate, tempDir } from './kit';

function read(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

// Waits until every named service has logged its start.
async function waitForStarts(run: NamespaceRun, count: number): Promise<void> {
  await run.waitFor(() => run.find({ message: 'service started' }).length >= count, 10_000, `${count} services to start`);
}

async function expectCleanExit(run: NamespaceRun, timeoutMs = 15_000): Promise<void> {
  const result = await run.waitForExit(timeoutMs);
  assert.equal(result.code, 0, run.describe());
  assert.equal(run.find({ message: 'wingmate exiting' })[0]?.status, 0);
  // wingmate logs this only once its scan of /proc found no descendant left.
  assert.equal(run.find({ message: 'all processes have exited' }).length, 1);
}

const trapTerm = (file: string) =>
  `#!/bin/sh\ntrap 'echo term >> ${file}; exit 0' TERM\nwhile :; do sleep 0.2 & wait $!; done\n`;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to PID 1 stops after one TERM`, async (t) => {
    if (!requireNamespaces(t)) return;
    const dir = tempDir();
    const termFile = path.join(dir, 'a.term');
    const etc = makeConfig({ services: { 'a.sh': trapTerm(termFile) } }, dir);
    const run = startWingmate(etc);
    try {
      await waitForStarts(run, 1);
      await sleep(1000);
      const sentAt = performance.now();
      await run.signal(signal);
      await expectCleanExit(run, 5000);
      assert.ok(performance.now() - sentAt < 2000, 'exit within 2 s');
      assert.equal(run.find({ message: 'shutdown started' })[0]?.signal, signal);
      assert.equal(read(termFile), 'term\n');
    } finally {
      run.kill();
    }
  });
}

test('cooperative services each see one SIGTERM', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const files = ['one', 'two', 'three'].map((name) => path.join(dir, `${name}.term`));
  const etc = makeConfig({ services: { one: trapTerm(files[0]), two: trapTerm(files[1]), three: trapTerm(files[2]) } }, dir);
  const run = startWingmate(etc, { env: { WINGMATE_SHUTDOWN_TIMEOUT: '10' } });
  try {
    await waitForStarts(run, 3);
    await sleep(300);
    await run.signal('SIGTERM');
    await expectCleanExit(run);
    for (const file of files) {
      assert.equal(read(file), 'term\n', file);
    }
    const steps = run.records.map((record) => record.message);
    assert.ok(steps.indexOf('shutdown started') < steps.indexOf('sent SIGTERM'));
    assert.ok(steps.indexOf('sent SIGTERM') < steps.indexOf('all processes have exited'));
    assert.ok(steps.indexOf('all processes have exited') < steps.indexOf('wingmate exiting'));
    assert.ok(!steps.includes('grace period ended'));
    assert.ok(!steps.includes('service failed to start, retrying in 1 s'));
    assert.equal(run.find({ message: 'service started' }).length, 3, 'no restart during the shutdown');
  } finally {
    run.kill();
  }
});

test('one SIGTERM each, SIGKILL at grace end', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const terms = path.join(dir, 'terms');
  const a = [
    '#!/bin/sh',
    's=0',
    `trap 'echo TERM >> ${terms}; s=1' TERM`,
    'while [ $s = 0 ]; do sleep 0.1 & wait $!; done',
    'i=0; while [ $i -lt 20 ]; do sleep 0.1 & wait $!; i=$((i+1)); done',
    `echo clean >> ${terms}; exit 0`,
  ].join('\n');
  const b = "#!/bin/sh\ntrap '' TERM\nexec sleep 1000\n";
  const etc = makeConfig({ services: { 'a.sh': `${a}\n`, 'b.sh': b } }, dir);
  // The default grace period (5 s) applies.
  const run = startWingmate(etc);
  try {
    await waitForStarts(run, 2);
    await sleep(1000);
    const sentAt = performance.now();
    await run.signal('SIGTERM');
    await expectCleanExit(run, 20_000);
    const elapsed = performance.now() - sentAt;
    assert.equal(read(terms), 'TERM\nclean\n');
    assert.ok(elapsed >= 5000, `exit ${elapsed.toFixed(0)} ms after SIGTERM`);
    assert.ok(elapsed < 10_000, `exit ${elapsed.toFixed(0)} ms after SIGTERM`);
    assert.equal(run.find({ message: 'shutdown started' })[0]?.grace_period_ms, 5000);
    assert.equal(run.find({ message: 'grace period ended' })[0]?.processes_left, 1);
    assert.equal(run.find({ message: 'sent SIGKILL' })[0]?.processes, 1);
    const bExit = run.find({ service: path.join(etc, 'service', 'b.sh'), message: 'service exited' })[0];
    assert.equal(bExit?.signal, 'SIGKILL');
  } finally {
    run.kill();
  }
});

test('setsid grandchild finishes its cleanup first', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const gc = path.join(dir, 'gc');
  const script = [
    '#!/bin/sh',
    `setsid sh -c 'trap "sleep 1; echo done >> ${gc}; exit 0" TERM; while :; do sleep 0.2 & wait $!; done' &`,
    'exec sleep 1000',
  ].join('\n');
  const etc = makeConfig({ services: { 'gc.sh': `${script}\n` } }, dir);
  const run = startWingmate(etc);
  try {
    await waitForStarts(run, 1);
    await sleep(1000);
    await run.signal('SIGTERM');
    await expectCleanExit(run);
    assert.equal(read(gc), 'done\n');
    assert.ok(run.find({ message: 'sent SIGTERM' })[0].processes as number >= 3, 'the grandchild in its own session was signalled');
  } finally {
    run.kill();
  }
});

test('helper started by a TERM trap may finish', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const cleaned = path.join(dir, 'cleaned');
  const script = `#!/bin/sh\ntrap 'sh -c "sleep 1; echo cleaned >> ${cleaned}" & exit 0' TERM\nwhile :; do sleep 0.2 & wait $!; done\n`;
  const etc = makeConfig({ services: { deregister: script } }, dir);
  const run = startWingmate(etc);
  try {
    await waitForStarts(run, 1);
    await sleep(300);
    const sentAt = performance.now();
    await run.signal('SIGTERM');
    await expectCleanExit(run);
    assert.equal(read(cleaned), 'cleaned\n');
    assert.ok(performance.now() - sentAt >= 1000, 'wingmate waited for the helper');
    assert.equal(run.find({ message: 'grace period ended' }).length, 0);
  } finally {
    run.kill();
  }
});

test('service ignoring SIGTERM is killed after the grace period', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { stubborn: "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.1; done\n" } });
  const run = startWingmate(etc, { env: { WINGMATE_SHUTDOWN_TIMEOUT: '1' } });
  try {
    await waitForStarts(run, 1);
    await sleep(300);
    const sentAt = performance.now();
    await run.signal('SIGTERM');
    await expectCleanExit(run);
    assert.ok(performance.now() - sentAt >= 1000, 'the grace period was kept');
    assert.ok(run.find({ message: 'sent SIGKILL' })[0]?.processes as number >= 1);
  } finally {
    run.kill();
  }
});

test('second SIGTERM ends the grace period', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { stubborn: "#!/bin/sh\ntrap '' TERM\nexec sleep 1000\n" } });
  const run = startWingmate(etc, { env: { WINGMATE_SHUTDOWN_TIMEOUT: '60' } });
  try {
    await waitForStarts(run, 1);
    await run.signal('SIGTERM');
    await run.waitForRecord((record) => record.message === 'sent SIGTERM');
    await sleep(300);
    const secondAt = performance.now();
    await run.signal('SIGTERM');
    await expectCleanExit(run);
    assert.ok(performance.now() - secondAt < 5000, 'exit soon after the second SIGTERM');
    assert.equal(run.find({ message: 'second stop signal: ending the grace period now' }).length, 1);
    assert.equal(run.find({ message: 'sent SIGKILL' })[0]?.processes, 1);
  } finally {
    run.kill();
  }
});

for (const signal of ['SIGQUIT', 'SIGPWR'] as const) {
  test(`${signal} starts the shutdown`, async (t) => {
    if (!requireNamespaces(t)) return;
    const dir = tempDir();
    const termFile = path.join(dir, 'term');
    const etc = makeConfig({ services: { svc: trapTerm(termFile) } }, dir);
    const run = startWingmate(etc);
    try {
      await waitForStarts(run, 1);
      await sleep(300);
      await run.signal(signal);
      await expectCleanExit(run);
      assert.equal(run.find({ message: 'shutdown started' })[0]?.signal, signal);
      assert.equal(read(termFile), 'term\n', 'the service got SIGTERM');
    } finally {
      run.kill();
    }
  });
}

test('SIGHUP and SIGUSR1 reach the service traps', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = "#!/bin/sh\ntrap 'echo got-hup' HUP\ntrap 'echo got-usr1' USR1\necho ready\nwhile :; do sleep 0.2 & wait $!; done\n";
  const etc = makeConfig({ services: { reload: script } });
  const service = path.join(etc, 'service', 'reload');
  const run = startWingmate(etc);
  try {
    await run.waitForRecord((record) => record.service === service && record.message === 'ready');
    await run.signal('SIGHUP');
    await run.waitForRecord((record) => record.service === service && record.message === 'got-hup');
    await run.signal('SIGUSR1');
    await run.waitForRecord((record) => record.service === service && record.message === 'got-usr1');
    await sleep(300);

    const forwarded = run.find({ message: 'forwarded a signal to the services' });
    assert.deepEqual(forwarded.map((record) => [record.signal, record.services]), [
      ['SIGHUP', 1],
      ['SIGUSR1', 1],
    ]);
    assert.equal(run.find({ message: 'service started' }).length, 1, 'the service was not restarted');
    assert.equal(run.find({ message: 'shutdown started' }).length, 0);
    assert.ok(!run.records.some((record) => record.raw !== undefined && record.raw.includes('Debugger')), 'SIGUSR1 did not start the inspector');

    await run.signal('SIGTERM');
    await expectCleanExit(run);
  } finally {
    run.kill();
  }
});

test('other signals are logged and ignored', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ services: { svc: '#!/bin/sh\nexec sleep 1000\n' } });
  // Not PID 1, where the kernel would drop signals without a handler anyway.
  const run = startWingmate(etc, { shell: { before: '', after: '; echo "wingmate status $?"' } });
  try {
    await waitForStarts(run, 1);
    const wingmate = run.processes().find(isWingmate);
    assert.ok(wingmate);
    for (const signal of [...IGNORED_SIGNALS, 'SIGHUP' as const]) {
      process.kill(wingmate.pid, signal);
      await sleep(20);
    }
    await run.waitFor(() => run.find({ message: 'ignored a signal' }).length === IGNORED_SIGNALS.length, 5000, 'every ignored signal to be logged');
    assert.deepEqual(run.find({ message: 'ignored a signal' }).map((record) => record.signal), [...IGNORED_SIGNALS]);
    assert.equal(run.find({ message: 'forwarded a signal to the services' })[0]?.signal, 'SIGHUP');
    assert.ok(run.processes().some((entry) => entry.pid === wingmate.pid), 'wingmate is still running');

    process.kill(wingmate.pid, 'SIGTERM');
    await run.waitFor(() => run.stdout.includes('wingmate status'), 10_000, 'wingmate to exit');
    assert.match(run.stdout, /^wingmate status 0$/m);
  } finally {
    run.kill();
  }
});
