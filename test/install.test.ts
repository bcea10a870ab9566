import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { VERSION } from '../lib/version';
import { ROOT, tempDir } from './kit';

test('make install stages launchers that find the bundle', () => {
  const stage = tempDir();
  const install = spawnSync('make', ['-s', 'install', `DESTDIR=${stage}`, 'PREFIX=/opt/wingmate'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);

  const prefix = path.join(stage, 'opt/wingmate');
  assert.ok(fs.existsSync(path.join(prefix, 'lib/wingmate/dist/wingmate.js')));
  assert.ok(fs.existsSync(path.join(prefix, 'lib/wingmate/node_modules/ffi-rs/package.json')));
  assert.equal(fs.existsSync(path.join(prefix, 'lib/wingmate/node_modules/typescript')), false);

  // Through a symlink elsewhere and from an unrelated directory.
  const links = tempDir();
  for (const command of ['wingmate', 'wmpidproxy', 'wmexec']) {
    const launcher = path.join(prefix, 'bin', command);
    assert.equal(fs.statSync(launcher).mode & 0o111, 0o111);
    fs.symlinkSync(launcher, path.join(links, command));
    const result = spawnSync(path.join(links, command), ['--version'], { cwd: '/', encoding: 'utf8' });
    assert.equal(result.stdout, `${command} ${VERSION}\n`, result.stderr);
    assert.equal(result.status, 0);
  }
});
