// Scenario 2, restart latency: a service runs about 2 s and exits; the latency is the time from its
// last command to the first command of the next instance, both stamped by the service.

import * as path from 'node:path';
import type { InitAdapter } from '../inits';
import { waitUntil } from '../namespace';
import { type BenchContext, type ResultTable, newTable, readStamps, runEach, withInit } from '../scenario';
import { restarting } from '../services';
import { median } from '../stats';

/** Latencies in ms from each `exit` stamp to the `start` stamp that follows it. */
export function restartLatencies(stamps: ReadonlyArray<{ label: string; timeMs: number }>): number[] {
  const latencies: number[] = [];
  for (let i = 0; i + 1 < stamps.length; i++) {
    if (stamps[i].label === 'exit' && stamps[i + 1].label === 'start') {
      latencies.push(stamps[i + 1].timeMs - stamps[i].timeMs);
    }
  }
  return latencies;
}

export async function restart(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable> {
  const runSeconds = context.quick ? 1.2 : 2;
  const cycles = context.quick ? 1 : 3;
  const table = newTable('restart', 'Restart latency', [
    { key: 'latency', label: 'exit to next start (ms)' },
    { key: 'worst', label: 'slowest restart of a run (ms)' },
  ]);
  table.notes.push(
    `The service runs ${runSeconds} s; each run measures ${cycles} restarts and contributes their median. Both stamps are bash's $EPOCHREALTIME, so the figure includes the start of bash (about 1 ms here) for every init alike.`,
    'Only inits that restart services take part; tini and dumb-init do not supervise.',
  );

  await runEach(context, table, inits, async (init, dir) => {
    const stampFile = path.join(dir, 'stamps');
    const setup = { dir, services: [restarting('restart', stampFile, runSeconds)], graceSeconds: 5 };
    return withInit(init, setup, async (run) => {
      const enough = () => restartLatencies(readStamps(stampFile)).length >= cycles;
      const finished = await waitUntil(() => enough() || run.exit !== null, (cycles + 1) * (runSeconds + 5) * 1000, 50);
      const latencies = restartLatencies(readStamps(stampFile)).slice(0, cycles);
      if (!finished || latencies.length < cycles) {
        throw new Error(`saw ${latencies.length} of ${cycles} restarts${run.exit ? `; the init exited with code ${run.exit.code}` : ''}: ${run.outputTail.trim().slice(-300) || 'no output'}`);
      }
      return { latency: median(latencies), worst: Math.max(...latencies) };
    });
  });
  return table;
}
