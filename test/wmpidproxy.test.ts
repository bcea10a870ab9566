// wmpidproxy as a whole, run from dist/ in new PID namespaces: as the namespace's PID 1, so that
// everything it starts dies with the namespace, or under `sh` when the test looks at processes after
// the proxy has exited. Daemons come from Debian's start-stop-daemon or from small scripts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';

import { type LogRecord, type NamespaceRun, ROOT, bin, readCmdline, readLines, readStat, requireNamespaces, requireRoot, shellQuote, sleep, startInNamespace, tempDir, waitUntil } from './kit';

const DAEMON = path.join(ROOT, 'test', 'fixtures', 'pidproxy', 'daemon.sh');

// Short start times keep the suite fast; the defaults are tested by the environment module.
const FAST = { WINGMATE_STARTSECS: '0.2', WINGMATE_PIDFILE_TIMEOUT: '6', WINGMATE_STOP_TIMEOUT: '4', WINGMATE_PID: '' };

// The proxy polls once a second; a functional deadline is five times that.
const NOTICE_MS = 5000;

interface Setup {
  dir: string;
  pidFile: string;
  events: string;
}

function setup(): Setup {
  const dir = tempDir('wmpidproxy-test-');
  fs.chmodSync(dir, 0o755);
  return { dir, pidFile: path.join(dir, 'd.pid'), events: path.join(dir, 'events') };
}

/** The start command that daemonizes the fixture daemon with Debian's start-stop-daemon. */
function startStopDaemon(s: Setup): string[] {
  return ['start-stop-daemon', '--start', '--background', '--make-pidfile', '--pidfile', s.pidFile, '--exec', DAEMON];
}

/** Writes an executable script into the test directory and returns its path. */
function script(s: Setup, name: string, body: string): string {
  const file = path.join(s.dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

function proxyArgv(s: Setup, command: string[]): string[] {
  return [...bin('wmpidproxy'), '--pid-file', s.pidFile, '--', ...command];
}

/** Runs the proxy as PID 1 of a new namespace. */
function startProxy(s: Setup, command: string[], env: Record<string, string> = {}): NamespaceRun {
  return startInNamespace(proxyArgv(s, command), { env: { ...FAST, DAEMON_LOG: s.events, ...env } });
}

// Runs the proxy under sh, which logs its exit status and then keeps the namespace alive, so that the
// test can look at what the proxy left behind.
const KEEP_NAMESPACE = { after: '; echo "wmpidproxy exited with $?" >&2; exec sleep 120' };

async function proxyExitUnderShell(run: NamespaceRun, timeoutMs = 15_000): Promise<number> {
  const record = await run.waitForRecord((r) => typeof r.raw === 'string' && r.raw.startsWith('wmpidproxy exited with '), timeoutMs, 'the proxy to exit');
  return Number(record.raw!.slice('wmpidproxy exited with '.length));
}

/**
 * Finds the host pid of the proxy when it runs under sh (as PID 1 it is run.pid1()). Its command
 * line identifies it, not its name: Node 24 names its main thread MainThread.
 */
async function proxyHostPid(run: NamespaceRun): Promise<number> {
  await run.pid1();
  const proxy = run.processes().find((proc) => readCmdline(proc.pid)[1] === bin('wmpidproxy')[1]);
  assert.ok(proxy, 'the proxy runs');
  assert.ok(proxy.pid > 1);
  return proxy.pid;
}


function readEvents(s: Setup): string[] {
  return readLines(s.events);
}

function message(text: string): (record: LogRecord) => boolean {
  return (record) => typeof record.message === 'string' && record.message.includes(text);
}

/** Waits for the proxy to adopt a daemon and returns the daemon's pid inside the namespace. */
async function followedPid(run: NamespaceRun, timeoutMs = 10_000): Promise<number> {
  const record = await run.waitForRecord(message('following the daemon'), timeoutMs);
  return record.pid as number;
}

async function exitCode(run: NamespaceRun, timeoutMs = 15_000): Promise<number | null> {
  return (await run.waitForExit(timeoutMs)).code;
}


function cleanup(t: TestContext, run: NamespaceRun): void {
  t.after(() => run.kill());
}

test('daemon killed from outside: proxy exits 1', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, startStopDaemon(s));
  cleanup(t, run);

  const pid = await followedPid(run);
  assert.equal(Number(fs.readFileSync(s.pidFile, 'utf8')), pid);
  await sleep(1500);
  assert.equal(run.unshare.exitCode, null, 'the proxy follows the daemon');

  const killedAt = Date.now();
  await run.signalProcess(pid, 'SIGKILL');
  assert.equal(await exitCode(run, NOTICE_MS), 1);
  assert.ok(Date.now() - killedAt < NOTICE_MS);
  const record = run.find({ message: 'the daemon exited' })[0] ?? run.find({ message: 'the daemon exited (it is a zombie)' })[0];
  assert.ok(record, run.describe());
  assert.equal(record.level, 'error');
  assert.equal(record.pid, pid);
  assert.equal(record.exit, 1);
});

