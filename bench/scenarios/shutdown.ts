// Scenario 5, shutdown. With 5 cooperative services, the time from SIGTERM to the init's exit and
// from the last service's exit to the init's. With a service that ignores SIGTERM, the time to exit
// beyond the grace period.

import * as path from 'node:path';
import type { InitAdapter } from '../inits';
import { nowMs, sleep } from '../namespace';
import { type BenchContext, type ResultTable, newTable, readStamps, runEach, waitForServices, withInit } from '../scenario';
import { type ServiceScript, cooperative, ignoresTerm } from '../services';

const COOPERATIVE = 5;

async function stopAndTime(init: InitAdapter, dir: string, services: ServiceScript[], graceSeconds: number, settleMs: number): Promise<{ totalMs: number; exitMs: number; sentMs: number }> {
  return withInit(init, { dir, services, graceSeconds }, async (run) => {
    await waitForServices(run, services);
    await sleep(settleMs);
    const sentMs = nowMs();
    await run.signal('SIGTERM');
    const exit = await run.waitExit((graceSeconds + 15) * 1000);
    if (!exit) {
      throw new Error(`still running ${graceSeconds + 15} s after SIGTERM`);
    }
    return { totalMs: exit.timeMs - sentMs, exitMs: exit.timeMs, sentMs };
  });
}

export async function shutdown(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable[]> {
  // supervisord takes whole seconds only.
  const graceSeconds = context.quick ? 1 : 2;
  const settleMs = context.quick ? 300 : 1000;
  const plain = newTable('shutdown', `Shutdown with ${COOPERATIVE} cooperative services`, [
    { key: 'total', label: 'SIGTERM to exit (ms)' },
    { key: 'afterLast', label: 'last service exit to init exit (ms)' },
  ]);
  plain.notes.push(
    'Each service is bash that exits on SIGTERM and stamps $EPOCHREALTIME first. The init\'s exit is the moment the harness sees its unshare parent exit, which adds well under a millisecond.',
    'runit is left out: runsvdir exits at once on SIGTERM and the kernel SIGKILLs the services when PID 1 is gone, so there is no orderly stop to time.',
  );
  const stubborn = newTable('shutdown-grace', `Shutdown with one service that ignores SIGTERM (grace period ${graceSeconds} s)`, [
    { key: 'overGrace', label: 'exit minus grace period (ms)' },
  ]);
  stubborn.notes.push(
    'The grace period is WINGMATE_SHUTDOWN_TIMEOUT for wingmate, stopwaitsecs for supervisord and timeout-kill for s6. tini and dumb-init have none: they exit with their child and the kernel kills the rest.',
  );

  const stopping = inits.filter((init) => init.shutdown !== 'none');
  await runEach(context, plain, stopping, async (init, dir) => {
    const stampFile = path.join(dir, 'stamps');
    const services = Array.from({ length: COOPERATIVE }, (_, i) => cooperative(`coop${i + 1}`, stampFile));
    const timing = await stopAndTime(init, dir, services, graceSeconds, settleMs);
    const stamps = readStamps(stampFile);
    const lastServiceMs = stamps.length > 0 ? Math.max(...stamps.map((stamp) => stamp.timeMs)) : Number.NaN;
    return { total: timing.totalMs, afterLast: timing.exitMs - lastServiceMs };
  });
  await runEach(context, stubborn, stopping.filter((init) => init.shutdown === 'grace'), async (init, dir) => {
    const stampFile = path.join(dir, 'stamps');
    const services = [...Array.from({ length: COOPERATIVE - 1 }, (_, i) => cooperative(`coop${i + 1}`, stampFile)), ignoresTerm('stubborn')];
    const timing = await stopAndTime(init, dir, services, graceSeconds, settleMs);
    return { overGrace: timing.totalMs - graceSeconds * 1000 };
  });
  return [plain, stubborn];
}
