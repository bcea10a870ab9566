// Entries of wingmate.yaml, end to end. The built wingmate runs as PID 1 of new namespaces and
// starts each entry through the built wmpidproxy and wmexec. Each option is observed from inside
// the started process, through the lines it writes to wingmate's log.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';

import {
  type ConfigFiles, type LogRecord, type NamespaceOptions, type NamespaceRun, ROOT, bin, makeConfig, readLines,
  requireNamespaces, requireRoot, sleep, startInNamespace, startWingmate, stopWingmate, tempDir,
} from './kit';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const SHOW_SESSION = path.join(FIXTURES, 'show-session.sh');
const DAEMON = path.join(FIXTURES, 'pidproxy', 'daemon.sh');

// Deadlines are at least five times the intervals they cover: wingmate's 1-second restart delay,
// wmpidproxy's 1-second poll and the start of a Node.js helper (well under 1 s).
const START_MS = 10_000;
const RESTART_MS = 15_000;

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'app:x:1500:1500::/home/app:/bin/sh', ''].join('\n');
const GROUP = ['root:x:0:', 'app:x:1500:', 'extra:x:1600:app', ''].join('\n');

// Prints the Uid, Gid and Groups lines of the process's own /proc status, and its HOME.
const SHOW_IDENTITY = '[ /bin/sh, -c, \'grep -E "^(Uid|Gid|Groups):" /proc/self/status; echo "HOME:$HOME"\' ]';

/** Write a configuration directory whose wingmate.yaml is `yaml`. */
function yamlConfig(yaml: string[], extra: ConfigFiles = {}): string {
  return makeConfig({ ...extra, files: { ...extra.files, 'wingmate.yaml': { content: `${yaml.join('\n')}\n` } } });
}

/** List the output lines of an entry, from the records tagged with its name. */
function output(run: NamespaceRun, name: string, key: 'service' | 'cron' = 'service'): string[] {
  return run.records.filter((record) => record[key] === name && record.stream !== undefined).map((record) => String(record.message));
}

function records(run: NamespaceRun, name: string, message: string): LogRecord[] {
  return run.records.filter((record) => record.service === name && record.message === message);
}

/** Start wingmate on `etc` and stop it (or kill it, after a failure) when the test ends. */
function start(t: TestContext, etc: string, options: NamespaceOptions = {}): NamespaceRun {
  const run = startWingmate(etc, options);
  t.after(() => run.kill());
  return run;
}

/** Parse `KEY=value` or `Key: value` lines into an object. */
function fields(lines: string[], separator: '=' | ':'): Record<string, string> {
  return Object.fromEntries(lines.map((line) => {
    const index = line.indexOf(separator);
    return [line.slice(0, index), line.slice(index + 1).trim().split(/\s+/).join(' ')];
  }));
}

test('yaml service gets environ and working_dir', async (t) => {
  if (!requireNamespaces(t)) return;
  const workDir = tempDir();
  const etc = yamlConfig([
    'service:',
    '  probe:',
    '    command: [ /bin/sh, -c, \'echo "cwd=$PWD"; echo "greeting=$GREETING"; echo "eq=$EQ"; echo "kept=$KEPT"; echo "changed=$CHANGED"; echo "end=1"; exec sleep 1000\' ]',
    '    environ: [ "GREETING=hello there", "EQ=a=b=c", "CHANGED=by yaml" ]',
    `    working_dir: ${workDir}`,
  ]);
  const run = start(t, etc, { env: { KEPT: 'from wingmate', CHANGED: 'from wingmate' } });

  await run.waitFor(() => output(run, 'probe').includes('end=1'), START_MS, 'the output of probe');
  const seen = fields(output(run, 'probe'), '=');
  assert.equal(seen.cwd, workDir);
  assert.equal(seen.greeting, 'hello there');
  assert.equal(seen.eq, 'a=b=c');
  assert.equal(seen.kept, 'from wingmate');
  assert.equal(seen.changed, 'by yaml');
  assert.equal(records(run, 'probe', 'service started').length, 1, 'the service field is the name');
  await stopWingmate(run);
});