test('SIGTERM: one SIGTERM, cleanup awaited, exit 0', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, startStopDaemon(s), { DAEMON_CLEANUP: '3' });
  cleanup(t, run);
  await followedPid(run);

  await run.signal('SIGTERM');
  await waitUntil(() => readEvents(s).includes('term'), NOTICE_MS, 'the daemon to get SIGTERM');
  await sleep(1000);
  assert.equal(run.unshare.exitCode, null, 'the proxy waits during the cleanup');
  assert.equal(await exitCode(run), 0);
  assert.deepEqual(readEvents(s).slice(1), ['term', 'clean']);
  assert.equal(run.find({ message: 'the daemon stopped' }).length, 1, run.describe());
});

for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
  test(`${signal}: forwarded like SIGTERM, exit 0`, async (t) => {
    if (!requireNamespaces(t)) return;
    const s = setup();
    const run = startProxy(s, startStopDaemon(s), { DAEMON_CLEANUP: '1' });
    cleanup(t, run);
    await followedPid(run);

    await run.signal(signal);
    assert.equal(await exitCode(run), 0);
    const name = signal === 'SIGINT' ? 'int' : 'quit';
    assert.deepEqual(readEvents(s).slice(1), [name, 'clean']);
  });
}

test('SIGTERM ignored: SIGKILL after stop timeout', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startInNamespace(proxyArgv(s, startStopDaemon(s)), {
    env: { ...FAST, WINGMATE_STOP_TIMEOUT: '1.5', DAEMON_LOG: s.events, DAEMON_TERM: 'ignore' },
    shell: KEEP_NAMESPACE,
  });
  cleanup(t, run);
  const pid = await followedPid(run);
  const hostPid = await run.hostPidOf(pid);
  assert.ok(hostPid);

  const sentAt = Date.now();
  process.kill(await proxyHostPid(run), 'SIGTERM');
  await run.waitForRecord(message('sending SIGKILL'));
  const seconds = (Date.now() - sentAt) / 1000;
  assert.equal(await proxyExitUnderShell(run), 0);
  assert.ok(seconds >= 1.4, `SIGKILL came ${seconds} s after SIGTERM, before the stop timeout`);
  assert.deepEqual(readEvents(s).slice(1), ['term']);
  // The daemon is gone, or a zombie that sh (now sleep) never reaps.
  await waitUntil(() => [undefined, 'Z'].includes(readStat(hostPid)?.state), NOTICE_MS, 'the daemon to die');
});

test('HUP, USR1, USR2: forwarded, proxy keeps running', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, startStopDaemon(s));
  cleanup(t, run);
  await followedPid(run);
  const proxyPid = await run.pid1();

  for (const [signal, event] of [['SIGHUP', 'hup'], ['SIGUSR1', 'usr1'], ['SIGUSR2', 'usr2']] as const) {
    await run.signal(signal);
    await waitUntil(() => readEvents(s).includes(event), NOTICE_MS, `the daemon to log ${event}`);
  }
  await sleep(1500);
  assert.equal(run.unshare.exitCode, null, 'the proxy still runs');
  assert.equal(await run.pid1(), proxyPid);
  assert.equal(readStat(proxyPid)?.state !== undefined, true, 'the same proxy process');
  assert.deepEqual(readEvents(s).slice(1), ['hup', 'usr1', 'usr2']);
});

