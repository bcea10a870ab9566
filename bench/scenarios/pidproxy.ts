// Scenario 8, pid proxy: resident memory of wmpidproxy in the foreground for a daemon that forked
// into the background (start-stop-daemon running sleep), against supervisor's pidproxy.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandOf, onPath, plainCommand } from '../inits';
import { ticksToMs } from '../proc';
import { type BenchContext, type ResultTable, newTable, runEach, withInit } from '../scenario';
import { shellQuote } from '../shell';

// Inside the namespace a script starts the proxy, waits, and reads the proxy's own /proc entry,
// after checking that the proxy still runs and that the daemon is there.
function probeScript(proxyArgv: readonly string[], settleSeconds: number): string {
  return `#!/bin/bash
${proxyArgv.map(shellQuote).join(' ')} >/dev/null 2>&1 &
proxy=$!
sleep ${settleSeconds}
if ! kill -0 "$proxy" 2>/dev/null; then echo "result exited"; exit 0; fi
daemons=$(pgrep -c -x sleep)
rss=$(awk '/^VmRSS:/ {print $2}' /proc/$proxy/status)
cpu=$(awk '{print $14 + $15}' /proc/$proxy/stat)
echo "result ok $rss $cpu $daemons"
`;
}

const STARTER = '/usr/sbin/start-stop-daemon';

export async function pidproxy(context: BenchContext): Promise<ResultTable> {
  const settleSeconds = context.quick ? 2 : 4;
  const table = newTable('pidproxy', 'Pid proxy around a sleeping daemon', [
    { key: 'rss', label: 'proxy RSS (MiB)' },
    { key: 'cpu', label: `proxy CPU after ${settleSeconds} s (ms)` },
  ]);
  table.notes.push(
    'The daemon is `start-stop-daemon --start --background --make-pidfile --exec /bin/sleep -- infinity`; memory is VmRSS of the proxy process alone, read inside the namespace.',
  );

  // supervisor's pidproxy exits as soon as its own child exits (it polls waitpid every 5 s), so it
  // gets the daemon in the foreground: start-stop-daemon writes the pid file and execs sleep.
  const proxies: Array<{ name: string; argv: (pidFile: string) => string[]; background: boolean }> = [];
  for (const flags of context.flagSets) {
    const suffix = flags.length === 0 ? '' : `[${flags.join(' ')}]`;
    const argv = (pidFile: string) => [...commandOf('WMPIDPROXY_BENCH_BIN', 'wmpidproxy.js', flags), '--pid-file', pidFile, '--'];
    proxies.push({ name: `wmpidproxy${suffix}`, argv, background: true });
  }
  if (onPath('pidproxy')) {
    proxies.push({ name: 'supervisor pidproxy', argv: (pidFile) => ['pidproxy', pidFile], background: false });
    table.notes.push('supervisor\'s pidproxy exits once its own child exits, so it runs the daemon without --background (start-stop-daemon writes the pid file and execs sleep); it also needs an absolute command path.');
  } else {
    table.notes.push('supervisor\'s pidproxy is not installed (package supervisor), so it is left out.');
  }

  const inits = proxies.map((proxy) => ({ ...plainCommand(proxy.name, []), proxy }));
  await runEach(context, table, inits, async (init, dir) => {
    const pidFile = path.join(dir, 'daemon.pid');
    const background = init.proxy.background ? ['--background'] : [];
    const daemon = [STARTER, '--start', ...background, '--make-pidfile', '--pidfile', pidFile, '--exec', '/bin/sleep', '--', 'infinity'];
    const script = path.join(dir, 'probe');
    fs.writeFileSync(script, probeScript([...init.proxy.argv(pidFile), ...daemon], settleSeconds), { mode: 0o755 });
    let output = '';
    await withInit(plainCommand(init.name, [script]), { dir, services: [], graceSeconds: 0 }, async (run) => {
      run.onOutputChunk((chunk) => (output += chunk.toString()));
      await run.waitExit((settleSeconds + 10) * 1000);
    });
    const match = /^result (\w+)(?: (\d+) (\d+) (\d+))?$/m.exec(output);
    if (!match || match[1] !== 'ok') {
      throw new Error(`the proxy ${match ? 'exited before it was measured' : 'was not measured'}: ${output.trim().slice(-300) || 'no output'}`);
    }
    if (match[4] !== '1') {
      throw new Error(`expected one daemon (sleep) beside the proxy, found ${match[4]}`);
    }
    return { rss: Number(match[2]) / 1024, cpu: ticksToMs(Number(match[3])) };
  });
  return table;
}
