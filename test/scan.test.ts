import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { scanConfig } from '../lib/config/scan';
import { makeConfig, tempDir } from './kit';

test('executable regular files are services, in name order', () => {
  const dir = makeConfig({ services: { 'b.sh': '#!/bin/sh\n', 'a.sh': '#!/bin/sh\n' } });
  const scan = scanConfig(dir);
  assert.deepEqual(scan.services.map((service) => path.basename(service.path)), ['a.sh', 'b.sh']);
  assert.deepEqual(scan.services[0], { name: `${dir}/service/a.sh`, path: `${dir}/service/a.sh`, command: [`${dir}/service/a.sh`] });
  assert.equal(scan.crontab, null);
});

test('symlinks are followed, dot files and others skipped', () => {
  const dir = makeConfig({ services: { 'run.sh': '#!/bin/sh\n', '.hidden': '#!/bin/sh\n' } });
  const target = path.join(tempDir(), 'target.sh');
  fs.writeFileSync(target, '#!/bin/sh\n', { mode: 0o755 });
  fs.symlinkSync(target, path.join(dir, 'service', 'linked'));
  fs.symlinkSync('/nonexistent/file', path.join(dir, 'service', 'dangling'));
  fs.writeFileSync(path.join(dir, 'service', 'plain.txt'), 'text', { mode: 0o644 });
  fs.mkdirSync(path.join(dir, 'service', 'subdir'));
  fs.writeFileSync(path.join(dir, 'service', 'subdir', 'inner.sh'), '#!/bin/sh\n', { mode: 0o755 });

  const scan = scanConfig(dir);
  assert.deepEqual(scan.services.map((service) => path.basename(service.path)), ['linked', 'run.sh']);
  const reasons = Object.fromEntries(scan.skipped.map((entry) => [path.basename(entry.path), entry.reason]));
  assert.equal(reasons['.hidden'], 'a dot file');
  assert.match(reasons.dangling, /^cannot stat: ENOENT/);
  assert.match(reasons['plain.txt'], /^not executable/);
  assert.match(reasons.subdir, /^a directory/);
});

test('crontab is found without a service directory', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'crontab'), '* * * * * /bin/true\n');
  const scan = scanConfig(dir);
  assert.deepEqual(scan.services, []);
  assert.deepEqual(scan.skipped, []);
  assert.equal(scan.crontab, path.join(dir, 'crontab'));
});

test('missing directory gives an empty scan', () => {
  const scan = scanConfig('/nonexistent/wingmate');
  assert.deepEqual(scan.services, []);
  assert.equal(scan.crontab, null);
});
