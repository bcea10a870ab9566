import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { Reaper } from '../lib/init/reaper';
import { ROOT, captureLogger } from './kit';

// A fake process table: `exited` children are zombies; peek names the first of them, as waitid does.
function table(children: number[], exited: number[]) {
  const zombies = [...exited];
  const calls = { reap: [] as number[], list: 0 };
  const options = {
    listChildren: () => {
      calls.list++;
      return children.filter((pid) => !calls.reap.includes(pid) || zombies.includes(pid));
    },
    peek: () => zombies[0] ?? 0,
    reap: (pid: number) => {
      calls.reap.push(pid);
      const index = zombies.indexOf(pid);
      if (index === -1) {
        return false;
      }
      zombies.splice(index, 1);
      return true;
    },
  };
  return { options, calls, zombies };
}

test('reaper takes zombies one call each', () => {
  const { options, calls, zombies } = table([10, 11, 12, 13], [11, 13]);
  const reaper = new Reaper(captureLogger().log, { ...options, isTracked: () => false });
  assert.equal(reaper.reapAll(), 2);
  assert.deepEqual(calls.reap, [11, 13], 'only the zombies were waited for');
  assert.equal(calls.list, 0, 'no pass over every child');
  assert.deepEqual(zombies, []);
  assert.equal(reaper.reaped, 2);
});

test('reaper skips tracked children', () => {
  // The tracked zombie 11 comes first, so the full pass finds 12 behind it.
  const { options, calls, zombies } = table([10, 11, 12], [11, 12]);
  const reaper = new Reaper(captureLogger().log, { ...options, isTracked: (pid) => pid === 11 });
  assert.equal(reaper.reapAll(), 1);
  assert.equal(calls.reap.includes(11), false, 'the tracked child was left to libuv');
  assert.equal(calls.list, 1);
  assert.deepEqual(zombies, [11]);
});

test('reaper counts only exited children', () => {
  const { options } = table([10, 11], [10]);
  const reaper = new Reaper(captureLogger().log, { ...options, isTracked: () => false });
  assert.equal(reaper.reapAll(), 1);
  assert.equal(reaper.reapAll(), 0);
});

test('reaper logs each pass at debug', async () => {
  const { log, records } = captureLogger('debug');
  const reaper = new Reaper(log, { ...table([10, 11, 12], [10, 11, 12]).options, isTracked: () => false });
  reaper.reapAll();
  const second = table([20, 21, 22], [20, 21, 22]).options;
  new Reaper(log, { ...second, isTracked: () => false }).reapAll();
  reaper.reapAll();
  const passes = (await records()).filter((entry) => entry.message === 'reaped orphans');
  assert.deepEqual(passes.map((entry) => [entry.level, entry.count, entry.total]), [
    ['debug', 3, 3],
    ['debug', 3, 3],
  ]);
});

test('peekExitedChild names a zombie without reaping it', () => {
  // A child subreaper process makes an orphan zombie and checks that it stays until waited for.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const { execFileSync } = require('node:child_process');
    libc.setChildSubreaper();
    const pid = Number(execFileSync('sh', ['-c', 'sh -c "sleep 0.3; exit 3" & echo $!']).toString());
    const deadline = Date.now() + 5000;
    let peeked = 0;
    while (Date.now() < deadline && peeked !== pid) peeked = libc.peekExitedChild();
    const again = libc.peekExitedChild();
    const status = libc.waitpid(pid);
    console.log(JSON.stringify({ peeked: peeked === pid, again: again === pid, exitCode: status && status.exitCode }));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(result.stdout), { peeked: true, again: true, exitCode: 3 }, result.stderr);
});

test('coalesced SIGCHLDs make one pass', async () => {
  let passes = 0;
  const reaper = new Reaper(captureLogger().log, {
    peek: () => {
      passes++;
      return 0;
    },
  });
  let listened = 0;
  reaper.onPass(() => listened++);
  reaper.start();
  try {
    await new Promise((resolve) => setImmediate(resolve));
    const before = passes;
    process.emit('SIGCHLD', 'SIGCHLD');
    process.emit('SIGCHLD', 'SIGCHLD');
    process.emit('SIGCHLD', 'SIGCHLD');
    await new Promise((resolve) => setImmediate(resolve));
    // Each pass peeks twice: once for the fast path and once before the full pass.
    assert.equal(passes - before, 2);
    assert.equal(listened, 2);
  } finally {
    reaper.stop();
  }
});
