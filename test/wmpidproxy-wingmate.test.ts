// wmpidproxy as a service of wingmate, both run from dist/ in a new PID namespace: wingmate restarts
// the proxy (and with it the daemon) when the daemon dies, and its shutdown gives the daemon exactly
// one SIGTERM. These tests need wingmate's service supervision and shutdown.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';

import { type NamespaceRun, ROOT, bin, makeConfig, readCmdline, readLines, requireNamespaces, shellQuote, sleep, startInNamespace, tempDir, waitUntil } from './kit';

const DAEMON = path.join(ROOT, 'test', 'fixtures', 'pidproxy', 'daemon.sh');

// Deadlines are five times the documented intervals they cover: the proxy's one-second poll,
// wingmate's one-second restart delay and the proxy's start seconds.
const RESTART_MS = 15_000;

interface Setup {
  dir: string;
  etc: string;
  pidFile: string;
  events: string;
}

/** Writes a configuration whose one service runs the fixture daemon through wmpidproxy. */
function setup(): Setup {
  const dir = tempDir('wmpidproxy-wingmate-');
  const pidFile = path.join(dir, 'd.pid');
  const proxy = [...bin('wmpidproxy'), '--pid-file', pidFile, '--', 'start-stop-daemon', '--start', '--background', '--make-pidfile', '--pidfile', pidFile, '--exec', DAEMON];
  const etc = makeConfig({ services: { 'daemon.sh': `#!/bin/sh\nexec ${proxy.map(shellQuote).join(' ')}\n` } }, dir);
  return { dir, etc, pidFile, events: path.join(dir, 'events') };
}

function startWingmate(s: Setup, env: Record<string, string> = {}, shell?: { before?: string; after?: string }): NamespaceRun {
  return startInNamespace(bin('wingmate'), {
    env: { WINGMATE_CONFIG_PATH: s.etc, WINGMATE_STARTSECS: '0.5', WINGMATE_SHUTDOWN_TIMEOUT: '8', DAEMON_LOG: s.events, ...env },
    shell,
  });
}

function readEvents(s: Setup): string[] {
  return readLines(s.events);
}

/** Lists the pids (inside the namespace) of every daemon started so far, from the "started PID" lines. */
function startedPids(s: Setup): number[] {
  return readEvents(s)
    .filter((line) => line.startsWith('started '))
    .map((line) => Number(line.slice('started '.length)));
}

function cleanup(t: TestContext, run: NamespaceRun): void {
  t.after(() => run.kill());
}


test('daemon killed: wingmate starts it again', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startWingmate(s);
  cleanup(t, run);

  await waitUntil(() => startedPids(s).length === 1, RESTART_MS, 'the first daemon');
  const [first] = startedPids(s);
  await sleep(2000);
  await run.signalProcess(first, 'SIGKILL');

  await waitUntil(() => startedPids(s).length === 2, RESTART_MS, 'a second daemon');
  const second = startedPids(s)[1];
  assert.notEqual(second, first);
  assert.ok(await run.hostPidOf(second), 'the second daemon runs');
  assert.equal(await run.hostPidOf(first), undefined, 'the first daemon is gone');
  await sleep(2000);
  assert.equal(startedPids(s).length, 2, 'one restart, not a loop');
});

for (const asPid1 of [true, false]) {
  test(`SIGTERM to wingmate${asPid1 ? '' : ' (not PID 1)'}: daemon gets one SIGTERM`, async (t) => {
    if (!requireNamespaces(t)) return;
    const s = setup();
    const run = startWingmate(s, { DAEMON_CLEANUP: '2' }, asPid1 ? undefined : { before: '', after: '; echo "wingmate exited with $?" >&2' });
    cleanup(t, run);
    await waitUntil(() => startedPids(s).length === 1, RESTART_MS, 'the daemon');
    await sleep(1500);

    const wingmate = await wingmateHostPid(run, asPid1);
    process.kill(wingmate, 'SIGTERM');
    const result = await run.waitForExit(20_000);
    assert.equal(result.code, 0, run.describe());
    assert.deepEqual(readEvents(s).slice(1), ['term', 'clean'], 'exactly one SIGTERM, and the cleanup finished');
    if (!asPid1) {
      assert.ok(run.records.some((record) => record.raw === 'wingmate exited with 0'), run.describe());
    }
  });
}

test('SIGHUP to wingmate reaches the daemon', async (t) => {
  if (!requireNamespaces(t)) return;
  const s = setup();
  const run = startWingmate(s);
  cleanup(t, run);
  await waitUntil(() => startedPids(s).length === 1, RESTART_MS, 'the daemon');
  await sleep(1500);

  await run.signal('SIGHUP');
  await waitUntil(() => readEvents(s).includes('hup'), RESTART_MS, 'the daemon to log hup');
  await sleep(2000);
  assert.equal(startedPids(s).length, 1, 'the daemon was not restarted');
  assert.equal(run.unshare.exitCode, null, 'wingmate still runs');
});

// Finds wingmate's host pid: the namespace's PID 1, or the child of the sh that is PID 1.
async function wingmateHostPid(run: NamespaceRun, asPid1: boolean): Promise<number> {
  const pid1 = await run.pid1();
  if (asPid1) {
    return pid1;
  }
  // Found by its command line, because Node 24 names its main thread MainThread.
  const wingmate = run.processes().find((proc) => proc.ppid === pid1 && readCmdline(proc.pid)[1] === bin('wingmate')[1]);
  assert.ok(wingmate, 'wingmate runs under sh');
  assert.ok(wingmate.pid > 1);
  return wingmate.pid;
}