test('field case: TERM waits for the daemon, HUP forwarded', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const sig = path.join(s.dir, 'sig');
  const start = script(s, 'start.sh', `sh -c 'echo $$ > ${s.pidFile}
  trap "echo hup >> ${sig}" HUP
  trap "echo term >> ${sig}; sleep 2; exit 0" TERM
  while :; do sleep 0.2 & wait $!; done' &
exit 0`);
  const run = startProxy(s, [start]);
  cleanup(t, run);
  await followedPid(run);
  const proxyPid = await run.pid1();

  await run.signal('SIGHUP');
  await sleep(1000);
  assert.equal(fs.readFileSync(sig, 'utf8'), 'hup\n');
  assert.equal(run.unshare.exitCode, null);
  assert.equal(await run.pid1(), proxyPid);

  const termAt = Date.now();
  await run.signal('SIGTERM');
  await waitUntil(() => fs.readFileSync(sig, 'utf8').includes('term'), NOTICE_MS, 'the daemon to get SIGTERM');
  await sleep(1000);
  assert.equal(run.unshare.exitCode, null, 'the proxy stays during the 2 s cleanup');
  assert.equal(await exitCode(run), 0);
  const seconds = (Date.now() - termAt) / 1000;
  assert.ok(seconds >= 2, `the proxy exited ${seconds} s after SIGTERM, before the daemon's cleanup ended`);
  assert.equal(fs.readFileSync(sig, 'utf8'), 'hup\nterm\n');
});

test('wingmate stopping: SIGTERM not forwarded', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  // wingmate marks its shutdown in its process name, so a script with that name plays its part.
  // The script must not exec, because that would rename it.
  const fakeWingmate = script(s, 'wingmate-stop', 'sleep 120');
  const run = startInNamespace(proxyArgv(s, startStopDaemon(s)), {
    env: { ...FAST, DAEMON_LOG: s.events, DAEMON_CLEANUP: '1' },
    shell: { before: `${shellQuote(fakeWingmate)} & WINGMATE_PID=$! ` },
  });
  cleanup(t, run);
  const pid = await followedPid(run);

  // wingmate's shutdown signals every process: the daemon and the proxy each get one SIGTERM.
  await run.signalProcess(pid, 'SIGTERM');
  process.kill(await proxyHostPid(run), 'SIGTERM');
  assert.equal(await exitCode(run), 0);
  assert.deepEqual(readEvents(s).slice(1), ['term', 'clean']);
  assert.equal(run.find({ message: 'wingmate is stopping and has sent SIGTERM to the daemon itself; not forwarding it' }).length, 1, run.describe());
});

test('SIGTERM before a daemon is found stops the command', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const start = script(s, 'start.sh', `trap 'echo term >> ${s.events}; exit 0' TERM\nwhile :; do sleep 0.2 & wait $!; done`);
  const run = startProxy(s, [start], { WINGMATE_STARTSECS: '5' });
  cleanup(t, run);
  await run.waitForRecord(message('starting the command'));
  await sleep(500);

  await run.signal('SIGTERM');
  assert.equal(await exitCode(run), 0);
  assert.deepEqual(readEvents(s), ['term']);
  assert.equal(run.find({ message: 'stopped before a daemon was found' }).length, 1, run.describe());
});

// The handed pid file forms: start.sh starts `sleep 1000` and writes its pid P in each form.
const FORMS: Array<[label: string, write: string]> = [
  ['trailing newline', `printf '%s\\n' "$P" > F`],
  ['no newline', `printf '%s' "$P" > F`],
  ['spaces', `printf '  %s \\n' "$P" > F`],
  ['CRLF', `printf '%s\\r\\n' "$P" > F`],
  ['empty, written 2 s later', `: > F; (sleep 2; printf '%s\\n' "$P" > F) &`],
];

