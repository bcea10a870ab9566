// Scenario 4, log throughput. A service writes 200,000 lines of 100 bytes (then 1 MiB lines) as fast
// as it can, and the harness measures the time until the last line is out of the init and the
// init's CPU time. A third variant stops reading the init's output for 5 s and samples its memory.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InitAdapter } from '../inits';
import { type NamespaceRun, nowMs, sleep, waitUntil, withTimeout } from '../namespace';
import { initTree, readProcessStat, readRssKiB, ticksToMs } from '../proc';
import { type BenchContext, type ResultTable, newTable, readStamps, runEach, waitForServices, withInit } from '../scenario';
import { logWriter } from '../services';

const MARKER = 'wingmate-bench-last-line';

interface Variant {
  lines: number;
  lineBytes: number;
  /** Milliseconds to stop reading the init's output once the writer starts. */
  pauseMs: number;
}

interface Outcome {
  seconds: number;
  cpuMs: number;
  rssBeforeKiB: number;
  peakRssKiB: number;
  rssAfterKiB: number;
  bytesSeen: number;
}

function treeCpuMs(run: NamespaceRun, pid1: number): number {
  const init = initTree(run.processes(), pid1);
  return ticksToMs(init.reduce((total, proc) => total + (readProcessStat(proc.pid)?.cpuTicks ?? 0), 0));
}

/** Resolves with the time the marker went past on the init's stdout or stderr. */
function watchForMarker(run: NamespaceRun, counter: { bytes: number }): Promise<number> {
  const marker = Buffer.from(MARKER);
  let carry = Buffer.alloc(0);
  return new Promise((resolve) => {
    run.onOutputChunk((chunk) => {
      counter.bytes += chunk.length;
      const window = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, marker.length)]) : Buffer.alloc(0);
      if (chunk.includes(marker) || window.includes(marker)) {
        resolve(nowMs());
      }
      carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - marker.length + 1)));
    });
  });
}

async function measureVariant(init: InitAdapter, dir: string, variant: Variant, settleMs: number): Promise<Outcome> {
  const goFile = path.join(dir, 'go');
  const stampFile = path.join(dir, 'start');
  const service = logWriter('writer', { lines: variant.lines, lineBytes: variant.lineBytes, goFile, stampFile, marker: MARKER });
  return withInit(init, { dir, services: [service], graceSeconds: 5 }, async (run) => {
    const pid1 = await run.pid1();
    await waitForServices(run, [service]);

    // The writer builds its output before it looks for the go file and stamps the time only then,
    // so a short settle cannot shorten the measured time.
    await sleep(settleMs);
    const counter = { bytes: 0 };
    const seen = watchForMarker(run, counter);
    const cpuBefore = treeCpuMs(run, pid1);
    const rssBeforeKiB = readRssKiB(pid1);
    let peakRssKiB = rssBeforeKiB;
    if (variant.pauseMs > 0) {
      run.pauseOutput();
    }
    fs.writeFileSync(goFile, '');

    if (variant.pauseMs > 0) {
      const resumeAt = Date.now() + variant.pauseMs;
      while (Date.now() < resumeAt) {
        peakRssKiB = Math.max(peakRssKiB, readRssKiB(pid1) || 0);
        await sleep(50);
      }
      run.resumeOutput();
    }

    const timeoutMs = 120_000;
    const arrival = await withTimeout(seen, timeoutMs);
    if (arrival === null) {
      throw new Error(`the last line did not arrive within ${timeoutMs / 1000} s (${counter.bytes} bytes seen): ${run.outputTail.trim().slice(-300)}`);
    }
    const cpuMs = treeCpuMs(run, pid1) - cpuBefore;
    const rssAfterKiB = readRssKiB(pid1);
    await waitUntil(() => readStamps(stampFile).length > 0, 1000);
    const start = readStamps(stampFile)[0]?.timeMs ?? Number.NaN;
    return { seconds: (arrival - start) / 1000, cpuMs, rssBeforeKiB, peakRssKiB: Math.max(peakRssKiB, rssAfterKiB || 0), rssAfterKiB, bytesSeen: counter.bytes };
  });
}

/** Returns the three tables: short lines, 1 MiB lines, and short lines with a paused reader. */
export async function logs(context: BenchContext, inits: readonly InitAdapter[]): Promise<ResultTable[]> {
  const lines = 200_000;
  const bigLines = context.quick ? 16 : 64;
  const pauseMs = context.quick ? 1000 : 5000;
  const settleMs = context.quick ? 300 : 1000;
  const mib = 1024 * 1024;

  const short = newTable('logs', `Log throughput, ${lines} lines of 100 bytes`, [
    { key: 'seconds', label: 'time to last line (s)' },
    { key: 'rate', label: 'lines/s' },
    { key: 'cpu', label: 'init CPU (ms)' },
    { key: 'cpuPerLine', label: 'init CPU per line (µs)' },
    { key: 'rssAfter', label: 'PID 1 RSS after (MiB)' },
  ]);
  short.notes.push(
    'The time runs from the writer\'s first write (its own stamp) to the moment the harness reads the last line from the init\'s stdout or stderr. Inits that hand their own stdout and stderr to the services (tini, dumb-init, runit, s6) do not touch the lines, so their row is the cost of the pipe and the reader; wingmate re-encodes every line as a JSON record, supervisord copies it.',
    'CPU is utime+stime of the init tree (without the writer), with the 10 ms resolution of /proc.',
  );
  const big = newTable('logs-1mib', `Log throughput, ${bigLines} lines of 1 MiB`, [
    { key: 'seconds', label: 'time to last line (s)' },
    { key: 'rate', label: 'MiB/s' },
    { key: 'cpu', label: 'init CPU (ms)' },
  ]);
  const paused = newTable('logs-paused', `${lines} lines of 100 bytes with the reader paused ${pauseMs / 1000} s`, [
    { key: 'rssBefore', label: 'PID 1 RSS before (MiB)' },
    { key: 'rssPeak', label: 'PID 1 peak RSS (MiB)' },
    { key: 'growth', label: 'growth (MiB)' },
    { key: 'seconds', label: 'time to last line (s)' },
  ]);
  paused.notes.push('The harness stops reading the init\'s stdout and stderr when the writer starts, samples VmRSS of PID 1 every 50 ms, and reads again after the pause; the time includes the pause.');

  await runEach(context, short, inits, async (init, dir) => {
    const outcome = await measureVariant(init, dir, { lines, lineBytes: 100, pauseMs: 0 }, settleMs);
    return {
      seconds: outcome.seconds,
      rate: lines / outcome.seconds,
      cpu: outcome.cpuMs,
      cpuPerLine: (outcome.cpuMs * 1000) / lines,
      rssAfter: outcome.rssAfterKiB / 1024,
    };
  });
  await runEach(context, big, inits, async (init, dir) => {
    const outcome = await measureVariant(init, dir, { lines: bigLines, lineBytes: mib, pauseMs: 0 }, settleMs);
    return { seconds: outcome.seconds, rate: bigLines / outcome.seconds, cpu: outcome.cpuMs };
  });
  await runEach(context, paused, inits, async (init, dir) => {
    const outcome = await measureVariant(init, dir, { lines, lineBytes: 100, pauseMs }, settleMs);
    return {
      rssBefore: outcome.rssBeforeKiB / 1024,
      rssPeak: outcome.peakRssKiB / 1024,
      growth: (outcome.peakRssKiB - outcome.rssBeforeKiB) / 1024,
      seconds: outcome.seconds,
    };
  });
  return [short, big, paused];
}
