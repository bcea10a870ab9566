import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { test } from 'node:test';

import {
  DEFAULT_PATH,
  type ExecFailure,
  argumentBytes,
  candidatePaths,
  describeExecFailure,
  environmentBytes,
  execFirst,
  getVariable,
  setVariable,
  splitNul,
} from '../lib/exec';
import { LibcError } from '../lib/libc';

const b = (text: string) => Buffer.from(text);
const texts = (buffers: Buffer[]) => buffers.map((buffer) => buffer.toString('latin1'));

function libcError(code: keyof typeof constants.errno, text: string): LibcError {
  return new LibcError('execve', constants.errno[code], text);
}

test('splitNul keeps empty words and a last word without NUL', () => {
  assert.deepEqual(texts(splitNul(b('a\0\0b c\0'))), ['a', '', 'b c']);
  assert.deepEqual(texts(splitNul(b('a\0tail'))), ['a', 'tail']);
  assert.deepEqual(splitNul(Buffer.alloc(0)), []);
  assert.deepEqual(texts(splitNul(b('\0'))), ['']);
});

test('argumentBytes keeps invalid UTF-8 bytes', () => {
  const invalid = Buffer.from([0x61, 0xff, 0x62]);
  const cmdline = Buffer.concat([b('node\0--import\0tsx\0script.js\0-u\0app\0'), invalid, b('\0\0')]);
  const args = ['-u', 'app', invalid.toString('utf8'), ''];
  const bytes = argumentBytes(args, cmdline);
  assert.ok(bytes);
  assert.deepEqual(bytes.map((word) => word.toString('hex')), ['2d75', '617070', '61ff62', '']);
});

test('argumentBytes returns undefined on a changed cmdline', () => {
  assert.equal(argumentBytes(['-u', 'app'], b('node\0script.js\0-u\0other\0')), undefined);
  assert.equal(argumentBytes(['a', 'b', 'c'], b('x\0y\0')), undefined);
});

test('argumentBytes reads this process by default', () => {
  const args = process.argv.slice(2);
  assert.deepEqual(argumentBytes(args)?.map((word) => word.toString()), args);
});

test('environmentBytes reads this process by default', () => {
  const path = getVariable(environmentBytes(), 'PATH');
  assert.equal(path?.toString(), process.env.PATH);
});

test('getVariable returns the first exact match', () => {
  const environment = [b('PATHX=no'), b('NOEQUALS'), b('PATH=/a'), b('PATH=/b')];
  assert.equal(getVariable(environment, 'PATH')?.toString(), '/a');
  assert.equal(getVariable(environment, 'HOME'), undefined);
  assert.equal(getVariable([b('EMPTY=')], 'EMPTY')?.length, 0);
});

test('setVariable replaces in place or appends', () => {
  const environment = [b('A=1'), b('HOME=/root'), Buffer.from('B=\xff', 'latin1'), b('HOME=/second')];
  assert.deepEqual(texts(setVariable(environment, 'HOME', '/home/app')), ['A=1', 'HOME=/home/app', 'B=\xff', 'HOME=/second']);
  assert.deepEqual(texts(setVariable([b('A=1')], 'HOME', '/')), ['A=1', 'HOME=/']);
  assert.deepEqual(texts(environment), ['A=1', 'HOME=/root', 'B=\xff', 'HOME=/second'], 'the input is unchanged');
});

test('candidatePaths uses a command with a slash as is', () => {
  assert.deepEqual(texts(candidatePaths(b('./run'), b('/usr/bin'))), ['./run']);
  assert.deepEqual(texts(candidatePaths(b('/bin/sh'))), ['/bin/sh']);
  assert.deepEqual(texts(candidatePaths(b(''), b('/usr/bin'))), ['']);
});

