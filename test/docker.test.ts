// Static checks of the images: no Docker engine runs on the development machines, so what can be
// checked without building them is checked here.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { ROOT } from './kit';

const IMAGES = ['alpine', 'bookworm', 'ssh'];

function dockerfile(image: string): string[] {
  return fs.readFileSync(path.join(ROOT, 'docker', image, 'Dockerfile'), 'utf8').split('\n');
}

for (const image of IMAGES) {
  test(`${image} Dockerfile copies files that exist`, () => {
    const copies = dockerfile(image).filter((line) => /^COPY (?!--from)/.test(line));
    assert.ok(copies.length >= 3);
    for (const line of copies) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        assert.ok(fs.existsSync(path.join(ROOT, source)), `${image}: ${source} does not exist`);
      }
    }
  });

  test(`${image} Dockerfile uses a Node.js 24 image and the Makefile`, () => {
    const lines = dockerfile(image);
    const bases = lines.filter((line) => line.startsWith('FROM ')).map((line) => line.split(/\s+/)[1]);
    assert.deepEqual([...new Set(bases)], [image === 'alpine' ? 'node:24-alpine' : 'node:24-bookworm-slim']);
    assert.ok(lines.includes('RUN make install PREFIX=/opt/wingmate'));
    assert.ok(lines.includes('RUN npm ci --no-audit --no-fund'));
    assert.ok(lines.includes('ENTRYPOINT ["/usr/local/bin/entry.sh"]'));
  });
}

test('image entry point and example files are executable', () => {
  const executables = [
    'docker/entry.sh',
    ...fs.readdirSync(path.join(ROOT, 'docker/etc/wingmate/service')).map((name) => `docker/etc/wingmate/service/${name}`),
    ...fs.readdirSync(path.join(ROOT, 'docker/ssh/etc/wingmate/service')).map((name) => `docker/ssh/etc/wingmate/service/${name}`),
    'docker/etc/wingmate/bin/worker',
    'docker/etc/wingmate/bin/ticker',
    'docker/etc/wingmate/bin/ticker-daemonize',
    'docker/etc/wingmate/bin/cleanup',
  ];
  for (const file of executables) {
    const mode = fs.statSync(path.join(ROOT, file)).mode;
    assert.equal(mode & 0o111, 0o111, `${file} is not executable`);
    assert.match(fs.readFileSync(path.join(ROOT, file), 'utf8'), /^#!\/bin\/sh\n/, `${file} needs #!/bin/sh, which musl requires`);
  }
});

test('example configuration uses both helpers and a crontab', () => {
  const service = (name: string) => fs.readFileSync(path.join(ROOT, 'docker/etc/wingmate/service', name), 'utf8');
  assert.match(service('worker'), /^exec wmexec --user \S+ --setsid -- /m);
  assert.match(service('ticker'), /^exec wmpidproxy --pid-file \S+ -- /m);
  assert.ok(fs.existsSync(path.join(ROOT, 'docker/etc/wingmate/crontab')));
});

test('lockfile holds ffi-rs for every Linux target', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const pinned = lock.packages['node_modules/ffi-rs'].version;
  for (const target of ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl']) {
    const entry = lock.packages[`node_modules/@yuuang/ffi-rs-${target}`];
    assert.ok(entry, `package-lock.json has no @yuuang/ffi-rs-${target}`);
    assert.equal(entry.version, pinned);
  }
});

test('dockerignore keeps local builds out of the context', () => {
  const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist']) {
    assert.ok(ignored.includes(entry), `.dockerignore lacks ${entry}`);
  }
});