for (const [label, write] of FORMS) {
  test(`field case: pid file ${label} followed`, async (t) => {
    if (!requireNamespaces(t)) return;
    const s = setup();
    const start = script(s, 'start.sh', `sleep 1000 &\nP=$!\n${write.replaceAll('F', shellQuote(s.pidFile))}\nexit 0`);
    const run = startProxy(s, [start]);
    cleanup(t, run);

    const pid = await followedPid(run);
    await sleep(2500);
    assert.equal(run.unshare.exitCode, null, 'the proxy follows the daemon');
    assert.equal(run.find({ level: 'error' }).length, 0, run.describe());

    await run.signalProcess(pid, 'SIGKILL');
    assert.equal(await exitCode(run, NOTICE_MS), 1);
  });
}

const INVALID: Array<[label: string, content: string]> = [
  ['0', '0\n'],
  ['-1', '-1\n'],
  ['1', '1\n'],
  ['garbage', '12x\n'],
];

for (const [label, content] of INVALID) {
  test(`field case: pid file ${label} rejected`, async (t) => {
    if (!requireNamespaces(t)) return;
    const s = setup();
    // A bystander in the proxy's process group: kill(0) or kill(-1) would reach it.
    const start = script(s, 'start.sh', `sleep 1000 &\necho $! > ${s.dir}/bystander\nprintf '%s\\n' ${shellQuote(content.trim())} > ${shellQuote(s.pidFile)}\nexit 0`);
    const run = startInNamespace(proxyArgv(s, [start]), { env: FAST, shell: KEEP_NAMESPACE });
    cleanup(t, run);

    assert.equal(await proxyExitUnderShell(run), 1);
    const error = run.find({ level: 'error' })[0];
    assert.ok(error, run.describe());
    assert.ok(String(error.message).includes(s.pidFile), String(error.message));
    assert.ok(String(error.message).includes(JSON.stringify(content.trim())), String(error.message));

    const bystander = await run.hostPidOf(Number(fs.readFileSync(path.join(s.dir, 'bystander'), 'utf8')));
    assert.ok(bystander, 'the bystander still exists');
    assert.equal(readStat(bystander)?.state, 'S', 'the bystander was not signalled');
  });
}

test('pid file never written: exit 1 at the deadline', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, ['true'], { WINGMATE_PIDFILE_TIMEOUT: '1' });
  cleanup(t, run);

  assert.equal(await exitCode(run), 1);
  const error = run.find({ level: 'error' })[0];
  assert.ok(error, run.describe());
  assert.equal(error.message, `no daemon found through ${s.pidFile} 1.2 s after the start: ${s.pidFile} has not been written`);
});

test('pid file naming the proxy itself rejected', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const start = script(s, 'start.sh', `echo $PPID > ${shellQuote(s.pidFile)}`);
  const run = startInNamespace(proxyArgv(s, [start]), { env: FAST, shell: KEEP_NAMESPACE });
  cleanup(t, run);

  assert.equal(await proxyExitUnderShell(run), 1);
  assert.match(String(run.find({ level: 'error' })[0]?.message), /pid \d+ is this wmpidproxy itself/);
});

test('field case: stale pid 1 not adopted', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  fs.writeFileSync(s.pidFile, '1\n');
  const start = script(s, 'start.sh', 'echo "bad config" >&2; exit 1');
  const run = startProxy(s, [start]);
  cleanup(t, run);

  assert.equal(await exitCode(run), 1);
  assert.ok(run.records.some((record) => record.raw === 'bad config'), 'the command output reaches stderr');
  const error = run.find({ level: 'error' })[0];
  assert.equal(error?.message, `the start command exited with status 1 before a daemon wrote ${s.pidFile}`);
  assert.equal(run.find({ message: 'following the daemon' }).length, 0);
});

test('field case: stale pid of a live process not adopted', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const start = script(s, 'start.sh', 'echo "bad config" >&2; exit 1');
  const run = startInNamespace(proxyArgv(s, [start]), {
    env: FAST,
    shell: { before: `sleep 1000 & echo $! > ${shellQuote(s.pidFile)}; echo $! > ${s.dir}/unrelated; `, after: KEEP_NAMESPACE.after },
  });
  cleanup(t, run);

  assert.equal(await proxyExitUnderShell(run), 1);
  assert.equal(run.find({ message: 'following the daemon' }).length, 0);
  const unrelated = await run.hostPidOf(Number(fs.readFileSync(path.join(s.dir, 'unrelated'), 'utf8')));
  assert.ok(unrelated, 'the unrelated process still exists');
  assert.equal(readStat(unrelated)?.state, 'S', 'the unrelated process was not signalled');
});

