// Scenario 6, cron punctuality: a `* * * * *` job that stamps its start; the delay after each
// minute boundary. Only wingmate and busybox crond have a cron.

import * as path from 'node:path';
import type { InitAdapter } from '../inits';
import { type NamespaceRun, sleep, startInNamespace } from '../namespace';
import { type BenchContext, type ResultTable, addSamples, freshDir, newTable, readStamps } from '../scenario';
import { cronJob } from '../services';

const MINUTE_MS = 60_000;

// A boundary closer than this to the start is left out: an init may still be reading its crontab.
const START_MARGIN_MS = 3000;

/** Delays in ms of the stamps after the minute boundary each belongs to, for boundaries after `fromMs`. */
export function cronDelays(stampsMs: readonly number[], fromMs: number): Map<number, number> {
  const delays = new Map<number, number>();
  for (const stamp of stampsMs) {
    const boundary = Math.floor(stamp / MINUTE_MS) * MINUTE_MS;
    if (boundary >= fromMs && !delays.has(boundary)) {
      delays.set(boundary, stamp - boundary);
    }
  }
  return delays;
}

/**
 * All inits run side by side in one long run (the runs option does not apply): each minute
 * boundary is one sample per init, and an idle cron barely competes with another.
 */
export async function cron(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable> {
  const minutes = context.quick ? 1 : 3;
  const table = newTable('cron', `Cron punctuality over ${minutes} minute boundaries`, [
    { key: 'delay', label: 'start after the minute (ms)' },
  ]);
  table.notes.push(
    'The job is bash that appends $EPOCHREALTIME, so each delay includes the start of bash. All inits run at the same time in their own namespaces; every minute boundary is one sample.',
  );

  const started: Array<{ init: InitAdapter; run: NamespaceRun; stampFile: string }> = [];
  try {
    for (const init of inits) {
      const dir = freshDir(context, `cron-${init.name}`);
      const stampFile = path.join(dir, 'stamps');
      const command = init.prepare({ dir, services: [], cronJob: cronJob(stampFile), graceSeconds: 5 });
      started.push({ init, run: startInNamespace(command.argv, command.env), stampFile });
    }
    const firstBoundary = Math.ceil((Date.now() + START_MARGIN_MS) / MINUTE_MS) * MINUTE_MS;
    const lastBoundary = firstBoundary + (minutes - 1) * MINUTE_MS;
    context.progress(`cron: ${started.length} inits side by side until ${new Date(lastBoundary).toISOString()} and 5 s more`);
    await sleep(lastBoundary + 5000 - Date.now());

    for (const entry of started) {
      const stamps = readStamps(entry.stampFile).map((stamp) => stamp.timeMs);
      const delays = cronDelays(stamps, firstBoundary);
      for (let boundary = firstBoundary; boundary <= lastBoundary; boundary += MINUTE_MS) {
        const delay = delays.get(boundary);
        if (delay === undefined) {
          table.errors.push(`${entry.init.name}: no start after ${new Date(boundary).toISOString()}${entry.run.exit ? ` (exited with code ${entry.run.exit.code}: ${entry.run.outputTail.trim().slice(-200)})` : ''}`);
        } else {
          addSamples(table, entry.init.name, { delay });
        }
      }
    }
  } finally {
    await Promise.all(started.map((entry) => entry.run.stop(3000)));
  }
  return table;
}
