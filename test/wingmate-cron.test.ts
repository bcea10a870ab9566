import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { makeConfig, readLines, requireNamespaces, startWingmate, stopWingmate, tempDir } from './kit';

test('every-minute job fires at its minute', async (t) => {
  if (!requireNamespaces(t)) return;
  const out = path.join(tempDir(), 'fired');
  const job = path.join(tempDir(), 'job.sh');
  fs.writeFileSync(job, `#!/bin/sh\ndate +%S >> ${out}\necho "job ran with $GREETING"\n`, { mode: 0o755 });
  const etc = makeConfig({ crontab: `GREETING=hello\n* * * * * ${job}\n` });
  const run = startWingmate(etc);
  try {
    await run.waitForRecord((record) => record.message === 'cron started', 10_000, 'the cron start');

    // The next minute boundary is at most 60 s away; allow five more seconds.
    const output = await run.waitForRecord((record) => record.cron === job && record.message === 'job ran with hello', 66_000, 'the job output');
    assert.equal(output.level, 'info');
    assert.equal(output.stream, 'stdout');
    const exited = await run.waitForRecord((record) => record.cron === job && record.message === 'cron job exited', 5000, 'the job exit');
    assert.equal(exited.status, 0);
    assert.equal(typeof exited.pid, 'number');
    assert.equal(typeof exited.duration_ms, 'number');
    const started = run.find({ cron: job, message: 'cron job started' });
    assert.equal(started.length, 1);
    assert.equal(started[0].pid, exited.pid);

    // Started within the first seconds of its minute.
    const seconds = readLines(out).map(Number);
    assert.equal(seconds.length, 1);
    assert.ok(seconds[0] <= 5, `started at second ${seconds[0]} of its minute`);

    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('invalid crontab lines are logged, the rest runs', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ crontab: '61 * * * * /bin/true\n@reboot /bin/echo still here\n* * * * * /bin/echo a | cat\n' });
  const run = startWingmate(etc);
  try {
    const output = await run.waitForRecord((record) => record.cron === '/bin/echo still here' && record.message === 'still here', 10_000, 'the @reboot job');
    assert.equal(output.level, 'info');
    const errors = run.records.filter((record) => record.level === 'error' && String(record.message).startsWith('invalid crontab line skipped'));
    assert.deepEqual(errors.map((record) => record.line), [1, 3]);
    assert.match(String(errors[0].message), /minute field "61"/);
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});

test('only invalid crontab lines: nothing to run, exit 1', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ crontab: '* * * * /bin/true\n' });
  const run = startWingmate(etc);
  try {
    const result = await run.waitForExit(15_000);
    assert.equal(result.code, 1);
    const last = run.records.at(-1)!;
    assert.equal(last.level, 'error');
    assert.match(String(last.message), /^nothing to run in .*: no executable file in .* and no valid job in .*\/crontab$/);
  } finally {
    run.kill();
  }
});

test('running cron job stops with the shutdown', async (t) => {
  if (!requireNamespaces(t)) return;
  const mark = path.join(tempDir(), 'term');
  const job = path.join(tempDir(), 'long.sh');
  fs.writeFileSync(job, `#!/bin/sh\ntrap 'echo term >> ${mark}; exit 0' TERM\necho begun\nwhile :; do sleep 0.1 & wait $!; done\n`, { mode: 0o755 });
  const etc = makeConfig({ crontab: `@reboot ${job}\n` });
  const run = startWingmate(etc, { env: { WINGMATE_SHUTDOWN_TIMEOUT: '5' } });
  try {
    await run.waitForRecord((record) => record.cron === job && record.message === 'begun', 10_000, 'the job to begin');
    const before = Date.now();
    await stopWingmate(run);
    assert.ok(Date.now() - before < 4000, 'the job should stop on its SIGTERM, not at the end of the grace period');
    assert.deepEqual(readLines(mark), ['term']);
    const exited = run.find({ cron: job, message: 'cron job exited' });
    assert.equal(exited.length, 1);
    assert.equal(exited[0].status, 0);
  } finally {
    run.kill();
  }
});

test('failed cron runs are logged with the reason', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = makeConfig({ crontab: '@reboot /bin/false\n@reboot /nonexistent/job\n@reboot /bin/sh -c "kill -KILL \\$\\$"\n' });
  const run = startWingmate(etc);
  try {
    const failed = await run.waitForRecord((record) => record.cron === '/bin/false' && record.message === 'cron job exited with an error status', 10_000, 'the failing job');
    assert.equal(failed.level, 'warn');
    assert.equal(failed.status, 1);
    const missing = await run.waitForRecord((record) => record.cron === '/nonexistent/job' && String(record.message).startsWith('cron job failed to start'), 10_000, 'the missing job');
    assert.equal(missing.level, 'error');
    assert.match(String(missing.message), /ENOENT/);
    const killed = await run.waitForRecord((record) => record.message === 'cron job killed by a signal', 10_000, 'the killed job');
    assert.equal(killed.signal, 'SIGKILL');
    await stopWingmate(run);
  } finally {
    run.kill();
  }
});
