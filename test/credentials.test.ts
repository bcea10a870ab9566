import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { compareCredentials } from '../lib/credentials';
import { ROOT } from './kit';

const TARGET = { uid: 1500, gid: 1500, groups: [1600, 1500], home: '/home/app' };

function status(uid: string, gid: string, groups: string): string {
  return `Name:\tsh\nUmask:\t0022\nUid:\t${uid}\nGid:\t${gid}\nFDSize:\t64\nGroups:\t${groups}\nNStgid:\t1\n`;
}

test('compareCredentials accepts an exact match', () => {
  assert.deepEqual(compareCredentials(status('1500\t1500\t1500\t1500', '1500\t1500\t1500\t1500', '1500 1600 '), TARGET), []);
});

test('compareCredentials reports a saved uid left at 0', () => {
  assert.deepEqual(compareCredentials(status('1500\t1500\t0\t1500', '1500\t1500\t1500\t1500', '1500 1600'), TARGET), [
    'Uid (real, effective, saved, filesystem) is "1500 1500 0 1500", expected 1500 for all four',
  ]);
});

test('compareCredentials reports a wrong gid', () => {
  assert.deepEqual(compareCredentials(status('1500\t1500\t1500\t1500', '0\t0\t0\t0', '1500 1600'), TARGET), [
    'Gid (real, effective, saved, filesystem) is "0 0 0 0", expected 1500 for all four',
  ]);
});

test('compareCredentials reports extra groups', () => {
  assert.deepEqual(compareCredentials(status('1500\t1500\t1500\t1500', '1500\t1500\t1500\t1500', '0 6 10 1500 1600'), TARGET), [
    'Groups is "0 6 10 1500 1600", expected "1500 1600"',
  ]);
});

test('compareCredentials accepts an empty group list', () => {
  const target = { uid: 4000, gid: 0, groups: [], home: '/' };
  assert.deepEqual(compareCredentials(status('4000\t4000\t4000\t4000', '0\t0\t0\t0', ''), target), []);
  assert.deepEqual(compareCredentials(status('4000\t4000\t4000\t4000', '0\t0\t0\t0', '0'), target), ['Groups is "0", expected ""']);
});

test('compareCredentials reports missing lines', () => {
  assert.deepEqual(compareCredentials('Name:\tsh\n', TARGET), [
    'Uid (real, effective, saved, filesystem) is "missing", expected 1500 for all four',
    'Gid (real, effective, saved, filesystem) is "missing", expected 1500 for all four',
    'Groups is "missing", expected "1500 1600"',
  ]);
});

test('startSession keeps an existing session leader', () => {
  // setsid(1) makes the shell a session leader before it execs node.
  const result = spawnSync('setsid', ['--wait', process.execPath, '--import', 'tsx', '-e', `
    const { startSession } = require('./lib/credentials');
    const { getsid } = require('./lib/libc');
    startSession();
    console.log(getsid(0) === process.pid);
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, 'true\n', result.stderr);
});

test('startSession fails closed for a group leader', () => {
  // With job control (set -m) bash starts each command as the leader of a new process group.
  const result = spawnSync('bash', ['-c', 'set -m; "$@"; true', 'bash', process.execPath, '--import', 'tsx', '-e', `
    const { startSession } = require('./lib/credentials');
    try { startSession(); console.log('no error'); } catch (error) { console.log(error.name + ': ' + error.message + ' / ' + error.cause.code); }
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.match(result.stdout, /^CredentialsError: cannot start a new session: wmexec \(pid \d+\) leads its process group, so setsid failed: EPERM \(Operation not permitted\); start wmexec from a process without job control, or drop --setsid \/ EPERM\n$/, result.stderr);
});

test('switchUser reports EPERM when not root', () => {
  // As root the check runs as uid 65534 (nobody); any other user already lacks the right to switch.
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'] : [];
  const argv = [...asNobody, process.execPath, '--import', 'tsx', '-e', `
    const { switchUser } = require('./lib/credentials');
    const before = [process.getuid(), process.getgid()].join(' ');
    try { switchUser({ uid: 1500, gid: 1500, groups: [1500], home: '/' }); console.log('no error'); } catch (error) { console.log(error.message); }
    console.log('unchanged', [process.getuid(), process.getgid()].join(' ') === before);
  `];
  const result = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8' });
  assert.equal(
    result.stdout,
    'cannot switch to uid 1500 gid 1500: setgroups failed: EPERM (Operation not permitted); only root can switch users\nunchanged true\n',
    result.stderr,
  );
});

test('switchUser reports a rejected group list', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('as non-root setgroups fails with EPERM before it checks the list');
    return;
  }
  // The kernel takes at most 65536 supplementary groups and rejects longer lists with EINVAL.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const { switchUser } = require('./lib/credentials');
    const groups = Array.from({ length: 65537 }, (_, index) => index + 1);
    try { switchUser({ uid: 0, gid: 0, groups, home: '/root' }); console.log('no error'); } catch (error) { console.log(error.message); }
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, 'cannot switch to uid 0 gid 0: setgroups failed: EINVAL (Invalid argument)\n', result.stderr);
});
