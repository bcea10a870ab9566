import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LineSplitter, MAX_RECORD_BYTES, decodeUtf8, safeCut, sequenceLength } from '../lib/init/lines';

interface Record {
  line: string;
  continued: boolean;
}

// Feeds `chunks` through a splitter and returns every record it emitted, after end().
function split(chunks: Array<Buffer | string>, maxBytes = MAX_RECORD_BYTES): Record[] {
  const records: Record[] = [];
  const splitter = new LineSplitter((line, continued) => records.push({ line, continued }), maxBytes);
  for (const chunk of chunks) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  splitter.end();
  return records;
}

function lines(records: Record[]): string[] {
  return records.map((record) => record.line);
}

// Cuts `bytes` into chunks at the given offsets.
function cutAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  return chunks;
}

test('lines split at newlines', () => {
  assert.deepEqual(split(['one\ntwo\nthree\n']), [
    { line: 'one', continued: false },
    { line: 'two', continued: false },
    { line: 'three', continued: false },
  ]);
});

test('empty lines are records', () => {
  assert.deepEqual(lines(split(['\n\na\n\n'])), ['', '', 'a', '']);
});

test('last line without newline is flushed at end', () => {
  assert.deepEqual(lines(split(['first\nlast'])), ['first', 'last']);
});

test('nothing is emitted for an empty stream', () => {
  assert.deepEqual(split([]), []);
  assert.deepEqual(split(['']), []);
});

test('line split across chunks is joined', () => {
  assert.deepEqual(lines(split(['hel', 'lo wo', 'rld\nnext', '\n'])), ['hello world', 'next']);
});

test('trailing carriage return is dropped', () => {
  assert.deepEqual(lines(split(['dos\r\nunix\nmid\rdle\n\r\n'])), ['dos', 'unix', 'mid\rdle', '']);
});

test('carriage return split from its newline is dropped', () => {
  assert.deepEqual(lines(split(['dos\r', '\nnext\r'])), ['dos', 'next']);
});

test('invalid bytes become one U+FFFD each', () => {
  const input = Buffer.concat([Buffer.from('before-'), Buffer.from([0xff, 0xfe]), Buffer.from('-after\nnext\n')]);
  assert.deepEqual(lines(split([input])), ['before-\uFFFD\uFFFD-after', 'next']);
});

test('truncated sequence gives one U+FFFD per byte', () => {
  // E2 82 is the start of a three-byte character cut short by "a".
  assert.equal(decodeUtf8(Buffer.from([0xe2, 0x82, 0x61]), 0, 3), '\uFFFD\uFFFDa');
  // A surrogate (ED A0 80) and an overlong slash (C0 AF) are invalid byte by byte.
  assert.equal(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), 0, 5), '\uFFFD'.repeat(5));
  // F4 90 80 80 would be past U+10FFFF.
  assert.equal(decodeUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0, 4), '\uFFFD'.repeat(4));
});

test('valid U+FFFD in the input is kept', () => {
  assert.equal(decodeUtf8(Buffer.from('a\uFFFDb'), 0, 5), 'a\uFFFDb');
});

test('character split across reads is decoded whole', () => {
  const input = Buffer.from('é€😀\n');
  for (let offset = 1; offset < input.length; offset++) {
    assert.deepEqual(lines(split(cutAt(input, [offset]))), ['é€😀'], `cut at byte ${offset}`);
  }
});

test('line of exactly the limit is one record', () => {
  const line = 'x'.repeat(MAX_RECORD_BYTES);
  assert.deepEqual(split([`${line}\n`]), [{ line, continued: false }]);
  assert.deepEqual(split([`${line}\r\n`]), [{ line, continued: false }]);
});

test('line one byte over the limit is two records', () => {
  const line = 'x'.repeat(MAX_RECORD_BYTES + 1);
  assert.deepEqual(split([`${line}\n`]), [
    { line: 'x'.repeat(MAX_RECORD_BYTES), continued: false },
    { line: 'x', continued: true },
  ]);
});

test('long line becomes continuation records', () => {
  const line = 'y'.repeat(1024 * 1024);
  const records = split(cutAt(Buffer.from(`${line}\nafter\n`), [65536, 70000, 200000, 1048576]));
  assert.equal(records.length, 17);
  assert.equal(records.slice(0, 16).map((record) => record.line).join(''), line);
  assert.deepEqual(records.map((record) => record.continued), [false, ...Array(15).fill(true), false]);
  assert.ok(records.slice(0, 16).every((record) => record.line.length === MAX_RECORD_BYTES));
  assert.deepEqual(records[16], { line: 'after', continued: false });
});

test('long line without newline is flushed at end', () => {
  const line = 'z'.repeat(3 * MAX_RECORD_BYTES + 10);
  const records = split([line]);
  assert.equal(records.length, 4);
  assert.equal(lines(records).join(''), line);
});

