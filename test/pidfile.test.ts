import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { type PidFileContent, parsePidFile, readPidFile } from '../lib/pidfile';
import { tempDir } from './kit';

const FILE = '/run/d.pid';

const ACCEPTED: Array<[label: string, text: string, pid: number]> = [
  ['trailing newline', '4242\n', 4242],
  ['no newline', '4242', 4242],
  ['spaces around', '  4242 \n', 4242],
  ['tabs around', '\t4242\t\n', 4242],
  ['CRLF', '4242\r\n', 4242],
  ['blank lines before', '\n\n4242\n', 4242],
  ['more lines after the pid', '4242\n/var/lib/postgresql/data\n5432\n', 4242],
  ['leading zeros', '007\n', 7],
  ['pid 2', '2\n', 2],
  ['largest pid_max', '4194304\n', 4194304],
];

for (const [label, text, pid] of ACCEPTED) {
  test(`pid file accepted: ${label}`, () => {
    assert.deepEqual(parsePidFile(text, FILE), { kind: 'pid', pid });
  });
}

const EMPTY: Array<[label: string, text: string]> = [
  ['empty', ''],
  ['only a newline', '\n'],
  ['only white space', ' \t\r\n  '],
];

for (const [label, text] of EMPTY) {
  test(`pid file not written yet: ${label}`, () => {
    assert.deepEqual(parsePidFile(text, FILE), { kind: 'empty' });
  });
}

const REJECTED: Array<[label: string, text: string, shown: string]> = [
  ['zero', '0\n', '"0"'],
  ['minus one', '-1\n', '"-1"'],
  ['one (init)', '1\n', '"1"'],
  ['garbage after digits', '12x\n', '"12x"'],
  ['two numbers on a line', '12 34\n', '"12 34"'],
  ['plus sign', '+12\n', '"+12"'],
  ['decimal point', '12.0\n', '"12.0"'],
  ['hexadecimal', '0x1f\n', '"0x1f"'],
  ['too many digits', '123456789\n', '"123456789"'],
  ['word', 'nginx\n', '"nginx"'],
  ['non-breaking space', '\u00a012\n', '"\u00a012"'],
];

for (const [label, text, shown] of REJECTED) {
  test(`pid file rejected: ${label}`, () => {
    const result = parsePidFile(text, FILE);
    assert.equal(result.kind, 'invalid');
    const message = (result as Extract<PidFileContent, { kind: 'invalid' }>).message;
    assert.ok(message.includes(FILE), message);
    assert.ok(message.includes(shown), message);
    assert.match(message, /integer greater than 1/);
  });
}

test('pid file message shortens long content', () => {
  const result = parsePidFile('x'.repeat(500), FILE);
  assert.equal(result.kind, 'invalid');
  const message = (result as Extract<PidFileContent, { kind: 'invalid' }>).message;
  assert.ok(message.length < 200, message);
  assert.ok(message.includes(`"${'x'.repeat(40)}..."`), message);
});

test('readPidFile reports a missing file', () => {
  assert.deepEqual(readPidFile(path.join(tempDir(), 'none.pid')), { kind: 'missing' });
});

test('readPidFile parses an existing file', () => {
  const file = path.join(tempDir(), 'd.pid');
  fs.writeFileSync(file, ' 31 \r\n');
  assert.deepEqual(readPidFile(file), { kind: 'pid', pid: 31 });
});

test('readPidFile treats a directory as invalid', () => {
  const dir = tempDir();
  const result = readPidFile(dir);
  assert.equal(result.kind, 'invalid');
  assert.match((result as Extract<PidFileContent, { kind: 'invalid' }>).message, new RegExp(`^cannot read pid file ${dir}: EISDIR$`));
});
