// Scenario 7, exec overhead: `wmexec --user nobody -- /bin/true` against setpriv and runuser doing
// the same, `node -e 0` (the start-up floor of any Node program) and /bin/true itself.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandOf, onPath, plainCommand } from '../inits';
import { type BenchContext, type ResultTable, addSamples, freshDir, newTable, withInit } from '../scenario';
import { shellQuote } from '../shell';

interface Contender {
  name: string;
  argv: string[];
}

function contenders(context: BenchContext): { list: Contender[]; missing: string[] } {
  const list: Contender[] = [];
  for (const flags of context.flagSets) {
    const suffix = flags.length === 0 ? '' : `[${flags.join(' ')}]`;
    list.push({ name: `wmexec${suffix}`, argv: [...commandOf('WMEXEC_BENCH_BIN', 'wmexec.js', flags), '--user', 'nobody', '--', '/bin/true'] });
    list.push({ name: `node -e 0${suffix}`, argv: [process.execPath, ...flags, '-e', '0'] });
  }
  const missing: string[] = [];
  for (const [name, argv] of [
    ['setpriv', ['setpriv', '--reuid', 'nobody', '--init-groups', '/bin/true']],
    ['runuser', ['runuser', '-u', 'nobody', '--', '/bin/true']],
  ] as const) {
    if (onPath(name)) {
      list.push({ name, argv: [...argv] });
    } else {
      missing.push(name);
    }
  }
  list.push({ name: '/bin/true', argv: ['/bin/true'] });
  return { list, missing };
}

// bash times each command with $EPOCHREALTIME, so fork and exec by bash count for every command
// alike; the rounds take the commands in turn so that a slow moment of the machine hits all.
function timingScript(list: readonly Contender[], rounds: number): string {
  const lines = ['#!/bin/bash', `for round in $(seq ${rounds}); do`];
  list.forEach((contender, index) => {
    lines.push(`  start=$EPOCHREALTIME; ${contender.argv.map(shellQuote).join(' ')} >/dev/null 2>&1; status=$?; end=$EPOCHREALTIME`);
    lines.push(`  echo "${index} $status $start $end"`);
  });
  lines.push('done');
  return `${lines.join('\n')}\n`;
}

export async function exec(context: BenchContext): Promise<ResultTable> {
  const rounds = context.quick ? 5 : 20;
  const table = newTable('exec', `Exec overhead, ${rounds} runs per command and run`, [
    { key: 'ms', label: 'spawn to exit (ms)' },
  ]);
  const { list, missing } = contenders(context);
  table.notes.push(
    'Timed by bash with $EPOCHREALTIME around each command, inside a PID namespace, so each figure includes bash\'s fork and exec. wmexec is `node dist/wmexec.js` (or WMEXEC_BENCH_BIN), without the launcher script. Each cell is over every run of every round.',
  );
  for (const name of missing) {
    table.notes.push(`${name} is not installed (util-linux), so it is left out.`);
  }

  for (let index = 0; index < context.runs; index++) {
    context.progress(`exec: run ${index + 1} of ${context.runs}`);
    const dir = freshDir(context, 'exec');
    const script = path.join(dir, 'time-commands');
    fs.writeFileSync(script, timingScript(list, rounds), { mode: 0o755 });
    const output: Buffer[] = [];
    await withInit(plainCommand('bash', [script]), { dir, services: [], graceSeconds: 0 }, async (run) => {
      run.onOutputChunk((chunk) => output.push(chunk));
      await run.waitExit(rounds * list.length * 10_000);
    });
    collect(table, list, Buffer.concat(output).toString('utf8'));
  }
  return table;
}

function collect(table: ResultTable, list: readonly Contender[], text: string): void {
  const failures = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\d+) ([\d.]+) ([\d.]+)$/.exec(line.trim());
    if (!match) {
      continue;
    }
    const contender = list[Number(match[1])];
    if (match[2] !== '0') {
      failures.set(contender.name, Number(match[2]));
      continue;
    }
    addSamples(table, contender.name, { ms: (Number(match[4]) - Number(match[3])) * 1000 });
  }
  for (const [name, status] of failures) {
    table.errors.push(`${name} exited with status ${status}, so its runs are left out`);
  }
}