test('candidatePaths searches each PATH directory', () => {
  assert.deepEqual(texts(candidatePaths(b('ls'), b('/a::/b/:'))), ['/a/ls', 'ls', '/b/ls', 'ls']);
  assert.deepEqual(texts(candidatePaths(b('ls'), b(''))), ['ls']);
  assert.deepEqual(texts(candidatePaths(b('ls'))), DEFAULT_PATH.split(':').map((directory) => `${directory}/ls`));
  assert.deepEqual(candidatePaths(b('ls'), Buffer.from([0x2f, 0xff])).map((path) => path.toString('hex')), ['2fff2f6c73']);
});

test('execFirst stops at the first success', () => {
  const tried: string[] = [];
  assert.throws(() =>
    execFirst([b('/a/x'), b('/b/x'), b('/c/x')], (path) => {
      tried.push(path.toString());
      if (path.toString() === '/b/x') {
        throw new Error('replaced');
      }
      throw libcError('ENOENT', 'No such file or directory');
    }),
  { message: 'replaced' });
  assert.deepEqual(tried, ['/a/x', '/b/x']);
});

function runSearch(results: Record<string, LibcError>): { failure: ExecFailure; tried: string[] } {
  const tried: string[] = [];
  const failure = execFirst(Object.keys(results).map(b), (path) => {
    tried.push(path.toString());
    throw results[path.toString()];
  });
  return { failure, tried };
}

test('execFirst reports not found as 127', () => {
  const { failure, tried } = runSearch({
    '/a/x': libcError('ENOENT', 'No such file or directory'),
    '/b/x': libcError('ENOTDIR', 'Not a directory'),
  });
  assert.deepEqual(tried, ['/a/x', '/b/x']);
  assert.equal(failure.exitCode, 127);
  assert.equal(failure.path.toString(), '/b/x');
  assert.equal(failure.error.code, 'ENOTDIR');
});

test('execFirst remembers EACCES while searching', () => {
  const { failure, tried } = runSearch({
    '/a/x': libcError('EACCES', 'Permission denied'),
    '/b/x': libcError('ENOENT', 'No such file or directory'),
  });
  assert.deepEqual(tried, ['/a/x', '/b/x']);
  assert.equal(failure.exitCode, 126);
  assert.equal(failure.path.toString(), '/a/x');
});

test('execFirst stops at ENOEXEC with 126', () => {
  const { failure, tried } = runSearch({
    '/a/x': libcError('ENOEXEC', 'Exec format error'),
    '/b/x': libcError('ENOENT', 'No such file or directory'),
  });
  assert.deepEqual(tried, ['/a/x']);
  assert.equal(failure.exitCode, 126);
  assert.equal(failure.error.code, 'ENOEXEC');
});

test('execFirst maps ELOOP to 127 and E2BIG to 126', () => {
  assert.equal(runSearch({ '/a/x': libcError('ELOOP', 'Too many levels of symbolic links') }).failure.exitCode, 127);
  assert.equal(runSearch({ '/a/x': libcError('E2BIG', 'Argument list too long') }).failure.exitCode, 126);
});

test('execFirst rethrows other errors', () => {
  assert.throws(() => execFirst([b('/x')], () => { throw new TypeError('bad'); }), TypeError);
});

test('describeExecFailure names the command and errno', () => {
  const notFound = { path: b('/bin/x'), error: libcError('ENOENT', 'No such file or directory'), exitCode: 127 };
  assert.equal(describeExecFailure(b('x'), notFound), 'command "x" not found in PATH: execve failed: ENOENT (No such file or directory)');

  const direct = { path: b('./x'), error: libcError('ENOEXEC', 'Exec format error'), exitCode: 126 };
  assert.equal(describeExecFailure(b('./x'), direct), 'cannot execute "./x": execve failed: ENOEXEC (Exec format error); a script needs a first line such as #!/bin/sh');

  const denied = { path: b('/usr/bin/x'), error: libcError('EACCES', 'Permission denied'), exitCode: 126 };
  assert.match(describeExecFailure(b('x'), denied), /^cannot execute "x" found as \/usr\/bin\/x: execve failed: EACCES \(Permission denied\); the file needs execute permission/);
});
