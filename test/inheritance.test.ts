import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { ignoredSignals, inheritedDescriptors } from '../lib/inheritance';
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
  // The caller ignores the first real-time signal, 34, which is passed on; Node's SIGPIPE (13) and
  // SIGXFSZ (25) are reset.
  const result = spawnSync('perl', ['-e', '$SIG{RTMIN} = "IGNORE"; exec { $ARGV[0] } @ARGV or die', process.execPath, '--import', 'tsx', '-e', `
    const fs = require('node:fs');
    const { prepareForExec } = require('./lib/inheritance');
    const sig = (name) => fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp('^' + name + ':\\\\s*(\\\\w+)', 'm'))[1];
    const before = sig('SigIgn');
    const restore = prepareForExec();
    const during = [sig('SigIgn'), sig('SigBlk')];
    restore();
    console.log(JSON.stringify({ before, during, after: sig('SigIgn') }));
  `], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.stderr, "");
  const { before, during, after } = JSON.parse(result.stdout) as { before: string; during: string[]; after: string };
  const bit = (signo: number) => 1n << BigInt(signo - 1);
  const standard = (1n << 31n) - 1n;
  assert.equal(BigInt(`0x${before}`) & (bit(13) | bit(25) | bit(34)), bit(13) | bit(25) | bit(34), `before: ${before}`);
  assert.equal(BigInt(`0x${during[0]}`), BigInt(`0x${before}`) & ~standard, `during: ${during[0]}`);
  assert.equal(during[1], '0000000000000000', 'no signal blocked');
  assert.equal(after, before);
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