test('yaml service leads a session with setsid', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = yamlConfig([
    'service:',
    '  leader:',
    `    command: [ ${SHOW_SESSION} ]`,
    '    setsid: true',
    '    autorestart: false',
    '  member:',
    `    command: [ ${SHOW_SESSION} ]`,
    '    autorestart: false',
  ]);
  const run = start(t, etc);

  await run.waitFor(() => output(run, 'leader').length === 1 && output(run, 'member').length === 1, START_MS, 'both sessions');
  const leader = fields(output(run, 'leader')[0].split(' '), '=');
  const member = fields(output(run, 'member')[0].split(' '), '=');
  assert.equal(leader.sid, leader.pid, 'setsid: the service leads its session');
  assert.equal(leader.pgid, leader.pid, 'setsid: and its process group');
  assert.equal(String(records(run, 'leader', 'service started')[0].pid), leader.pid, 'wmexec replaced itself, keeping the pid');
  assert.notEqual(member.sid, member.pid, 'without setsid: wingmate\'s session');
  await stopWingmate(run);
});

test('yaml entries run as their user and group', async (t) => {
  if (!requireNamespaces(t) || !requireRoot(t, 'switching users needs root')) return;
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'passwd'), PASSWD);
  fs.writeFileSync(path.join(dir, 'group'), GROUP);
  const etc = yamlConfig([
    'service:',
    '  named:',
    `    command: ${SHOW_IDENTITY}`,
    '    user: app',
    '    autorestart: false',
    '  grouped:',
    `    command: ${SHOW_IDENTITY}`,
    '    user: 1500',
    '    group: extra',
    '    autorestart: false',
    '  ghost:',
    '    command: [ /bin/true ]',
    '    user: nosuchuser',
    '    autorestart: false',
    'cron:',
    '  nightly:',
    `    command: ${SHOW_IDENTITY}`,
    '    schedule: "@reboot"',
    '    user: app',
    '    group: "1600"',
  ]);
  // wingmate starts with root's groups 0, 6 and 10, which must not reach the entries.
  const run = startInNamespace(['setpriv', '--groups', '0,6,10', ...bin('wingmate')], {
    env: { WINGMATE_CONFIG_PATH: etc },
    passwd: path.join(dir, 'passwd'),
    group: path.join(dir, 'group'),
  });
  t.after(() => run.kill());

  const done = (name: string, key: 'service' | 'cron' = 'service') => output(run, name, key).some((line) => line.startsWith('HOME:'));
  await run.waitFor(() => done('named') && done('grouped') && done('nightly', 'cron'), START_MS, 'three identities');
  const expected: [string, 'service' | 'cron', Record<string, string>][] = [
    ['named', 'service', { Uid: '1500 1500 1500 1500', Gid: '1500 1500 1500 1500', Groups: '1500 1600', HOME: '/home/app' }],
    ['grouped', 'service', { Uid: '1500 1500 1500 1500', Gid: '1600 1600 1600 1600', Groups: '1600', HOME: '/home/app' }],
    ['nightly', 'cron', { Uid: '1500 1500 1500 1500', Gid: '1600 1600 1600 1600', Groups: '1600', HOME: '/home/app' }],
  ];
  for (const [name, key, identity] of expected) {
    assert.deepEqual(fields(output(run, name, key), ':'), identity, name);
  }

  const ghostExit = await run.waitForRecord((record) => record.service === 'ghost' && record.message === 'service exited', START_MS);
  assert.equal(ghostExit.status, 1, 'wmexec exits 1 for an unknown user');
  assert.match(output(run, 'ghost').join('\n'), /unknown user \\"nosuchuser\\"/);
  await stopWingmate(run);
});

