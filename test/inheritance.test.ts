import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { test } from 'node:test';

import { ignoredSignals, inheritedDescriptors, resetSignals } from '../lib/inheritance';
import { LibcError } from '../lib/libc';
import { ROOT } from './kit';

test('inheritedDescriptors leaves out Node descriptors', () => {
  const descriptors = [
    { fd: 3, target: '/etc/hostname', accessMode: 0 },
    { fd: 4, target: 'anon_inode:[eventpoll]', accessMode: 2 },
    { fd: 5, target: 'socket:[100]', accessMode: 2 },
    { fd: 6, target: 'pipe:[200]', accessMode: 0 },
    { fd: 7, target: 'pipe:[200]', accessMode: 1 },
    { fd: 8, target: 'pipe:[300]', accessMode: 1 },
    { fd: 9, target: 'pipe:[300]', accessMode: 1 },
    { fd: 10, target: 'anon_inode:[io_uring]', accessMode: 2 },
    { fd: 251, target: 'pipe:[400]', accessMode: 0 },
  ];
  assert.deepEqual(inheritedDescriptors(descriptors), [3, 5, 8, 9, 251]);
});

test('ignoredSignals decodes SigIgn', () => {
  assert.deepEqual(ignoredSignals('SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\n'), [13, 25]);
  assert.deepEqual(ignoredSignals('SigIgn:\t8000000200000001\n'), [1, 34, 64]);
  assert.deepEqual(ignoredSignals('Name:\tnode\n'), []);
});

test('prepareForExec resets and restores ignored signals', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const fs = require('node:fs');
    const { prepareForExec } = require('./lib/inheritance');
    const sig = (name) => fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp('^' + name + ':\\\\s*(\\\\w+)', 'm'))[1];
    const before = sig('SigIgn');
    const restore = prepareForExec();
    const during = sig('SigIgn') + ' ' + sig('SigBlk');
    restore();
    console.log(before, during, sig('SigIgn'));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, '0000000001001000 0000000000000000 0000000000000000 0000000001001000\n', result.stderr);
});

test('prepareForExec keeps inherited descriptors open', () => {
  // Node marks the caller's fd 3 close-on-exec at start-up. After prepareForExec the exec'd shell
  // has the calling shell's descriptors plus fd 3, and none of Node's own. The built module runs
  // without tsx, because tsx's compiler process adds pipes that a real wmexec never has.
  const list = 'ls /proc/$$/fd; echo end';
  const result = spawnSync('sh', ['-c', `${list}; exec "$@" 3</etc/hostname`, 'sh', process.execPath, '-e', `
    const { prepareForExec } = require('./dist/lib/inheritance');
    const { execve } = require('./dist/lib/libc');
    prepareForExec();
    execve(Buffer.from('/bin/sh'), ['sh', '-c', '${list}; cat <&3'].map((word) => Buffer.from(word)), []);
  `], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [caller, program, hostname] = result.stdout.split('end\n').map((part) => part.trim().split('\n'));
  const expected = [...caller, '3'].map(Number).sort((a, b) => a - b);
  assert.deepEqual(program.map(Number).sort((a, b) => a - b), expected, result.stderr);
  assert.equal(`${hostname.join('\n')}\n`, readFileSync('/etc/hostname', 'utf8'));
});

test('resetSignals skips signals libc reserves', () => {
  const reset = (signo: number) => {
    if (signo === 32) {
      throw new LibcError('signal(32, SIG_DFL)', constants.errno.EINVAL, 'Invalid argument');
    }
  };
  assert.deepEqual(resetSignals([13, 25, 32, 34], reset), [13, 25, 34]);
});

test('resetSignals rethrows other failures', () => {
  const reset = () => {
    throw new LibcError('signal(13, SIG_DFL)', constants.errno.EFAULT, 'Bad address');
  };
  assert.throws(() => resetSignals([13], reset), /signal\(13, SIG_DFL\) failed: EFAULT/);
});
