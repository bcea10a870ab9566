// The log pipeline, end to end: what services write becomes JSON records on wingmate's stderr.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { isWingmate, type LogRecord, makeConfig, type NamespaceRun, requireNamespaces, sleep, startWingmate, stopWingmate, tempDir } from './kit';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;

function outputOf(run: NamespaceRun, service: string): LogRecord[] {
  return run.records.filter((record) => record.service === service && record.stream !== undefined);
}

// Starts one service and waits until its output contains a record with message `last`.
async function runService(script: string, last: string, timeoutMs = 10_000): Promise<{ run: NamespaceRun; service: string; dir: string }> {
  const dir = tempDir();
  const etc = makeConfig({ services: { svc: script } }, dir);
  const service = path.join(etc, 'service', 'svc');
  const run = startWingmate(etc);
  await run.waitForRecord((record) => record.service === service && record.message === last, timeoutMs, `the record "${last}"`);
  return { run, service, dir };
}

test('output records carry the four fields', async (t) => {
  if (!requireNamespaces(t)) return;
  const { run, service } = await runService('#!/bin/sh\necho out\necho err >&2\necho end\nexec sleep 1000\n', 'end');
  try {
    await run.waitForRecord((record) => record.service === service && record.message === 'err');
    const records = outputOf(run, service);
    assert.equal(records.length, 3);
    for (const record of records) {
      assert.deepEqual(Object.keys(record).slice(0, 4), ['level', 'time', 'service', 'message']);
      assert.equal(record.level, 'info');
      assert.match(String(record.time), RFC3339);
      assert.equal(record.service, service);
    }
    assert.deepEqual(records.filter((record) => record.stream === 'stdout').map((record) => record.message), ['out', 'end']);
    assert.deepEqual(records.filter((record) => record.stream === 'stderr').map((record) => record.message), ['err']);
    assert.ok(run.stderrIsUtf8);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('one MiB line arrives as continuation records', async (t) => {
  if (!requireNamespaces(t)) return;
  const { run, service } = await runService("#!/bin/sh\nhead -c 1048576 /dev/zero | tr '\\0' x\necho\necho after\nexec sleep 1000\n", 'after');
  try {
    const records = outputOf(run, service);
    const pieces = records.slice(0, -1);
    assert.equal(pieces.length, 16);
    assert.equal(pieces.map((record) => record.message).join(''), 'x'.repeat(1024 * 1024));
    assert.equal(pieces[0].continued, undefined);
    assert.ok(pieces.slice(1).every((record) => record.continued === true));
    assert.ok(pieces.every((record) => String(record.message).length === 65536));
    assert.equal(records.at(-1)?.message, 'after');
    assert.equal(records.at(-1)?.continued, undefined);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('invalid UTF-8 becomes U+FFFD per byte', async (t) => {
  if (!requireNamespaces(t)) return;
  // \342\202 is a truncated euro sign, \300\257 an overlong "/", \355\240\200 a surrogate.
  const { run, service } = await runService("#!/bin/sh\nprintf 'a\\342\\202b\\300\\257c\\355\\240\\200d\\n'\necho done\nexec sleep 1000\n", 'done');
  try {
    assert.equal(outputOf(run, service)[0].message, 'a\uFFFD\uFFFDb\uFFFD\uFFFDc\uFFFD\uFFFD\uFFFDd');
    assert.ok(run.stderrIsUtf8, "wingmate's stderr is valid UTF-8");
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('bytes that are not UTF-8 give valid records', async (t) => {
  if (!requireNamespaces(t)) return;
  const { run, service } = await runService("#!/bin/sh\nprintf 'before-\\377\\376-after\\n'\nprintf 'next\\n'\nexec sleep 1000\n", 'next');
  try {
    const records = outputOf(run, service);
    assert.deepEqual(records.map((record) => record.message), ['before-\uFFFD\uFFFD-after', 'next']);
    assert.ok(run.stderrIsUtf8, "wingmate's stderr is valid UTF-8");
    assert.ok(run.records.every((record) => record.raw === undefined), 'every line is one JSON object');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('character split at 64 KiB stays whole', async (t) => {
  if (!requireNamespaces(t)) return;
  // 65535 bytes of "x", then "é" (two bytes) across the 64 KiB boundary.
  const { run, service } = await runService("#!/bin/sh\nhead -c 65535 /dev/zero | tr '\\0' x\nprintf '\\303\\251yyy\\n'\necho done\nexec sleep 1000\n", 'done');
  try {
    const records = outputOf(run, service);
    assert.equal(records.length, 3);
    assert.equal(records[0].message, 'x'.repeat(65535));
    assert.equal(records[1].message, 'éyyy');
    assert.equal(records[1].continued, true);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('last line without newline is logged', async (t) => {
  if (!requireNamespaces(t)) return;
  const { run, service } = await runService("#!/bin/sh\necho first\nprintf 'no newline'\nexit 0\n", 'no newline');
  try {
    const records = outputOf(run, service);
    assert.deepEqual(records.slice(0, 2).map((record) => record.message), ['first', 'no newline']);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('service can write to /dev/stdout and fd 2', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = '#!/bin/sh\necho via-dev-stdout > /dev/stdout\necho via-proc-fd-2 > /proc/self/fd/2\necho via-dev-stderr > /dev/stderr\necho done\nexec sleep 1000\n';
  const { run, service } = await runService(script, 'done');
  try {
    await run.waitForRecord((record) => record.service === service && record.message === 'via-dev-stderr');
    const records = outputOf(run, service);
    assert.deepEqual(records.filter((record) => record.stream === 'stdout').map((record) => record.message), ['via-dev-stdout', 'done']);
    assert.deepEqual(records.filter((record) => record.stream === 'stderr').map((record) => record.message), ['via-proc-fd-2', 'via-dev-stderr']);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('line over 64 KiB neither stops logging nor blocks', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = [
    '#!/bin/sh',
    "head -c 200000 /dev/zero | tr '\\0' x; echo",
    'i=0; while [ $i -lt 20 ]; do echo "after $i"; i=$((i+1)); sleep 0.05; done',
    'exit 0',
  ].join('\n');
  const dir = tempDir();
  const etc = makeConfig({ services: { 'long.sh': `${script}\n` } }, dir);
  const service = path.join(etc, 'service', 'long.sh');
  const run = startWingmate(etc);
  try {
    await run.waitFor(() => run.find({ service, message: 'after 0' }).length >= 2, 15_000, 'a second "after 0" (the restart)');
    const firstRun = outputOf(run, service);
    const restartIndex = firstRun.findIndex((record, index) => index > 0 && record.message === 'after 0' && firstRun.slice(0, index).some((earlier) => earlier.message === 'after 19'));
    const longPieces = firstRun.slice(0, 4);
    assert.equal(longPieces.map((record) => record.message).join(''), 'x'.repeat(200000));
    assert.deepEqual(longPieces.map((record) => record.continued), [undefined, true, true, true]);
    const afters = firstRun.slice(4, restartIndex).map((record) => record.message);
    assert.deepEqual(afters.slice(0, 20), Array.from({ length: 20 }, (_, index) => `after ${index}`));
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('stdout and stderr of 20000 lines each arrive complete', async (t) => {
  if (!requireNamespaces(t)) return;
  const script = [
    '#!/bin/sh',
    '( i=0; while [ $i -lt 20000 ]; do echo "e $i"; i=$((i+1)); done ) >&2 &',
    'i=0; while [ $i -lt 20000 ]; do echo "o $i"; i=$((i+1)); done',
    'wait; echo done; exec sleep 1000',
  ].join('\n');
  const dir = tempDir();
  const etc = makeConfig({ services: { 'both.sh': `${script}\n` } }, dir);
  const service = path.join(etc, 'service', 'both.sh');
  const run = startWingmate(etc);
  try {
    const started = performance.now();
    await run.waitForRecord((record) => record.service === service && record.message === 'done', 15_000);
    assert.ok(performance.now() - started < 15_000);
    // The two pipes are read independently, so the last stderr lines may come just after "done".
    await run.waitFor(() => outputOf(run, service).length >= 40_001, 5000, 'every line');
    const records = outputOf(run, service);
    const out = records.filter((record) => record.stream === 'stdout' && record.message !== 'done').map((record) => record.message);
    const err = records.filter((record) => record.stream === 'stderr').map((record) => record.message);
    assert.equal(out.length, 20000);
    assert.equal(err.length, 20000);
    assert.deepEqual(out, Array.from({ length: 20000 }, (_, index) => `o ${index}`));
    assert.deepEqual(err, Array.from({ length: 20000 }, (_, index) => `e ${index}`));
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('paused reader bounds memory and loses nothing', async (t) => {
  if (!requireNamespaces(t)) return;
  // 500 000 numbered lines of 100 characters (about 50 MB) while the reader of stderr pauses 5 s.
  const lines = 500_000;
  const script = `#!/bin/sh\nseq -f '%0100.0f' 1 ${lines}\necho finished\nexec sleep 1000\n`;
  const dir = tempDir();
  const etc = makeConfig({ services: { flood: script } }, dir);
  const service = path.join(etc, 'service', 'flood');
  let expected = 1;
  let outOfOrder = 0;
  const run = startWingmate(etc, {
    keepRecord: (record) => {
      if (record.service !== service || record.stream !== 'stdout' || record.message === 'finished') {
        return true;
      }
      if (Number(record.message) !== expected) {
        outOfOrder++;
      }
      expected++;
      return false;
    },
  });
  try {
    const pid = await run.pid1();
    await run.waitFor(() => expected > 1000, 10_000, 'the first lines');
    run.unshare.stderr!.pause();
    let maxRssKiB = 0;
    for (let index = 0; index < 25; index++) {
      await sleep(200);
      maxRssKiB = Math.max(maxRssKiB, rssKiB(pid));
    }
    const seenDuringPause = expected;
    run.unshare.stderr!.resume();

    await run.waitForRecord((record) => record.service === service && record.message === 'finished', 60_000);
    assert.ok(seenDuringPause <= lines, 'the service was still writing when the pause ended');
    assert.equal(expected - 1, lines);
    assert.equal(outOfOrder, 0);
    assert.ok(maxRssKiB < 200 * 1024, `wingmate's RSS reached ${maxRssKiB} KiB during the pause`);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
}

test('closed stderr neither stops wingmate nor blocks services', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const marker = path.join(dir, 'written');
  const script = `#!/bin/sh\nsleep 0.5\nseq 1 200000\ntouch ${marker}\nexec sleep 1000\n`;
  const etc = makeConfig({ services: { chatty: script } }, dir);
  // wingmate's stderr goes to a reader that quits after the first line; fd 3 reports its status.
  const run = startWingmate(etc, {
    shell: { before: 'exec 3>&1; {', after: '2>&1 3>&-; echo "wingmate status $?" >&3; } | head -n 1 >/dev/null; sleep 1000' },
  });
  try {
    await run.pid1();
    await run.waitFor(() => fs.existsSync(marker), 20_000, 'the service to write all its output');
    const wingmate = run.processes().find(isWingmate);
    assert.ok(wingmate, 'wingmate is still running');
    process.kill(wingmate.pid, 'SIGTERM');
    await run.waitFor(() => run.stdout.includes('wingmate status'), 10_000, 'wingmate to exit');
    assert.match(run.stdout, /^wingmate status 0$/m);
  } finally {
    run.kill();
  }
});
