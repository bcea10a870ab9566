import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'node:test';

import * as libc from '../lib/libc';
import { ROOT, tempDir } from './kit';

test('pipe2 returns two open ends that close on exec', () => {
  const [readEnd, writeEnd] = libc.pipe2();
  try {
    assert.ok(readEnd > 2);
    assert.ok(writeEnd > 2);
    assert.equal(libc.fcntl(readEnd, libc.F_GETFD) & libc.FD_CLOEXEC, libc.FD_CLOEXEC);
    assert.equal(libc.fcntl(writeEnd, libc.F_GETFD) & libc.FD_CLOEXEC, libc.FD_CLOEXEC);
    fs.writeSync(writeEnd, 'ping');
    const buffer = Buffer.alloc(4);
    assert.equal(fs.readSync(readEnd, buffer), 4);
    assert.equal(buffer.toString(), 'ping');
  } finally {
    fs.closeSync(readEnd);
    fs.closeSync(writeEnd);
  }
});

test('pipe2 without O_CLOEXEC leaves both ends inherited', () => {
  const [readEnd, writeEnd] = libc.pipe2(0);
  assert.equal(libc.fcntl(readEnd, libc.F_GETFD) & libc.FD_CLOEXEC, 0);
  fs.closeSync(readEnd);
  fs.closeSync(writeEnd);
});

test('failed call names the call and the errno', () => {
  assert.throws(() => libc.fcntl(987654, libc.F_GETFD), (error: unknown) => {
    assert.ok(error instanceof libc.LibcError);
    assert.equal(error.message, 'fcntl failed: EBADF (Bad file descriptor)');
    assert.equal(error.code, 'EBADF');
    assert.equal(error.syscall, 'fcntl');
    return true;
  });
});

test('pipe2 reports EMFILE when no descriptor is left', () => {
  // The child loads libc first, then uses up its descriptors under a low limit.
  const result = spawnSync('sh', ['-c', 'ulimit -n 256; exec "$@"', 'sh', process.execPath, '--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const fs = require('node:fs');
    const held = [];
    try { for (;;) held.push(fs.openSync('/dev/null', 'r')); } catch {}
    try { libc.pipe2(); console.log('no error'); } catch (error) { console.log(error.message); }
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.match(result.stdout, /^pipe2 failed: EMFILE \(Too many open files\)$/m, result.stderr);
});

test('prepareFdForExec clears FD_CLOEXEC and O_NONBLOCK', () => {
  const [readEnd, writeEnd] = libc.pipe2(libc.O_CLOEXEC | fs.constants.O_NONBLOCK);
  try {
    libc.prepareFdForExec(readEnd);
    assert.equal(libc.fcntl(readEnd, libc.F_GETFD) & libc.FD_CLOEXEC, 0);
    assert.equal(libc.fcntl(readEnd, libc.F_GETFL) & fs.constants.O_NONBLOCK, 0);
    assert.equal(libc.fcntl(writeEnd, libc.F_GETFL) & fs.constants.O_NONBLOCK, fs.constants.O_NONBLOCK);
  } finally {
    fs.closeSync(readEnd);
    fs.closeSync(writeEnd);
  }
});

test('waitpid reaps a child that libuv does not know', async () => {
  // A shell forks a grandchild and exits. The grandchild lives long enough to be reparented to this
  // subreaper process, which must then reap it.
  const subreaper = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const { execFileSync } = require('node:child_process');
    libc.setChildSubreaper();
    console.log('subreaper', libc.isChildSubreaper());
    const pid = Number(execFileSync('sh', ['-c', 'sh -c "sleep 0.3; exit 7" & echo $!']).toString());
    let status = null;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      status = libc.waitpid(pid);
      if (status) break;
    }
    console.log(JSON.stringify(status && { same: status.pid === pid, exitCode: status.exitCode, signal: status.signal }));
    try { libc.waitpid(pid); } catch (error) { console.log(error.code); }
  `], { cwd: ROOT, encoding: 'utf8' });
  const lines = subreaper.stdout.trim().split('\n');
  assert.equal(lines[0], 'subreaper true', subreaper.stderr);
  assert.deepEqual(JSON.parse(lines[1]), { same: true, exitCode: 7, signal: null });
  assert.equal(lines[2], 'ECHILD');
});

test('reapIfExited reaps only an exited child', async () => {
  const child = spawn('sleep', ['5']);
  assert.equal(libc.reapIfExited(child.pid!), false);
  assert.equal(libc.reapIfExited(process.pid), false, 'not a child');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));

  // A grandchild adopted as subreaper, which libuv does not know.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const { execFileSync } = require('node:child_process');
    libc.setChildSubreaper();
    const pid = Number(execFileSync('sh', ['-c', 'sh -c "sleep 0.5" >/dev/null 2>&1 & echo $!']).toString());
    console.log(libc.reapIfExited(pid));
    const deadline = Date.now() + 5000;
    let reaped = false;
    while (!reaped && Date.now() < deadline) reaped = libc.reapIfExited(pid);
    console.log(reaped, require('node:fs').existsSync('/proc/' + pid));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, 'false\ntrue false\n', result.stderr);
});

test('waitpid returns null while the child runs', async () => {
  const child = spawn('sleep', ['5']);
  try {
    assert.equal(libc.waitpid(child.pid!), null);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((resolve) => child.on('exit', resolve));
});

test('decodeWaitStatus splits exit codes and signals', () => {
  assert.deepEqual(libc.decodeWaitStatus(3 << 8), { exitCode: 3, signal: null });
  assert.deepEqual(libc.decodeWaitStatus(9), { exitCode: null, signal: 9 });
  assert.deepEqual(libc.decodeWaitStatus(15 | 0x80), { exitCode: null, signal: 15 });
});

test('setsid fails with EPERM for a process-group leader', () => {
  // The test runner's child is started as a group leader by spawn({ detached: true }).
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    try { libc.setsid(); console.log('no error'); } catch (error) { console.log(error.message); }
  `], { cwd: ROOT, encoding: 'utf8', detached: true } as never);
  assert.match(result.stdout, /^setsid failed: EPERM \(Operation not permitted\)/);
});