test('yaml service with pidfile follows its daemon', async (t) => {
  if (!requireNamespaces(t)) return;
  const dir = tempDir();
  const pidFile = path.join(dir, 'daemon.pid');
  const events = path.join(dir, 'events');
  const etc = yamlConfig([
    'service:',
    '  daemon:',
    `    command: [ start-stop-daemon, --start, --background, --make-pidfile, --pidfile, ${pidFile}, --exec, ${DAEMON} ]`,
    `    pidfile: ${pidFile}`,
    '    startsecs: 0.5',
    `    environ: [ "DAEMON_LOG=${events}" ]`,
  ]);
  // Without the entry's startsecs, wmpidproxy would wait 60 s before its first look at the pid file.
  const run = start(t, etc, { env: { WINGMATE_STARTSECS: '60' } });
  const started = () => readLines(events).filter((line) => line.startsWith('started ')).map((line) => Number(line.slice(8)));

  await run.waitFor(() => started().length === 1, START_MS, 'the daemon');
  const [first] = started();
  await sleep(1500);
  assert.ok(records(run, 'daemon', 'service exited').length === 0, 'the proxy stays while the daemon runs');
  await run.signalProcess(first, 'SIGKILL');

  await run.waitFor(() => started().length === 2, RESTART_MS, 'a second daemon after the first was killed');
  assert.equal(records(run, 'daemon', 'service exited').length, 1, 'the proxy exited once, with its daemon');
  await stopWingmate(run);
  assert.deepEqual(readLines(events).slice(-2), ['term', 'clean'], 'the daemon got one SIGTERM at shutdown and cleaned up');
});

test('autostart false leaves a service stopped', async (t) => {
  if (!requireNamespaces(t)) return;
  const marker = path.join(tempDir(), 'ran');
  const etc = yamlConfig([
    'service:',
    '  spare:',
    `    command: [ /bin/touch, ${marker} ]`,
    '    autostart: false',
    '  main:',
    '    command: [ /bin/sh, -c, \'echo up; exec sleep 1000\' ]',
  ]);
  const run = start(t, etc);

  await run.waitFor(() => output(run, 'main').includes('up'), START_MS, 'the other service');
  await sleep(2000);
  assert.equal(records(run, 'spare', 'service left stopped: autostart is false').length, 1);
  assert.equal(records(run, 'spare', 'service started').length, 0);
  assert.equal(fs.existsSync(marker), false, 'its command never ran');
  await stopWingmate(run);
});

test('autorestart false runs a service once', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = yamlConfig([
    'service:',
    '  ok:',
    '    command: [ /bin/sh, -c, \'echo "run $$"\' ]',
    '    autorestart: false',
    '  failing:',
    '    command: [ /bin/sh, -c, \'echo "run $$"; exit 3\' ]',
    '    autorestart: false',
    '  again:',
    '    command: [ /bin/sh, -c, \'echo "run $$"\' ]',
  ]);
  const run = start(t, etc);

  await run.waitFor(() => output(run, 'again').length >= 3, RESTART_MS, 'three runs of the restarted service');
  assert.equal(output(run, 'ok').length, 1);
  assert.equal(output(run, 'failing').length, 1);
  assert.equal(records(run, 'failing', 'service exited')[0].status, 3);
  assert.equal(records(run, 'ok', 'service not restarted: autorestart is false').length, 1);
  assert.equal(records(run, 'failing', 'service not restarted: autorestart is false').length, 1);
  await stopWingmate(run);
});

test('yaml cron job runs with its options', async (t) => {
  if (!requireNamespaces(t)) return;
  const workDir = tempDir();
  const etc = yamlConfig([
    'cron:',
    '  warmup:',
    `    command: [ /bin/sh, -c, 'echo "cwd=$PWD"; echo "mode=$MODE"; ${SHOW_SESSION}' ]`,
    '    schedule: "@reboot"',
    '    environ: [ "MODE=warm" ]',
    `    working_dir: ${workDir}`,
    '    setsid: true',
  ]);
  const run = start(t, etc);

  const exited = await run.waitForRecord((record) => record.cron === 'warmup' && record.message === 'cron job exited', START_MS);
  assert.equal(exited.status, 0);
  const [cwd, mode, session] = output(run, 'warmup', 'cron');
  assert.equal(cwd, `cwd=${workDir}`);
  assert.equal(mode, 'mode=warm');
  const ids = fields(session.split(' '), '=');
  assert.notEqual(ids.sid, undefined);
  assert.equal(ids.sid, String(exited.pid), 'the job leads its own session');
  await stopWingmate(run);
});

