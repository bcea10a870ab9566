// Reaping of orphans, end to end, with wingmate as PID 1 and as a subreaper below a shell.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';

import { isWingmate, makeConfig, type NamespaceRun, requireNamespaces, sleep, startWingmate, stopWingmate } from './kit';

function zombies(run: NamespaceRun): number {
  return run.processes().filter((entry) => entry.state === 'Z').length;
}

test('orphans are reaped and the service keeps running', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = '#!/bin/sh\ni=0; while [ $i -lt 50 ]; do (sleep 0.1 &); i=$((i+1)); done\nexec sleep 1000\n';
  const etc = makeConfig({ services: { 'orphans.sh': script } });
  const service = path.join(etc, 'service', 'orphans.sh');
  const run = startWingmate(etc);
  try {
    await run.waitForRecord((record) => record.service === service && record.message === 'service started');
    await sleep(3000);
    assert.equal(zombies(run), 0);
    const sleeper = run.processes().filter((entry) => entry.comm === 'sleep');
    assert.equal(sleeper.length, 1, 'only the service itself is left');
    assert.equal(run.find({ service, message: 'service started' }).length, 1, 'the service was not restarted');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('500 orphans leave no zombie and keep exit status', async (t) => {
  if (!requireNamespaces(t)) return;
  const orphans = '#!/bin/sh\ni=0; while [ $i -lt 500 ]; do (sleep 0.5 &); i=$((i+1)); done\necho spawned\nexec sleep 1000\n';
  const seven = '#!/bin/sh\nsleep 0.3\nexit 7\n';
  const etc = makeConfig({ services: { orphans, seven } });
  const sevenPath = path.join(etc, 'service', 'seven');
  const run = startWingmate(etc);
  try {
    await run.waitForRecord((record) => record.message === 'spawned', 20_000);
    await run.waitFor(() => run.find({ service: sevenPath, message: 'service exited' }).length >= 3, 20_000, 'three exits of the status-7 service');
    await run.waitFor(() => zombies(run) === 0 && run.processes().filter((entry) => entry.comm === 'sleep').length <= 2, 10_000, 'no zombie and no orphan left');

    assert.ok(run.processes().some(isWingmate), 'the process table of the namespace was read');
    const exits = run.find({ service: sevenPath, message: 'service exited' });
    for (const exit of exits) {
      assert.equal(exit.status, 7, JSON.stringify(exit));
      assert.equal(exit.signal, undefined);
    }
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('subreaper below a shell reaps and spares its siblings', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = '#!/bin/sh\ni=0; while [ $i -lt 50 ]; do (sleep 0.1 &); i=$((i+1)); done\necho spawned\nexec sleep 1000\n';
  const etc = makeConfig({ services: { 'orphans.sh': script } });
  // The shell is PID 1; wingmate is one member of a pipeline, and a sibling traps SIGTERM.
  const run = startWingmate(etc, {
    shell: {
      before: "trap 'echo shell-got-term' TERM; sleep 1000 & sibling=$!;",
      after: "| (trap 'echo cat-got-term' TERM; cat; echo cat-done); echo after; kill $sibling",
    },
  });
  try {
    await run.pid1();
    await run.waitForRecord((record) => record.message === 'spawned');
    assert.ok(run.find({ message: 'not PID 1: became the subreaper of orphaned descendants' }).length === 1);
    await sleep(1500);
    assert.equal(zombies(run), 0);

    const wingmate = run.processes().find(isWingmate);
    assert.ok(wingmate);
    process.kill(wingmate.pid, 'SIGTERM');
    const result = await run.waitForExit(15_000);
    assert.equal(result.code, 0);
    assert.equal(run.find({ message: 'sent SIGTERM' })[0].processes, 1, 'only the service was signalled');
    assert.ok(run.find({ message: 'wingmate exiting' }).length === 1);
    assert.match(run.stdout, /cat-done\nafter\n/);
    assert.doesNotMatch(run.stdout, /got-term/);
  } finally {
    run.kill();
  }
});
