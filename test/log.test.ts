import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';

import { Logger, formatTime } from '../lib/log';
import { LogSink } from '../lib/logsink';
import { ROOT } from './kit';

function capture(): { sink: LogSink; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { sink: new LogSink(stream), text: () => chunks.join('') };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('formatTime gives RFC 3339 with the local offset', () => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    assert.equal(formatTime(Date.UTC(2026, 0, 5, 10, 0, 0)), '2026-01-05T10:00:00Z');
    process.env.TZ = 'Australia/Sydney';
    assert.equal(formatTime(Date.UTC(2026, 0, 5, 10, 0, 0)), '2026-01-05T21:00:00+11:00');
    process.env.TZ = 'America/St_Johns';
    assert.equal(formatTime(Date.UTC(2026, 0, 5, 10, 0, 0)), '2026-01-05T06:30:00-03:30');
  } finally {
    process.env.TZ = saved;
  }
});

test('records use zerolog field names and order', async () => {
  const { sink, text } = capture();
  const log = new Logger(sink, 'info', () => Date.UTC(2026, 0, 5, 10, 0, 0));
  const saved = process.env.TZ;
  process.env.TZ = 'UTC';
  log.info('service started', { pid: 42, service: '/etc/wingmate/service/a.sh', skip: undefined });
  log.childLine('service', '/s', 'line "quoted"', ',"stream":"stderr"');
  await tick();
  process.env.TZ = saved;
  assert.equal(text(), [
    '{"level":"info","time":"2026-01-05T10:00:00Z","service":"/etc/wingmate/service/a.sh","message":"service started","pid":42}',
    '{"level":"info","time":"2026-01-05T10:00:00Z","service":"/s","message":"line \\"quoted\\"","stream":"stderr"}',
    '',
  ].join('\n'));
});

test('level filters own records but never child lines', async () => {
  const { sink, text } = capture();
  const log = new Logger(sink, 'warn');
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  log.childLine('cron', '/bin/job', 'child output');
  await tick();
  const records = text().trim().split('\n').map((line) => JSON.parse(line) as { level: string; message: string });
  assert.deepEqual(records.map((record) => record.message), ['w', 'e', 'child output']);
  assert.equal(log.enabled('info'), false);
  assert.equal(log.enabled('error'), true);
});

test('records queued in one task are written at once', async () => {
  const writes: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, callback) { writes.push(String(chunk)); callback(); } });
  const log = new Logger(new LogSink(stream));
  for (let i = 0; i < 100; i++) log.info(`record ${i}`);
  await tick();
  assert.equal(writes.length, 1);
  assert.equal(writes[0].split('\n').length, 101);
});

test('sink pauses producers past the bound and resumes on drain', async () => {
  let release: (() => void) | undefined;
  const stream = new Writable({
    highWaterMark: 16,
    write(_chunk, _encoding, callback) { release = callback; },
  });
  const sink = new LogSink(stream, 1000);
  const events: string[] = [];
  sink.addFlowControl({ pause: () => events.push('pause'), resume: () => events.push('resume') });
  sink.write(`${'x'.repeat(600)}\n`);
  await tick();
  sink.write(`${'y'.repeat(600)}\n`);
  await tick();
  assert.deepEqual(events, ['pause']);
  assert.equal(sink.isCongested, true);
  while (stream.writableLength > 0) {
    release!();
    await tick();
  }
  assert.deepEqual(events, ['pause', 'resume']);
  assert.equal(sink.isCongested, false);
});

test('sink counts records dropped after stderr fails', async () => {
  const stream = new Writable({ write(_chunk, _encoding, callback) { callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
  const sink = new LogSink(stream);
  const events: string[] = [];
  sink.addFlowControl({ pause: () => events.push('pause'), resume: () => events.push('resume') });
  sink.write('a\n');
  await tick();
  await tick();
  assert.match(String(sink.error), /EPIPE/);
  sink.write('b\n');
  sink.write('c\n');
  await tick();
  assert.equal(sink.dropped, 2);
  await sink.flush();
});

test('logger survives a closed stderr pipe', async () => {
  // The reader of stderr goes away; later records must not crash the process.
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { createLogger } = require('./lib/log');
    const log = createLogger();
    let i = 0;
    const timer = setInterval(() => { log.info('record ' + i++); if (i === 50) { clearInterval(timer); setTimeout(() => { console.log('alive'); }, 50); } }, 2);
  `], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.destroy();
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.equal(stdout, 'alive\n');
});
