import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { bin, makeConfig, requireNamespaces, startInNamespace, tempDir } from './kit';

test('wingmate runs as PID 1 of its namespace', async (t) => {
  if (!requireNamespaces(t)) return;
  const config = makeConfig({ services: { 'a.sh': '#!/bin/sh\nexec sleep 1000\n' } });
  const run = startInNamespace(bin('wingmate'), { env: { WINGMATE_CONFIG_PATH: config } });
  try {
    const started = await run.waitForRecord((record) => record.message === 'wingmate starting');
    assert.equal(started.pid, 1);
    assert.equal(started.config, config);
    assert.ok(run.records.every((record) => record.raw === undefined), run.describe());
  } finally {
    run.kill();
  }
});

test('nothing to run exits 1 naming the directory', () => {
  const dir = tempDir();
  const [node, script] = bin('wingmate');
  const result = spawnSync(node, [script, '--config', dir], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  const records = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const last = records.at(-1)!;
  assert.equal(last.level, 'error');
  assert.equal(last.message, `nothing to run in ${dir}: no executable file in ${dir}/service and no valid job in ${dir}/crontab`);
});