test('stale pid kept by a read-only file: never signalled', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const stale = path.join(s.dir, 'ro');
  fs.mkdirSync(stale);
  s.pidFile = path.join(stale, 'd.pid');
  // The leftover file names a live unrelated process and cannot be removed (read-only mount), so
  // only the start-time check keeps the proxy from adopting it. The command stays in the foreground.
  const start = script(s, 'start.sh', `trap 'echo term >> ${s.events}; exit 0' TERM\nwhile :; do sleep 0.2 & wait $!; done`);
  const before = [
    `sleep 1000 & echo $! > ${shellQuote(s.pidFile)}; echo $! > ${s.dir}/unrelated;`,
    `mount --bind ${shellQuote(stale)} ${shellQuote(stale)} && mount -o remount,bind,ro ${shellQuote(stale)} &&`,
  ].join(' ');
  const run = startInNamespace(proxyArgv(s, [start]), { env: { ...FAST, WINGMATE_PIDFILE_TIMEOUT: '1.5' }, shell: { before, after: KEEP_NAMESPACE.after } });
  cleanup(t, run);

  await run.waitForRecord(message('cannot remove the pid file left from an earlier run'));
  await run.waitForRecord(message('the process started before the command'));
  await run.waitForRecord(message('following it as the daemon'));
  process.kill(await proxyHostPid(run), 'SIGTERM');

  assert.equal(await proxyExitUnderShell(run), 0);
  assert.deepEqual(readEvents(s), ['term'], 'the command got SIGTERM');
  const unrelated = await run.hostPidOf(Number(fs.readFileSync(path.join(s.dir, 'unrelated'), 'utf8')));
  assert.ok(unrelated, 'the unrelated process still exists');
  assert.equal(readStat(unrelated)?.state, 'S', 'the unrelated process was not signalled');
});

test('pid file deleted after adoption: still followed', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, startStopDaemon(s));
  cleanup(t, run);
  const pid = await followedPid(run);

  fs.unlinkSync(s.pidFile);
  await run.waitForRecord(message('following the last pid while it runs'), NOTICE_MS);
  await sleep(2000);
  assert.equal(run.unshare.exitCode, null, 'the proxy still follows the daemon');

  await run.signalProcess(pid, 'SIGKILL');
  assert.equal(await exitCode(run, NOTICE_MS), 1);
});

test('pid file garbled after adoption: still followed', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, startStopDaemon(s));
  cleanup(t, run);
  const pid = await followedPid(run);

  fs.writeFileSync(s.pidFile, '12x\n');
  await run.waitForRecord(message('following the last pid while it runs'), NOTICE_MS);
  fs.writeFileSync(s.pidFile, '');
  await sleep(2000);
  assert.equal(run.unshare.exitCode, null, 'the proxy still follows the daemon');

  fs.writeFileSync(s.pidFile, `${pid}\n`);
  await run.signal('SIGTERM');
  assert.equal(await exitCode(run), 0);
  assert.deepEqual(readEvents(s).slice(1), ['term', 'clean']);
});

test('daemon changing its pid is followed', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  // The copy started on SIGUSR2 writes its own pid, as nginx's new master does.
  const run = startProxy(s, startStopDaemon(s), { DAEMON_PIDFILE: s.pidFile, DAEMON_USR2: 'upgrade' });
  cleanup(t, run);
  const first = await followedPid(run);

  await run.signal('SIGUSR2');
  const changed = await run.waitForRecord(message('the daemon changed its pid'), NOTICE_MS);
  assert.equal(changed.previous, first);
  const second = changed.pid as number;
  assert.notEqual(second, first);
  await waitUntil(() => readEvents(s).includes('retired'), NOTICE_MS, 'the first daemon to exit');
  await sleep(1500);
  assert.equal(run.unshare.exitCode, null, 'the proxy follows the new daemon');

  await run.signalProcess(second, 'SIGKILL');
  assert.equal(await exitCode(run, NOTICE_MS), 1);
  assert.equal(run.find({ message: 'the daemon exited' })[0]?.pid ?? run.find({ message: 'the daemon exited (it is a zombie)' })[0]?.pid, second);
});

