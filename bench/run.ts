// The benchmark harness: `npm run bench -- [options]`. It checks which inits are installed and runs
// the chosen scenarios with each init as PID 1 of a new PID namespace. It prints Markdown tables of
// medians with the range over the runs, then the ratios to the anchors and the target checks.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type InitAdapter, ROOT, allInits, missingPrograms, onPath } from './inits';
import { stopAll } from './namespace';
import { type BenchOptions, type ScenarioName, USAGE, parseOptions } from './options';
import { formatTable, tablesToJson } from './report';
import { PYTHON } from './services';
import type { BenchContext, ResultTable } from './scenario';
import { cron } from './scenarios/cron';
import { exec } from './scenarios/exec';
import { idle } from './scenarios/idle';
import { logs } from './scenarios/logs';
import { orphans } from './scenarios/orphans';
import { pidproxy } from './scenarios/pidproxy';
import { restart } from './scenarios/restart';
import { shutdown } from './scenarios/shutdown';
import { checkTargets, ratioLines } from './targets';

const APT_COMMAND = 'apt-get install tini dumb-init supervisor runit s6 busybox-static';

// Programs the harness itself and its generated services use, with their Debian packages.
const HARNESS_NEEDS: ReadonlyArray<{ program: string; pkg: string }> = [
  { program: 'unshare', pkg: 'util-linux' },
  { program: 'mkfifo', pkg: 'coreutils' },
  { program: 'bash', pkg: 'bash' },
  { program: 'python3', pkg: 'python3' },
  { program: 'start-stop-daemon', pkg: 'dpkg' },
];

// Select the inits of a scenario: only inits that restart services are timed on restarts, only
// those with a cron on cron, and the bare node only idles.
function participants(scenario: ScenarioName, inits: readonly InitAdapter[]): InitAdapter[] {
  switch (scenario) {
    case 'idle':
      return inits.filter((init) => init.runsServices || init.family === 'node');
    case 'restart':
      return inits.filter((init) => init.supervises);
    case 'cron':
      return inits.filter((init) => init.cron);
    case 'exec':
    case 'pidproxy':
      return [];
    default:
      return inits.filter((init) => init.runsServices);
  }
}

async function runScenario(name: ScenarioName, context: BenchContext, inits: InitAdapter[]): Promise<ResultTable[]> {
  const chosen = participants(name, inits);
  switch (name) {
    case 'idle':
      return [await idle(context, chosen)];
    case 'restart':
      return [await restart(context, chosen)];
    case 'orphans':
      return [await orphans(context, chosen)];
    case 'logs':
      return logs(context, chosen);
    case 'shutdown':
      return shutdown(context, chosen);
    case 'cron':
      return [await cron(context, chosen)];
    case 'exec':
      return [await exec(context)];
    case 'pidproxy':
      return [await pidproxy(context)];
  }
}

// Other work on the machine skews every figure, so the load average goes into the record.
function formatLoad(): string {
  return os.loadavg().map((load) => load.toFixed(2)).join(', ');
}

function describeMachine(options: BenchOptions): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    `- node: ${process.version} (${process.execPath})`,
    `- wingmate: ${process.env.WINGMATE_BENCH_BIN ?? `node ${path.join(ROOT, 'dist', 'wingmate.js')}`}`,
    `- command: npm run bench -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `- runs: ${options.runs}${options.quick ? ', quick' : ''}; Node flag sets: ${options.flagSets.map((set) => `'${set.join(' ')}'`).join(', ')}`,
    `- load average at the start: ${formatLoad()}`,
  ].join('\n');
}

function printSummary(tables: readonly ResultTable[], options: BenchOptions): void {
  for (const flags of options.flagSets) {
    const suffix = flags.length === 0 ? '' : `[${flags.join(' ')}]`;
    const ratios = ratioLines(tables, suffix);
    if (ratios.length > 0) {
      console.log(`### Ratios of medians, wingmate${suffix} / anchor\n\n| figure | ratio of | value |\n|---|---|---:|\n${ratios.join('\n')}\n`);
    }
    const checks = checkTargets(tables, suffix).filter((result) => result.verdict !== 'not measured');
    if (checks.length > 0) {
      const rows = checks.map((result) => `| ${result.target} | ${result.measured} | ${result.verdict} |`);
      console.log(`### Targets, wingmate${suffix}\n\n| target | measured median | verdict |\n|---|---|---|\n${rows.join('\n')}\n`);
    }
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const lacking = HARNESS_NEEDS.filter((need) => !onPath(need.program) || (need.program === 'python3' && !fs.existsSync(PYTHON)));
  if (lacking.length > 0) {
    console.error(`bench: missing ${lacking.map((need) => need.program).join(', ')}: install them as root with apt-get install ${lacking.map((need) => need.pkg).join(' ')}`);
    return 1;
  }

  // Inits whose programs are missing are left out, and the apt command that brings them is shown.
  const everyInit = allInits(options.flagSets).filter((init) => options.inits.includes(init.family));
  const missing = missingPrograms(everyInit);
  if (missing.length > 0) {
    const names = missing.map((entry) => `${entry.init} (${entry.program}, package ${entry.pkg})`).join(', ');
    console.error(`bench: left out because not installed: ${names}\nbench: to compare against them, install them as root: ${APT_COMMAND}`);
  }
  const inits = everyInit.filter((init) => !missing.some((entry) => entry.init === init.name));
  if (!fs.existsSync(path.join(ROOT, 'dist', 'wingmate.js')) && !process.env.WINGMATE_BENCH_BIN) {
    console.error('bench: dist/wingmate.js is missing: run `npm run build` first, or set WINGMATE_BENCH_BIN');
    return 1;
  }

  const startedAt = Date.now();
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wingmate-bench-'));
  const context: BenchContext = {
    runs: options.runs,
    quick: options.quick,
    flagSets: options.flagSets,
    tempRoot,
    progress: (message) => console.error(`bench: ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  ${message}`),
  };
  console.log(`## wingmate benchmark\n\n${describeMachine(options)}\n`);
  const tables: ResultTable[] = [];
  try {
    for (const name of options.only) {
      for (const table of await runScenario(name, context, inits)) {
        tables.push(table);
        console.log(formatTable(table));
      }
    }
    printSummary(tables, options);
    console.log(`Load average at the end: ${formatLoad()} (1, 5 and 15 minutes).`);
    if (options.json) {
      fs.writeFileSync(options.json, `${JSON.stringify(tablesToJson(tables), null, 2)}\n`);
    }
  } finally {
    stopAll();
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
  return 0;
}

// Ctrl-C ends every namespace the harness started before the harness itself goes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll();
    process.exit(130);
  });
}
process.on('exit', stopAll);

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  },
);
