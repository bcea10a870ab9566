// Scenario 1, idle: resident memory and CPU time of the init 10 s after it started 5 sleeping
// services, and its wakeups (context switches of all its threads) per minute while idle.

import type { InitAdapter } from '../inits';
import { type NamespaceRun, sleep, startInNamespace } from '../namespace';
import { initTree, readContextSwitches, readProcessStat, readRssKiB, ticksToMs } from '../proc';
import { type BenchContext, type ResultTable, addSamples, freshDir, newTable, waitForServices } from '../scenario';
import { sleeper } from '../services';

const SERVICES = 5;

interface Probe {
  rssKiB: number;
  treeRssKiB: number;
  cpuMs: number;
  treeCpuMs: number;
  switches: number;
  treeSwitches: number;
}

// PID 1 alone, and the init's whole tree: its helpers (runsv, s6-supervise, a launcher script)
// and orphans, but not the services.
function probe(run: NamespaceRun, pid1: number): Probe {
  const init = initTree(run.processes(), pid1);
  const sum = (read: (pid: number) => number) => init.reduce((total, proc) => total + (read(proc.pid) || 0), 0);
  return {
    rssKiB: readRssKiB(pid1),
    treeRssKiB: sum(readRssKiB),
    cpuMs: ticksToMs(readProcessStat(pid1)?.cpuTicks ?? Number.NaN),
    treeCpuMs: ticksToMs(sum((pid) => readProcessStat(pid)?.cpuTicks ?? 0)),
    switches: readContextSwitches(pid1),
    treeSwitches: sum(readContextSwitches),
  };
}

/**
 * Runs every init at the same time, each in its own namespace: idle processes barely compete, and
 * a one-minute window per init and run would otherwise make the full run last an hour. The starts
 * are half a second apart so that start-up work does not overlap.
 */
export async function idle(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable> {
  const table = newTable('idle', `Idle with ${SERVICES} sleeping services`, [
    { key: 'rss', label: 'PID 1 RSS (MiB)' },
    { key: 'treeRss', label: 'init tree RSS (MiB)' },
    { key: 'cpu', label: 'PID 1 CPU at settle (ms)' },
    { key: 'treeCpu', label: 'tree CPU at settle (ms)' },
    { key: 'wakeups', label: 'PID 1 wakeups/min' },
    { key: 'treeWakeups', label: 'tree wakeups/min' },
  ]);
  const settleMs = context.quick ? 2000 : 10_000;
  const windowMs = context.quick ? 5000 : 60_000;
  table.notes.push(
    `RSS and CPU time are read ${settleMs / 1000} s after PID 1 appeared; wakeups are the voluntary and involuntary context switches of all threads over the next ${windowMs / 1000} s, scaled to a minute.`,
    'The init tree is PID 1 with its helpers (runsv, s6-supervise, the launcher script that tini and dumb-init run), without the services. node is a bare `node -e "setInterval(() => {}, 1 << 30)"` with the same flags, the memory anchor.',
    'All inits of a run idle at the same time, each in its own PID namespace.',
  );

  for (let index = 0; index < context.runs; index++) {
    context.progress(`idle: run ${index + 1} of ${context.runs}, ${inits.length} inits side by side`);
    const started: Array<{ init: InitAdapter; run: NamespaceRun; pid1: number; startMs: number }> = [];
    try {
      for (const init of inits) {
        const dir = freshDir(context, `idle-${init.name}`);
        const services = init.runsServices ? Array.from({ length: SERVICES }, (_, i) => sleeper(`sleep${i + 1}`)) : [];
        const command = init.prepare({ dir, services, graceSeconds: 5 });
        const run = startInNamespace(command.argv, command.env);
        try {
          const pid1 = await run.pid1();
          const startMs = Date.now();
          if (services.length > 0) {
            await waitForServices(run, services);
          }
          started.push({ init, run, pid1, startMs });
        } catch (error) {
          table.errors.push(`${init.name}, run ${index + 1}: ${(error as Error).message}`);
          await run.stop();
        }
        await sleep(500);
      }
      await measureAll(table, started, settleMs, windowMs);
    } finally {
      await Promise.all(started.map((entry) => entry.run.stop(3000)));
    }
  }
  return table;
}

async function measureAll(
  table: ResultTable,
  started: ReadonlyArray<{ init: InitAdapter; run: NamespaceRun; pid1: number; startMs: number }>,
  settleMs: number,
  windowMs: number,
): Promise<void> {
  const atSettle = new Map<string, Probe>();
  for (const entry of started) {
    await sleep(Math.max(0, entry.startMs + settleMs - Date.now()));
    atSettle.set(entry.init.name, probe(entry.run, entry.pid1));
  }
  for (const entry of started) {
    await sleep(Math.max(0, entry.startMs + settleMs + windowMs - Date.now()));
    const first = atSettle.get(entry.init.name)!;
    const last = probe(entry.run, entry.pid1);
    if (entry.run.exit) {
      table.errors.push(`${entry.init.name}: exited during the idle window (code ${entry.run.exit.code}): ${entry.run.outputTail.trim()}`);
      continue;
    }
    const perMinute = 60_000 / windowMs;
    addSamples(table, entry.init.name, {
      rss: first.rssKiB / 1024,
      treeRss: first.treeRssKiB / 1024,
      cpu: first.cpuMs,
      treeCpu: first.treeCpuMs,
      wakeups: (last.switches - first.switches) * perMinute,
      treeWakeups: (last.treeSwitches - first.treeSwitches) * perMinute,
    });
  }
}
