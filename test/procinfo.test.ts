import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { assertSignalTarget, checkLiveness, listChildren, parseProcStat, readProcStat, signalProcess } from '../lib/procinfo';
import { ROOT, requireRoot, waitUntil } from './kit';

// A real line of /proc/PID/stat, with a name holding a space and a parenthesis.
const STAT = '4242 (my (odd) d) S 17 4242 4242 0 -1 4194560 130 0 0 0 1 2 0 0 20 0 1 0 987654 2654208 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

test('proc stat gives state, parent and start time', () => {
  assert.deepEqual(parseProcStat(STAT), { state: 'S', ppid: 17, startTicks: 987654 });
});

test('proc stat of a zombie', () => {
  assert.equal(parseProcStat(STAT.replace(') S 17', ') Z 17'))?.state, 'Z');
});

test('proc stat rejects malformed text', () => {
  assert.equal(parseProcStat(''), null);
  assert.equal(parseProcStat('4242 (d) S 17'), null);
  assert.equal(parseProcStat(STAT.replace(' 987654 ', ' x ')), null);
});

test('proc stat of this process', () => {
  const own = readProcStat('self');
  assert.ok(own, 'reads /proc/self/stat');
  assert.equal(own.ppid, process.ppid);
  assert.equal(own.state, 'R');
  assert.deepEqual(readProcStat(process.pid)?.startTicks, own.startTicks);
});

test('proc stat of a missing process is null', () => {
  assert.equal(readProcStat(exitedPid()), null);
});

test('liveness: a running process is alive', () => {
  assert.equal(checkLiveness(process.pid), 'alive');
});

test('liveness: an exited and reaped process is gone', () => {
  assert.equal(checkLiveness(exitedPid()), 'gone');
});

test('liveness: a zombie counts as dead', async () => {
  // sh starts a short sleep in the background and then becomes a long sleep, which never waits for
  // it. The short one must outlive the exec, or sh may reap it first.
  const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let output = '';
    parent.stdout.on('data', (chunk) => (output += chunk));
    await waitUntil(() => output.includes('\n'), 10_000, 'the background pid');
    const zombie = Number(output.trim());
    await waitUntil(() => readProcStat(zombie)?.state === 'Z', 10_000, `pid ${zombie} to become a zombie`);
    assert.doesNotThrow(() => process.kill(zombie, 0), 'kill(pid, 0) succeeds for a zombie');
    assert.equal(checkLiveness(zombie), 'zombie');
  } finally {
    parent.kill('SIGKILL');
  }
});

test('liveness: a process of another user (EPERM) is alive', (t) => {
  if (!requireRoot(t, 'switching to another user is needed')) return;
  const result = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', `
    const { checkLiveness } = require('./lib/procinfo');
    let code = 'none';
    try { process.kill(${process.pid}, 0); } catch (error) { code = error.code; }
    console.log(code, checkLiveness(${process.pid}));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout.trim(), 'EPERM alive', result.stderr);
});

test('signal target: group, broadcast, init and self refused', () => {
  for (const pid of [-1, 0, 1, process.pid, 2.5, Number.NaN]) {
    assert.throws(() => assertSignalTarget(pid), RangeError, `pid ${pid}`);
    assert.throws(() => signalProcess(pid, 'SIGTERM'), /^RangeError: refusing to signal pid/, `pid ${pid}`);
  }
});

test('signal target: a gone process returns false', () => {
  assert.equal(signalProcess(exitedPid(), 'SIGTERM'), false);
});

test('signal target: a running process gets the signal', async () => {
  const child = spawn('sleep', ['30']);
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  assert.equal(signalProcess(child.pid!, 'SIGUSR1'), true);
  assert.equal(await exited, 'SIGUSR1');
});

test('children of this process are listed', async () => {
  const child = spawn('sleep', ['30']);
  try {
    assert.ok(listChildren().includes(child.pid!));
  } finally {
    child.kill('SIGKILL');
  }
});

test('orphaned zombies are reaped by a subreaper', () => {
  // In a child process, which makes itself a subreaper: sh leaves `sleep 0.2` behind as an orphan,
  // whose zombie then belongs to the child. A pid in the tracked set is left alone.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const { spawnSync } = require('node:child_process');
    const libc = require('./lib/libc');
    const { reapZombieChildren, readProcStat, listChildren } = require('./lib/procinfo');
    libc.setChildSubreaper();
    const orphan = Number(spawnSync('sh', ['-c', 'sleep 0.2 & echo $!'], { encoding: 'utf8' }).stdout.trim());
    setTimeout(() => {
      const before = readProcStat(orphan)?.state;
      const whileTracked = reapZombieChildren(new Set([orphan]));
      const reaped = reapZombieChildren(new Set());
      console.log(JSON.stringify({ orphan, before, whileTracked, reaped, children: listChildren() }));
    }, 1000);
  `], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  const report = JSON.parse(result.stdout) as { orphan: number; before: string; whileTracked: number[]; reaped: number[]; children: number[] };
  assert.equal(report.before, 'Z', 'the orphan became a zombie child');
  assert.deepEqual(report.whileTracked, [], 'a tracked child is left to Node');
  assert.deepEqual(report.reaped, [report.orphan]);
  assert.ok(!report.children.includes(report.orphan), 'no child left after reaping');
});

// Returns the pid of a process that has exited and been reaped.
function exitedPid(): number {
  const result = spawnSync('sh', ['-c', 'echo $$']);
  return Number(result.stdout.toString().trim());
}
