import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

import { isWingmateStopping } from '../lib/stopmark';
import { ROOT, waitUntil } from './kit';

test('stop mark is seen through WINGMATE_PID', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    process.stdin.once('data', () => { require('./lib/stopmark').markStopping(); console.log('marked'); });
  `], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const env = { WINGMATE_PID: String(child.pid) };
    await waitUntil(() => child.stdout !== null, 1000, 'the child');
    assert.equal(isWingmateStopping(env), false);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stdin!.write('go\n');
    await waitUntil(() => output.includes('marked'), 10_000, 'the mark');
    assert.equal(isWingmateStopping(env), true);
  } finally {
    child.kill('SIGKILL');
  }
});

test('stop mark is false without a valid WINGMATE_PID', () => {
  assert.equal(isWingmateStopping({}), false);
  assert.equal(isWingmateStopping({ WINGMATE_PID: 'x' }), false);
  assert.equal(isWingmateStopping({ WINGMATE_PID: '0' }), false);
  assert.equal(isWingmateStopping({ WINGMATE_PID: '999999999' }), false);
});
