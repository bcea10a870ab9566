import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { type CommandSpec, UsageError, helpText, parseArgs, parseGoBool } from '../lib/cli';
import { VERSION } from '../lib/version';
import { ROOT, bin } from './kit';

const SPEC: CommandSpec = {
  name: 'demo',
  usage: '--pid-file FILE -- COMMAND',
  summary: 'A demo.',
  options: [
    { long: 'pid-file', short: 'p', value: 'FILE', help: 'pid file' },
    { long: 'setsid', short: 's', help: 'new session' },
  ],
  takesCommand: true,
};

const ok: Array<[string, string[], Record<string, string | boolean>, string[]]> = [
  ['long option with separate value', ['--pid-file', 'a', 'cmd'], { 'pid-file': 'a' }, ['cmd']],
  ['long option with equals', ['--pid-file=a', '--', 'cmd', '-x'], { 'pid-file': 'a' }, ['cmd', '-x']],
  ['short option with separate value', ['-p', 'a', 'cmd'], { 'pid-file': 'a' }, ['cmd']],
  ['short option with attached value', ['-pa', 'cmd'], { 'pid-file': 'a' }, ['cmd']],
  ['empty value with equals', ['--pid-file=', 'cmd'], { 'pid-file': '' }, ['cmd']],
  ['boolean flag', ['-s', 'cmd'], { setsid: true }, ['cmd']],
  ['boolean flag with Go false', ['--setsid=False', 'cmd'], { setsid: false }, ['cmd']],
  ['first non-option starts the command', ['cmd', '--pid-file', 'x'], {}, ['cmd', '--pid-file', 'x']],
  ['double dash ends options', ['--', '--help'], {}, ['--help']],
  ['lone dash is a command', ['-'], {}, ['-']],
  ['no arguments', [], {}, []],
];

for (const [label, argv, options, command] of ok) {
  test(`parseArgs: ${label}`, () => {
    const parsed = parseArgs(SPEC, argv);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind === 'run') {
      assert.deepEqual(Object.fromEntries(parsed.options), options);
      assert.deepEqual(parsed.command, command);
      assert.deepEqual(argv.slice(parsed.commandIndex), command);
    }
  });
}

const bad: Array<[string, string[], RegExp]> = [
  ['unknown long option', ['--nope'], /^unknown option "--nope"$/],
  ['unknown short option', ['-z'], /^unknown option "-z"$/],
  ['missing value', ['--pid-file'], /^option --pid-file needs a value \(FILE\)$/],
  ['invalid boolean value', ['--setsid=yes'], /^invalid value "yes" for --setsid: use true or false$/],
  ['value attached to a short flag', ['-sx'], /^invalid value "x" for --setsid/],
];

for (const [label, argv, message] of bad) {
  test(`parseArgs rejects ${label}`, () => {
    assert.throws(() => parseArgs(SPEC, argv), (error: unknown) => error instanceof UsageError && message.test(error.message));
  });
}

test('parseArgs: help, version and lone version', () => {
  assert.deepEqual(parseArgs(SPEC, ['--help']), { kind: 'help' });
  assert.deepEqual(parseArgs(SPEC, ['-h']), { kind: 'help' });
  assert.deepEqual(parseArgs(SPEC, ['--version']), { kind: 'version' });
  assert.deepEqual(parseArgs(SPEC, ['version']), { kind: 'version' });
  assert.equal(parseArgs(SPEC, ['version', 'x']).kind, 'run');
});

test('parseArgs rejects a command where none is taken', () => {
  assert.throws(() => parseArgs({ ...SPEC, takesCommand: false }, ['extra']), /^UsageError: unexpected argument "extra"$/);
});

test('parseGoBool follows strconv.ParseBool', () => {
  for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(text), true);
  for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(text), false);
  for (const text of ['yes', 'tRUE', '', ' 1']) assert.equal(parseGoBool(text), undefined);
});

test('helpText lists every option', () => {
  const text = helpText(SPEC);
  assert.match(text, /^usage: demo --pid-file FILE -- COMMAND\n/);
  assert.match(text, /-p, --pid-file FILE {2}pid file/);
  assert.match(text, /-s, --setsid {9}new session/);
});

test('VERSION matches package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});

for (const name of ['wingmate', 'wmpidproxy', 'wmexec'] as const) {
  test(`${name} answers --help, --version and version`, () => {
    const [node, script] = bin(name);
    const help = spawnSync(node, [script, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`^usage: ${name} `));
    assert.equal(help.stderr, '');
    for (const arg of ['--version', 'version']) {
      const version = spawnSync(node, [script, arg], { encoding: 'utf8' });
      assert.equal(version.status, 0);
      assert.equal(version.stdout, `${name} ${VERSION}\n`);
    }
  });

  test(`${name} exits 2 on an unknown option`, () => {
    const [node, script] = bin(name);
    const result = spawnSync(node, [script, '--bogus'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^${name}: unknown option "--bogus"\\nusage: ${name} `));
  });
}