test('invalid yaml entry is logged, the rest runs', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = yamlConfig([
    'service:',
    '  bad:',
    '    command: /bin/true --flag',
    '  good:',
    '    command: [ /bin/sh, -c, \'echo fine; exec sleep 1000\' ]',
  ]);
  const run = start(t, etc);

  await run.waitFor(() => output(run, 'good').includes('fine'), START_MS, 'the valid service');
  const [error] = run.records.filter((record) => record.level === 'error');
  assert.equal(error.message, 'invalid wingmate.yaml: service.bad.command: expected a list of strings, got the string "/bin/true --flag"; write it as a list, e.g. [ "/bin/true", "--flag" ] (no shell splits it)');
  assert.equal(error.file, path.join(etc, 'wingmate.yaml'));
  assert.equal(error.line, 3);
  assert.equal(records(run, 'bad', 'service started').length, 0);
  await stopWingmate(run);
});

test('missing working_dir is a start error', async (t) => {
  if (!requireNamespaces(t)) return;
  const missing = path.join(tempDir(), 'missing');
  const etc = yamlConfig(['service:', '  lost:', '    command: [ /bin/true ]', `    working_dir: ${missing}`]);
  const run = start(t, etc);

  const failure = await run.waitForRecord((record) => record.service === 'lost' && record.message === 'service failed to start, retrying in 1 s', START_MS);
  assert.equal(failure.error, `cannot start ${missing}: ENOENT (the working directory does not exist)`);
  await stopWingmate(run);
});

test('yaml with a syntax error only: nothing to run', async (t) => {
  if (!requireNamespaces(t)) return;
  const etc = yamlConfig(['service:', '  web:', '    command: [ /bin/app']);
  const run = start(t, etc);

  const result = await run.waitForExit(START_MS);
  assert.equal(result.code, 1);
  const messages = run.records.filter((record) => record.level === 'error').map((record) => String(record.message));
  assert.match(messages[0], /^invalid wingmate\.yaml: YAML syntax error: /);
  assert.match(messages[1], /^nothing to run in .*, and no valid entry in .*wingmate\.yaml$/);
});

test('upstream example runs', async (t) => {
  if (!requireNamespaces(t) || !requireRoot(t, 'the example runs a service as uid 1200')) return;
  // The example of the Go original's wingmate.yaml.md, with its test programs replaced by commands
  // that exist here and its directories by temporary ones.
  const dir = tempDir();
  const pidFile = path.join(dir, 'wmbg.pid');
  const events = path.join(dir, 'events');
  const etc = yamlConfig([
    'service:',
    '  spawner:',
    '    command: [ /bin/sh, -c, \'echo "spawner uid $(id -u) in $PWD"; exec sleep 1000\' ]',
    '    user: "1200"',
    `    working_dir: "${dir}"`,
    '',
    '  bgtest:',
    '    command:',
    '      - "start-stop-daemon"',
    '      - "--start"',
    '      - "--background"',
    '      - "--make-pidfile"',
    '      - "--pidfile"',
    `      - "${pidFile}"`,
    '      - "--exec"',
    `      - "${DAEMON}"`,
    `    pidfile: "${pidFile}"`,
    `    environ: [ "DAEMON_LOG=${events}" ]`,
    '',
    'cron:',
    '  cron1:',
    '    command: ["/bin/sleep", "5"]',
    '    schedule: "*/5 * * * *"',
    `    working_dir: "${dir}"`,
    '    environ:',
    '      - "WINGMATE_LOG=/var/log/cron1.log"',
    '      - "WINGMATE_LOG_MESSAGE=cron executed in minute 5,10,15,20,25,30,35,40,45,50,55"',
    '  cron2:',
    '    command: ["/bin/sleep", "5"]',
    '    schedule: "17,42 */2 * * *"',
    '  cron3:',
    '    command:',
    '      - "/bin/sleep"',
    '      - "5"',
    '    schedule: "7,19,23,47 22 * * *"',
  ]);
  const run = start(t, etc);

  await run.waitFor(() => output(run, 'spawner').length > 0 && readLines(events).length > 0, RESTART_MS, 'both services');
  assert.deepEqual(output(run, 'spawner'), [`spawner uid 1200 in ${dir}`]);
  assert.match(readLines(events)[0], /^started \d+$/);
  assert.equal(run.records.filter((record) => record.level === 'error').length, 0, JSON.stringify(run.records));
  assert.equal(run.find({ message: 'cron started' })[0].jobs, 3);
  await stopWingmate(run);
});
