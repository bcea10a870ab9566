// The whole product on real input, inside new PID, mount and network namespaces. The installed
// launchers run wingmate as PID 1 with a foreground service, a service switched to another user by
// wmexec, OpenSSH's sshd kept supervised by wmpidproxy, and a cron job.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { type ProcessInfo, ROOT, makeConfig, requireNamespaces, startInNamespace, tempDir } from './kit';

const SSHD = '/usr/sbin/sshd';
const PORT = 2222;

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'app:x:1500:1500::/home/app:/bin/sh',
].join('\n');
const GROUP = ['root:x:0:', 'nogroup:x:65534:', 'app:x:1500:', 'extra:x:1600:app'].join('\n');

// Installs the bundle and its launchers into a fresh prefix, as a user would.
function install(): string {
  const prefix = path.join(tempDir(), 'opt');
  const result = spawnSync('make', ['-s', 'install', `PREFIX=${prefix}`], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return path.join(prefix, 'bin');
}

// Reads the first line sshd sends on 127.0.0.1:PORT, from inside the network namespace of `pid`.
function readBanner(pid: number): string {
  const client = `
    const socket = require('node:net').connect(${PORT}, '127.0.0.1');
    socket.setTimeout(2000, () => { console.log('timeout'); process.exit(1); });
    socket.on('data', (data) => { console.log(String(data).split('\\r\\n')[0]); socket.destroy(); });
    socket.on('error', (error) => { console.log(error.code); process.exit(1); });`;
  return spawnSync('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', client], { encoding: 'utf8' }).stdout.trim();
}

// Finds the host pid of the daemon named in the namespace's /run/sshd.pid, through the NSpid line
// of /proc/PID/status, which lists a process's pid in each nested PID namespace.
function hostPidOfDaemon(processes: ProcessInfo[], pid1: number): number {
  const nsPid = fs.readFileSync(`/proc/${pid1}/root/run/sshd.pid`, 'utf8').trim();
  for (const proc of processes) {
    const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    if (status.match(/^NSpid:\t.*\t(\d+)$/m)?.[1] === nsPid) {
      return proc.pid;
    }
  }
  assert.fail(`no process with pid ${nsPid} in the namespace`);
}

async function waitForBanner(pid: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let banner = '';
  while (Date.now() < deadline) {
    banner = readBanner(pid);
    if (banner.startsWith('SSH-2.0-')) {
      return banner;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`sshd did not answer within ${timeoutMs} ms (last: ${banner})`);
}

test('sshd, wmexec, cron and shutdown under installed wingmate', { timeout: 150_000 }, async (t) => {
  if (!requireNamespaces(t)) return;
  assert.ok(fs.existsSync(SSHD), `${SSHD} is missing: install Debian's openssh-server`);
  const bin = install();
  const work = tempDir();
  // The worker runs as app, which must reach its script.
  fs.chmodSync(work, 0o755);

  // The test user database, the sshd configuration and its host key.
  fs.writeFileSync(path.join(work, 'passwd'), `${PASSWD}\n`);
  fs.writeFileSync(path.join(work, 'group'), `${GROUP}\n`);
  const hostKey = path.join(work, 'ssh_host_ed25519_key');
  const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { encoding: 'utf8' });
  assert.equal(keygen.status, 0, keygen.stderr);
  const sshdLog = path.join(work, 'sshd.log');
  fs.writeFileSync(path.join(work, 'sshd_config'), [
    `Port ${PORT}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, 'PidFile /run/sshd.pid', 'UsePAM no', '',
  ].join('\n'));
  const worker = path.join(work, 'worker');
  fs.writeFileSync(worker, [
    '#!/bin/sh',
    "set -- $(cut -d')' -f2 /proc/$$/stat)",
    'echo "user=$(id -un) groups=$(id -G) home=$HOME pid=$$ sid=$4"',
    'exec sleep 1000',
    '',
  ].join('\n'), { mode: 0o755 });

  const etc = makeConfig({
    services: {
      web: '#!/bin/sh\necho "web up"\nexec sleep 1000\n',
      worker: `#!/bin/sh\nexec ${bin}/wmexec --user app --setsid -- ${worker}\n`,
      sshd: `#!/bin/sh\nexec ${bin}/wmpidproxy --pid-file /run/sshd.pid -- ${SSHD} -f ${work}/sshd_config -E ${sshdLog}\n`,
    },
    crontab: '* * * * * /bin/echo cron tick\n',
  });
  const run = startInNamespace([path.join(bin, 'wingmate')], {
    env: { WINGMATE_CONFIG_PATH: etc, PATH: `${bin}:${process.env.PATH}` },
    net: true,
    passwd: path.join(work, 'passwd'),
    group: path.join(work, 'group'),
    // A private /run for sshd's pid file and privilege separation directory.
    setup: ['mount -t tmpfs tmpfs /run', 'mkdir -m 755 /run/sshd'],
  });
  try {
    const pid1 = await run.pid1();
    const started = await run.waitForRecord((record) => record.message === 'wingmate starting');
    assert.equal(started.pid, 1);

    // The foreground service and the user-switched service in its own session.
    await run.waitForRecord((record) => record.service === `${etc}/service/web` && record.message === 'web up');
    const identity = await run.waitForRecord((record) => record.service === `${etc}/service/worker` && String(record.message).startsWith('user='));
    const fields = Object.fromEntries(String(identity.message).split(' ').map((pair) => pair.split('=')));
    assert.equal(fields.user, 'app');
    assert.equal(fields.home, '/home/app');
    assert.equal(fields.pid, fields.sid, 'the worker leads its own session');
    assert.equal(String(identity.message).match(/groups=([\d ]+) home/)![1], '1500 1600');

    // sshd sends its banner; after its daemon is killed, a new daemon sends it again.
    assert.match(await waitForBanner(pid1, 20_000), /^SSH-2\.0-OpenSSH/);
    await run.waitForRecord((record) => record.service === `${etc}/service/sshd` && String(record.message).includes('"message":"following the daemon"'), 15_000, 'the proxy to adopt sshd');
    const daemon = hostPidOfDaemon(run.processes(), pid1);
    process.kill(daemon, 'SIGKILL');
    await run.waitForRecord((record) => record.service === `${etc}/service/sshd` && record.message === 'service exited', 10_000, 'the proxy to exit');
    assert.match(await waitForBanner(pid1, 15_000), /^SSH-2\.0-OpenSSH/);
    assert.notEqual(hostPidOfDaemon(run.processes(), pid1), daemon, 'a new daemon runs');

    // The cron job ran at its minute, and its output is in the log.
    const tick = await run.waitForRecord((record) => record.cron === '/bin/echo cron tick' && record.message === 'cron tick', 70_000, 'the cron job');
    assert.equal(tick.level, 'info');

    // SIGTERM stops everything: sshd saw one SIGTERM, nothing needed SIGKILL, exit 0.
    await run.signal('SIGTERM');
    const result = await run.waitForExit(15_000);
    assert.equal(result.code, 0, run.describe());
    const terms = fs.readFileSync(sshdLog, 'utf8').split('\n').filter((line) => line.includes('Received signal 15'));
    assert.equal(terms.length, 1, 'the running sshd got exactly one SIGTERM');
    assert.equal(run.find({ message: 'sent SIGKILL' }).length, 0);
    assert.equal(run.find({ message: 'all processes have exited' }).length, 1);
    const raw = run.records.filter((record) => record.raw !== undefined);
    assert.deepEqual(raw, [], 'every log line is JSON');
  } finally {
    run.kill();
  }
});
