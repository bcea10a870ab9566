// Scenario 3, orphan storm: one service makes 2000 orphans that exit together; how long until no
// zombie is left, and the largest number of zombies seen at once.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InitAdapter } from '../inits';
import { waitUntil } from '../namespace';
import { type BenchContext, type ResultTable, newTable, runEach, withInit } from '../scenario';
import { orphanStorm } from '../services';

interface StormResult {
  count: number;
  released: number;
  lastExit: number | null;
  exits: number;
  reapedAt: number | null;
  left: number;
  maxZombies: number;
}

const COUNT = 2000;

export async function orphans(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable> {
  const timeoutSeconds = context.quick ? 5 : 40;
  const table = newTable('orphans', `Orphan storm (${COUNT} orphans)`, [
    { key: 'total', label: 'release to no zombie (ms)' },
    { key: 'afterLast', label: 'last exit to no zombie (ms)' },
    { key: 'maxZombies', label: 'max zombies seen at once' },
  ]);
  table.notes.push(
    'The service (Python) double-forks the orphans, which block on a pipe; closing it releases them all. Each orphan stamps time.time() just before _exit, and the service scans /proc/PID/stat of every orphan in a loop until all are gone, so the end time has the resolution of one scan (a few ms while many remain, well under 1 ms at the end).',
    `A run fails when zombies are still there ${timeoutSeconds} s after the release.`,
  );

  await runEach(context, table, inits, async (init, dir) => {
    const resultFile = path.join(dir, 'result.json');
    const service = orphanStorm('orphans', { count: COUNT, settleSeconds: 1, timeoutSeconds, resultFile });
    return withInit(init, { dir, services: [service], graceSeconds: 5 }, async (run) => {
      await waitUntil(() => fs.existsSync(resultFile) || run.exit !== null, (timeoutSeconds + 30) * 1000, 50);
      if (!fs.existsSync(resultFile)) {
        throw new Error(`no result from the orphan service: ${run.outputTail.trim().slice(-300) || 'no output'}`);
      }
      const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as StormResult;
      if (result.left > 0 || result.reapedAt === null || result.lastExit === null) {
        throw new Error(`${result.left} of ${COUNT} orphans were still there (zombies or alive) ${timeoutSeconds} s after the release; ${result.exits} had exited`);
      }
      return {
        total: (result.reapedAt - result.released) * 1000,
        afterLast: (result.reapedAt - result.lastExit) * 1000,
        maxZombies: result.maxZombies,
      };
    });
  });
  return table;
}
