// Parts every scenario shares: the context it runs in, the shape of its results, and the loop that
// runs each init several times and keeps the samples (or the error) of every run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InitAdapter, InitSetup } from './inits';
import { type NamespaceRun, sleep, startInNamespace, waitUntil } from './namespace';
import { readCommandLine } from './proc';
import type { ServiceScript } from './services';

export interface BenchContext {
  runs: number;
  quick: boolean;
  /** Sets of Node flags: wingmate, wmexec, wmpidproxy and the bare node run once per set. */
  flagSets: ReadonlyArray<readonly string[]>;
  /** A directory for this benchmark's files, removed at the end. */
  tempRoot: string;
  /** Prints a progress line on stderr. */
  progress(message: string): void;
}

/** A column of a result table. */
export interface Metric {
  key: string;
  label: string;
}

/** One table: samples per row (usually an init) and metric, plus notes and errors. */
export interface ResultTable {
  scenario: string;
  title: string;
  metrics: Metric[];
  rows: Map<string, Map<string, number[]>>;
  /** Remarks on how figures were taken and why a row or cell is missing. */
  notes: string[];
  errors: string[];
}

export function newTable(scenario: string, title: string, metrics: Metric[]): ResultTable {
  return { scenario, title, metrics, rows: new Map(), notes: [], errors: [] };
}

/** Adds the samples of one run of `row` to the table. */
export function addSamples(table: ResultTable, row: string, samples: Record<string, number>): void {
  let cells = table.rows.get(row);
  if (!cells) {
    cells = new Map(table.metrics.map((metric) => [metric.key, []]));
    table.rows.set(row, cells);
  }
  for (const [key, value] of Object.entries(samples)) {
    if (!cells.has(key)) {
      throw new Error(`metric "${key}" is not a column of the ${table.scenario} table`);
    }
    cells.get(key)!.push(value);
  }
}

let runCounter = 0;

/** Creates a new empty directory under the benchmark's temporary root. */
export function freshDir(context: BenchContext, label: string): string {
  runCounter += 1;
  const dir = path.join(context.tempRoot, `${runCounter}-${label.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// Time an init gets to exit on SIGTERM at the end of a run before the namespace is killed.
const STOP_GRACE_MS = 3000;

/**
 * Writes the init's configuration for `setup`, starts it as PID 1 of a new namespace, runs `body`
 * and then ends the namespace, whatever `body` did.
 */
export async function withInit<T>(init: InitAdapter, setup: InitSetup, body: (run: NamespaceRun) => Promise<T>): Promise<T> {
  const command = init.prepare(setup);
  const run = startInNamespace(command.argv, command.env);
  try {
    await run.pid1();
    return await body(run);
  } finally {
    await run.stop(STOP_GRACE_MS);
  }
}

/**
 * Waits until every service runs: a process whose command line contains the service's file name
 * (a script keeps its path in its command line, unlike a program it execs).
 */
export async function waitForServices(run: NamespaceRun, services: readonly ServiceScript[], timeoutMs = 10_000): Promise<void> {
  const running = () => {
    if (run.exit) {
      throw new Error(`the init exited (code ${run.exit.code}, signal ${run.exit.signal}): ${run.outputTail.trim().slice(-300) || 'no output'}`);
    }
    const lines = run.processes().map((proc) => readCommandLine(proc.pid));
    return services.filter((service) => lines.some((line) => line.includes(`/${service.name}`))).length;
  };
  if (!(await waitUntil(() => running() >= services.length, timeoutMs, 20))) {
    throw new Error(`${running()} of ${services.length} services were running after ${timeoutMs} ms: ${run.outputTail.trim().slice(-300) || 'no output'}`);
  }
}

/**
 * Runs `measure` for every init, `runs` times, interleaving the inits so that a slow phase of the
 * machine touches all of them alike. A failed run is recorded as an error and the others go on.
 */
export async function runEach<T extends InitAdapter>(
  context: BenchContext,
  table: ResultTable,
  inits: readonly T[],
  measure: (init: T, dir: string) => Promise<Record<string, number>>,
): Promise<void> {
  for (let index = 0; index < context.runs; index++) {
    for (const init of inits) {
      context.progress(`${table.scenario}: ${init.name}, run ${index + 1} of ${context.runs}`);
      try {
        addSamples(table, init.name, await measure(init, freshDir(context, `${table.scenario}-${init.name}`)));
      } catch (error) {
        table.errors.push(`${init.name}, run ${index + 1}: ${(error as Error).message}`);
      }
      await sleep(200);
    }
  }
}

/** Reads the wall-clock times (seconds, as bash's $EPOCHREALTIME writes them) of a stamp file, in ms. */
export function readStamps(file: string): Array<{ label: string; timeMs: number }> {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const words = line.trim().split(/\s+/);
      return { label: words.length > 1 ? words[0] : '', timeMs: Number(words[words.length - 1]) * 1000 };
    });
}