test('pending long line is emitted before its newline', () => {
  const records: Record[] = [];
  const splitter = new LineSplitter((line, continued) => records.push({ line, continued }));
  splitter.push(Buffer.alloc(2 * MAX_RECORD_BYTES + 100, 'q'));
  assert.equal(records.length, 2);
  assert.ok(records.every((record) => record.line.length === MAX_RECORD_BYTES));
});

test('character on the limit moves to the next record', () => {
  // "é" is two bytes; the first lands on the last byte of the first record.
  const line = `${'x'.repeat(MAX_RECORD_BYTES - 1)}é${'y'.repeat(10)}`;
  const expected = [
    { line: 'x'.repeat(MAX_RECORD_BYTES - 1), continued: false },
    { line: `é${'y'.repeat(10)}`, continued: true },
  ];
  assert.deepEqual(split([`${line}\n`]), expected);
  assert.deepEqual(split([line]), expected);
  const bytes = Buffer.from(`${line}\n`);
  for (const offset of [MAX_RECORD_BYTES - 1, MAX_RECORD_BYTES, MAX_RECORD_BYTES + 1, MAX_RECORD_BYTES + 3]) {
    assert.deepEqual(split(cutAt(bytes, [offset])), expected, `chunk boundary at byte ${offset}`);
  }
});

test('four-byte character on the limit moves whole', () => {
  for (let before = 1; before <= 3; before++) {
    const line = `${'x'.repeat(MAX_RECORD_BYTES - before)}😀tail`;
    const records = split([`${line}\n`]);
    assert.equal(records.length, 2);
    assert.equal(records[0].line, 'x'.repeat(MAX_RECORD_BYTES - before));
    assert.equal(records[1].line, '😀tail');
  }
});

test('invalid bytes at the limit are cut at the limit', () => {
  const bytes = Buffer.concat([Buffer.alloc(MAX_RECORD_BYTES - 1, 'x'), Buffer.from([0xe2, 0x82, 0x0a])]);
  const records = split([bytes]);
  assert.deepEqual(records.map((record) => record.line.length), [MAX_RECORD_BYTES, 1]);
  assert.equal(records[0].line.endsWith('\uFFFD'), true);
  assert.equal(records[1].line, '\uFFFD');
});

test('records do not depend on how the input is chunked', () => {
  // A mix of long and short lines, multi-byte characters and invalid bytes, fed in pseudo-random chunks.
  const parts: Buffer[] = [];
  for (let index = 0; index < 40; index++) {
    const length = (index * 7919) % (3 * 1024);
    parts.push(Buffer.from(`${'é'.repeat(length)}${index}`), Buffer.from([0xff]), Buffer.from(index % 5 === 0 ? '\r\n' : '\n'));
  }
  const input = Buffer.concat(parts);
  const expected = split([input], 1000);
  let seed = 12345;
  for (let round = 0; round < 20; round++) {
    const offsets: number[] = [];
    for (let offset = 0; offset < input.length; ) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      offset += 1 + (seed % 3000);
      if (offset < input.length) {
        offsets.push(offset);
      }
    }
    assert.deepEqual(split(cutAt(input, offsets), 1000), expected, `round ${round}`);
  }
});

test('sequenceLength accepts exactly the valid forms', () => {
  const cases: Array<[number[], number]> = [
    [[0x41], 1],
    [[0xc3, 0xa9], 2],
    [[0xc1, 0xbf], 0],
    [[0xe0, 0xa0, 0x80], 3],
    [[0xe0, 0x9f, 0xbf], 0],
    [[0xed, 0x9f, 0xbf], 3],
    [[0xed, 0xa0, 0x80], 0],
    [[0xf0, 0x90, 0x80, 0x80], 4],
    [[0xf0, 0x8f, 0xbf, 0xbf], 0],
    [[0xf4, 0x8f, 0xbf, 0xbf], 4],
    [[0xf5, 0x80, 0x80, 0x80], 0],
    [[0x80], 0],
    [[0xe2, 0x82], 0],
  ];
  for (const [bytes, length] of cases) {
    assert.equal(sequenceLength(Buffer.from(bytes), 0, bytes.length), length, Buffer.from(bytes).toString('hex'));
  }
});

test('safeCut never cuts inside a character', () => {
  const bytes = Buffer.from('ab€cd');
  // "€" occupies bytes 2 to 4.
  assert.equal(safeCut(bytes, 0, 2, bytes.length), 2);
  assert.equal(safeCut(bytes, 0, 3, bytes.length), 2);
  assert.equal(safeCut(bytes, 0, 4, bytes.length), 2);
  assert.equal(safeCut(bytes, 0, 5, bytes.length), 5);
});