test('field case: zombie daemon counts as dead', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const start = script(s, 'start.sh', `sh -c "echo \\$\\$ > ${s.pidFile}; exec sleep 3" &\nexec sleep 1000`);
  const startedAt = Date.now();
  const run = startProxy(s, [start]);
  cleanup(t, run);
  const pid = await followedPid(run);

  assert.equal(await exitCode(run, 3000 + NOTICE_MS), 1);
  const seconds = (Date.now() - startedAt) / 1000;
  assert.ok(seconds >= 2.5, `the proxy exited after ${seconds} s, before the daemon died`);
  const record = run.find({ message: 'the daemon exited (it is a zombie)' })[0];
  assert.equal(record?.pid, pid, run.describe());
});

test('daemon of another user (EPERM) followed', async (t) => {
  if (!requireNamespaces(t) || !requireRoot(t, 'processes of two other users are needed')) return;
  const s = setup();
  // The proxy runs as user 65534 (nobody). Root starts the daemon as uid 1600 once the command has
  // run, so the daemon counts as fresh, and the proxy gets EPERM from kill(pid, 0).
  fs.chmodSync(s.dir, 0o777);
  const marker = path.join(s.dir, 'command-ran');
  const before = [
    `(while [ ! -e ${shellQuote(marker)} ]; do sleep 0.1; done;`,
    `setpriv --reuid 1600 --regid 1600 --clear-groups sleep 1000 & echo $! > ${shellQuote(s.pidFile)}) &`,
    'setpriv --reuid 65534 --regid 65534 --clear-groups',
  ].join(' ');
  const run = startInNamespace(proxyArgv(s, ['touch', marker]), { env: { ...FAST, WINGMATE_STARTSECS: '1' }, shell: { before }, cwd: ROOT });
  cleanup(t, run);

  const pid = await followedPid(run);
  await sleep(2500);
  assert.equal(run.unshare.exitCode, null, 'the proxy follows the daemon it may not signal');

  await run.signalProcess(pid, 'SIGKILL');
  await waitUntil(() => run.find({ level: 'error' }).length > 0, NOTICE_MS, 'the proxy to notice');
  assert.match(String(run.find({ level: 'error' })[0].message), /^the daemon exited/);
});

test('command in the foreground followed', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, [DAEMON], { WINGMATE_PIDFILE_TIMEOUT: '1' });
  cleanup(t, run);

  await run.waitForRecord(message('following it as the daemon'));
  await run.signal('SIGHUP');
  await waitUntil(() => readEvents(s).includes('hup'), NOTICE_MS, 'the command to get SIGHUP');
  await run.signal('SIGTERM');
  assert.equal(await exitCode(run), 0);
  assert.deepEqual(readEvents(s).slice(1), ['hup', 'term', 'clean']);
});

test('command in the foreground exiting passes its status', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const start = script(s, 'start.sh', 'sleep 2; exit 5');
  const run = startProxy(s, [start], { WINGMATE_PIDFILE_TIMEOUT: '0.5' });
  cleanup(t, run);

  await run.waitForRecord(message('following it as the daemon'));
  assert.equal(await exitCode(run), 5);
  assert.equal(run.find({ level: 'error' })[0]?.message, 'the command, followed as the daemon, exited with status 5');
});

test('start command failing with status 3: exit 3', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, ['sh', '-c', 'exit 3']);
  cleanup(t, run);

  assert.equal(await exitCode(run), 3);
  const error = run.find({ level: 'error' })[0];
  assert.equal(error?.message, `the start command exited with status 3 before a daemon wrote ${s.pidFile}`);
  assert.equal(error?.exit, 3);
});

test('start command killed by a signal: 128 + N', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, ['sh', '-c', 'kill -USR1 $$']);
  cleanup(t, run);

  assert.equal(await exitCode(run), 138);
  assert.match(String(run.find({ level: 'error' })[0]?.message), /^the start command was killed by SIGUSR1/);
});

