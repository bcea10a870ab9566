import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';

import { LogSink } from '../lib/logsink';

// A stream that keeps every chunk written to it; `hold` keeps its write callbacks pending.
function collector(hold = false) {
  const chunks: Buffer[] = [];
  const callbacks: Array<(error?: Error | null) => void> = [];
  // The default highWaterMark is 16 KiB on Node 20 and 64 KiB from Node 22 on; the tests assume 16 KiB.
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      if (hold) {
        callbacks.push(callback);
      } else {
        callback();
      }
    },
  });
  return { stream, chunks, callbacks, text: () => Buffer.concat(chunks).toString() };
}

test('records of one task become one write', async () => {
  const { stream, chunks, text } = collector();
  const sink = new LogSink(stream);
  sink.write('one\n');
  sink.write('two\n');
  await sink.flush();
  assert.equal(chunks.length, 1);
  assert.equal(text(), 'one\ntwo\n');
});

test('records larger than a slab are written whole', async () => {
  const { stream, text } = collector();
  const sink = new LogSink(stream);
  const big = `${'é'.repeat(100_000)}\n`;
  const records = ['a\n', big, 'b\n', big, `${'x'.repeat(70_000)}\n`];
  for (const record of records) {
    sink.write(record);
  }
  await sink.flush();
  assert.equal(text(), records.join(''));
});

test('bytes already handed out are never overwritten', async () => {
  // The stream completes each write only later, as a pipe to a slow reader does.
  const { stream, chunks, callbacks } = collector(true);
  const sink = new LogSink(stream);
  const expected: string[] = [];
  for (let round = 0; round < 50; round++) {
    const record = `${String(round).repeat(3000)}\n`;
    expected.push(record);
    sink.write(record);
    await Promise.resolve();
  }
  while (callbacks.length > 0) {
    callbacks.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(chunks.map((chunk) => chunk.toString()).join(''), expected.join(''));
});

test('congestion pauses producers until drain', async () => {
  const { stream, callbacks } = collector(true);
  const sink = new LogSink(stream, 1000);
  const events: string[] = [];
  sink.addFlowControl({ pause: () => events.push('pause'), resume: () => events.push('resume') });
  sink.write(`${'x'.repeat(20_000)}\n`);
  await Promise.resolve();
  assert.equal(sink.isCongested, true);
  assert.deepEqual(events, ['pause']);

  const late: string[] = [];
  sink.addFlowControl({ pause: () => late.push('pause'), resume: () => late.push('resume') });
  assert.deepEqual(late, ['pause']);

  callbacks.splice(0).forEach((callback) => callback());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.isCongested, false);
  assert.deepEqual(events, ['pause', 'resume']);
  assert.deepEqual(late, ['pause', 'resume']);
});

test('congestion ends on drain below the stream limit', async () => {
  // A sink limit under the stream's own highWaterMark would wait for a 'drain' that never comes.
  const { stream, callbacks } = collector(true);
  const sink = new LogSink(stream, 10);
  sink.write(`${'x'.repeat(100)}\n`);
  await Promise.resolve();
  assert.equal(sink.isCongested, false);
  callbacks.splice(0).forEach((callback) => callback());
});

test('failed stream drops and counts records', async () => {
  const { stream } = collector(true);
  const sink = new LogSink(stream, 1000);
  const events: string[] = [];
  sink.addFlowControl({ pause: () => events.push('pause'), resume: () => events.push('resume') });
  sink.write(`${'x'.repeat(20_000)}\n`);
  await Promise.resolve();
  assert.deepEqual(events, ['pause']);

  stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.error?.message, 'write EPIPE');
  assert.deepEqual(events, ['pause', 'resume'], 'producers are resumed so that children never block');

  sink.write('lost\n');
  sink.write('lost too\n');
  await sink.flush();
  assert.equal(sink.dropped, 2);
});