test('setsid makes a new session with the caller as leader', () => {
  const result = spawnSync('sh', ['-c', `exec "$@"`, 'sh', process.execPath, '--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const sid = libc.setsid();
    const stat = require('node:fs').readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    console.log(sid === process.pid, fields[3] === String(process.pid));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout.trim(), 'true true', result.stderr);
});

test('signal reset and empty mask reach an exec-ed program', () => {
  // Node ignores SIGPIPE and SIGXFSZ; after the reset the exec-ed shell must see only what the
  // caller ignored. The baseline comes from a shell that libuv started, which resets signals
  // 1 to 31, so a caller's ignored real-time signal shows in both.
  const baseline = spawnSync('sh', ['-c', 'grep -E "^Sig(Ign|Blk)" /proc/self/status'], { encoding: 'utf8' });
  assert.match(baseline.stdout, /^SigBlk:\t0{16}\nSigIgn:\t[0-9a-f]{16}\n$/);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    for (const fd of [0, 1, 2]) libc.prepareFdForExec(fd);
    libc.resetSignal(13);
    libc.resetSignal(25);
    libc.clearSignalMask();
    libc.execve(Buffer.from('/bin/sh'), [Buffer.from('sh'), Buffer.from('-c'), Buffer.from('grep -E "^Sig(Ign|Blk)" /proc/self/status')], []);
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, baseline.stdout, result.stderr);
});

test('execve passes arguments byte for byte', () => {
  const dir = tempDir();
  const out = `${dir}/args`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    libc.execve(Buffer.from('/bin/sh'), [Buffer.from('sh'), Buffer.from('-c'), Buffer.from('printf "%s|" "$@" > ${out}'), Buffer.from('sh'),
      Buffer.from([0x61, 0xff, 0x62]), Buffer.from(''), Buffer.from('two words'), Buffer.from('é')], [Buffer.from('A=1')]);
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(fs.readFileSync(out), Buffer.concat([Buffer.from([0x61, 0xff, 0x62]), Buffer.from('||two words|é|')]));
});

test('execve failure throws with the errno', () => {
  assert.throws(() => libc.execve(Buffer.from('/nonexistent/program'), [Buffer.from('x')], []), /^LibcError: execve failed: ENOENT \(No such file or directory\)$/);
});

test('getsid returns the session id of /proc/self/stat', () => {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  assert.equal(libc.getsid(), session);
  assert.equal(libc.getsid(process.pid), session);
  assert.throws(() => libc.getsid(2 ** 30), /^LibcError: getsid failed: ESRCH \(No such process\)$/);
});

test('ignoreSignal sets SIG_IGN and resetSignal undoes it', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const libc = require('./lib/libc');
    const ignored = () => require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/^SigIgn:\\s*(\\w+)/m)[1];
    const before = ignored();
    libc.ignoreSignal(12);
    const after = ignored();
    libc.resetSignal(12);
    console.log(before, after, ignored());
    try { libc.ignoreSignal(9); } catch (error) { console.log(error.message); }
  `], { cwd: ROOT, encoding: 'utf8' });
  const [masks, failure] = result.stdout.split('\n');
  const [before, after, reset] = masks.split(' ').map((mask) => BigInt(`0x${mask}`));
  const sigusr2 = 1n << 11n;
  assert.equal(before & sigusr2, 0n, result.stderr);
  assert.equal(after, before | sigusr2);
  assert.equal(reset, before);
  assert.equal(failure, 'signal(9, SIG_IGN) failed: EINVAL (Invalid argument)');
});