test('start command not found: exit 127', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, [path.join(s.dir, 'missing')]);
  cleanup(t, run);

  assert.equal(await exitCode(run), 127);
  assert.equal(run.find({ level: 'error' })[0]?.message, `cannot start ${path.join(s.dir, 'missing')}: ENOENT`);
});

test('start command not executable: exit 126', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const file = path.join(s.dir, 'plain');
  fs.writeFileSync(file, 'echo hi\n', { mode: 0o644 });
  const run = startProxy(s, [file]);
  cleanup(t, run);

  assert.equal(await exitCode(run), 126);
  assert.equal(run.find({ level: 'error' })[0]?.message, `cannot start ${file}: EACCES`);
});

test('start command output reaches stdout and stderr', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 4']);
  cleanup(t, run);

  assert.equal(await exitCode(run), 4);
  assert.equal(run.stdout, 'to-stdout\n');
  assert.ok(run.records.some((record) => record.raw === 'to-stderr'), run.describe());
});

test('orphans of the command reaped when PID 1', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  // The two short sleeps outlive start.sh, so they become the proxy's children and then zombies.
  const start = script(s, 'start.sh', `sleep 1.5 &\nsleep 2 &\nsh -c 'echo $$ > ${s.pidFile}; exec sleep 1000' &\nexit 0`);
  const run = startProxy(s, [start], { WINGMATE_LOG_LEVEL: 'debug' });
  cleanup(t, run);
  await followedPid(run);
  const proxy = await run.pid1();

  await waitUntil(() => run.find({ message: 'reaped an orphaned process' }).length === 2, 2000 + NOTICE_MS, 'two orphans reaped');
  assert.equal(run.processes().filter((proc) => proc.state === 'Z').length, 0, 'no zombies in the namespace');
  const others = run.processes().filter((proc) => proc.pid !== proxy);
  assert.deepEqual(others.map((proc) => proc.comm), ['sleep'], 'only the daemon is left beside the proxy');
});

test('every exit logs a JSON reason', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startProxy(s, ['true'], { WINGMATE_PIDFILE_TIMEOUT: '0.5' });
  cleanup(t, run);

  assert.equal(await exitCode(run), 1);
  const last = run.records[run.records.length - 1];
  assert.equal(last.raw, undefined, 'the last stderr line is a JSON record');
  assert.equal(last.level, 'error');
  assert.equal(last.exit, 1);
  assert.match(String(last.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
});

// Usage errors end the proxy before it starts anything, so these run without a namespace.
const USAGE: Array<[label: string, args: string[], env: Record<string, string>, text: RegExp]> = [
  ['missing --pid-file', ['--', 'true'], {}, /^wmpidproxy: missing --pid-file FILE\nusage: wmpidproxy /],
  ['missing command', ['--pid-file', '/nonexistent/d.pid'], {}, /^wmpidproxy: missing COMMAND to start\n/],
  ['empty --pid-file', ['--pid-file=', '--', 'true'], {}, /^wmpidproxy: missing --pid-file FILE\n/],
  ['invalid stop timeout', ['-p', '/nonexistent/d.pid', '--', 'true'], { WINGMATE_STOP_TIMEOUT: 'soon' }, /^wmpidproxy: invalid WINGMATE_STOP_TIMEOUT "soon"/],
  ['invalid start seconds', ['-p', '/nonexistent/d.pid', '--', 'true'], { WINGMATE_STARTSECS: '-1' }, /^wmpidproxy: invalid WINGMATE_STARTSECS "-1"/],
];

for (const [label, args, env, text] of USAGE) {
  test(`usage error: ${label}`, () => {
    const result = spawnSync(bin('wmpidproxy')[0], [...bin('wmpidproxy').slice(1), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, text);
  });
}

test('help lists the environment variables', () => {
  const result = spawnSync(bin('wmpidproxy')[0], [...bin('wmpidproxy').slice(1), '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  for (const name of ['WINGMATE_STARTSECS', 'WINGMATE_PIDFILE_TIMEOUT', 'WINGMATE_STOP_TIMEOUT', 'WINGMATE_LOG_LEVEL']) {
    assert.ok(result.stdout.includes(name), name);
  }
});
