// The targets the benchmark checks wingmate against: ratios to an anchor measured in the same run,
// or reference figures of the Go original (medians of 5 runs on a 2-core Linux 6.x machine).

import { medianOf } from './report';
import type { ResultTable } from './scenario';
import { formatNumber } from './stats';

const GO_RESTART_MS = 2.3;
const GO_LINES_PER_SECOND = 408_000;
const GO_CPU_PER_LINE_US = (0.48 * 1e6) / 200_000;

// A paused reader must not make wingmate hold the output in memory: 200,000 records are about
// 40 MB of JSON, so growth below this means the children were held back instead.
const BOUNDED_GROWTH_MIB = 16;

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: 'met' | 'missed' | 'not measured';
}

function check(target: string, value: number, limit: number, unit: string): TargetCheck {
  if (Number.isNaN(value)) {
    return { target, measured: 'n/a', verdict: 'not measured' };
  }
  const measured = `${formatNumber(value)} ${unit} (limit ${formatNumber(limit)} ${unit})`;
  return { target, measured, verdict: value <= limit ? 'met' : 'missed' };
}

function checkAtLeast(target: string, value: number, floor: number, unit: string): TargetCheck {
  if (Number.isNaN(value)) {
    return { target, measured: 'n/a', verdict: 'not measured' };
  }
  return { target, measured: `${formatNumber(value)} ${unit} (floor ${formatNumber(floor)} ${unit})`, verdict: value >= floor ? 'met' : 'missed' };
}

function ratio(a: number, b: number): number {
  return a / b;
}

/** Checks every target for one set of Node flags (`suffix` is the `[flags]` part of the row names). */
export function checkTargets(tables: readonly ResultTable[], suffix: string): TargetCheck[] {
  const wingmate = `wingmate${suffix}`;
  const m = (scenario: string, row: string, metric: string) => medianOf(tables, scenario, row, metric);
  const checks: TargetCheck[] = [];

  const restart = m('restart', wingmate, 'latency');
  checks.push(check('restart latency ≤ runit (ratio ≤ 1.0)', ratio(restart, m('restart', 'runit', 'latency')), 1, '× runit'));
  checks.push(check('restart latency ≤ Go original', restart, GO_RESTART_MS, 'ms'));

  checks.push(check('no zombie 50 ms after the last orphan exits', m('orphans', wingmate, 'afterLast'), 50, 'ms'));
  checks.push(check('orphan storm total ≤ 1.1× tini', ratio(m('orphans', wingmate, 'total'), m('orphans', 'tini', 'total')), 1.1, '× tini'));

  checks.push(checkAtLeast('log throughput ≥ 408,000 lines/s', m('logs', wingmate, 'rate'), GO_LINES_PER_SECOND, 'lines/s'));
  checks.push(check('log CPU per line ≤ Go original', m('logs', wingmate, 'cpuPerLine'), GO_CPU_PER_LINE_US, 'µs'));
  checks.push(check('memory bounded with a paused reader', m('logs-paused', wingmate, 'growth'), BOUNDED_GROWTH_MIB, 'MiB growth'));

  checks.push(check('shutdown ≤ 10 ms after the last service exits', m('shutdown', wingmate, 'afterLast'), 10, 'ms'));
  checks.push(check('shutdown with a stubborn service ≤ grace + 50 ms', m('shutdown-grace', wingmate, 'overGrace'), 50, 'ms over'));

  checks.push(check('idle RSS ≤ 1.2× bare node, same flags', ratio(m('idle', wingmate, 'rss'), m('idle', `node${suffix}`, 'rss')), 1.2, '× node'));
  checks.push(check('no idle wakeups without a crontab', m('idle', wingmate, 'wakeups'), 0, 'wakeups/min'));

  const cronTable = tables.find((table) => table.scenario === 'cron');
  const delays = cronTable?.rows.get(wingmate)?.get('delay') ?? [];
  checks.push(check('every cron start ≤ 100 ms after the minute', delays.length > 0 ? Math.max(...delays) : Number.NaN, 100, 'ms (slowest)'));

  checks.push(check('wmexec ≤ 1.2× node -e 0', ratio(m('exec', `wmexec${suffix}`, 'ms'), m('exec', `node -e 0${suffix}`, 'ms')), 1.2, '× node -e 0'));
  return checks;
}

/** Ratios of wingmate's medians to each anchor's, for the cells where both exist. */
export function ratioLines(tables: readonly ResultTable[], suffix: string): string[] {
  const pairs: Array<[string, string, string, string, string]> = [
    ['idle', 'rss', `wingmate${suffix}`, `node${suffix}`, 'idle RSS'],
    ['restart', 'latency', `wingmate${suffix}`, 'runit', 'restart latency'],
    ['restart', 'latency', `wingmate${suffix}`, 's6', 'restart latency'],
    ['restart', 'latency', `wingmate${suffix}`, 'supervisord', 'restart latency'],
    ['orphans', 'total', `wingmate${suffix}`, 'tini', 'orphan storm total'],
    ['orphans', 'total', `wingmate${suffix}`, 'dumb-init', 'orphan storm total'],
    ['logs', 'rate', `wingmate${suffix}`, 'supervisord', 'log lines/s'],
    ['logs', 'cpu', `wingmate${suffix}`, 'supervisord', 'log CPU'],
    ['shutdown', 'total', `wingmate${suffix}`, 'tini', 'shutdown'],
    ['shutdown', 'total', `wingmate${suffix}`, 's6', 'shutdown'],
    ['cron', 'delay', `wingmate${suffix}`, 'busybox-crond', 'cron delay'],
    ['exec', 'ms', `wmexec${suffix}`, `node -e 0${suffix}`, 'exec time'],
    ['exec', 'ms', `wmexec${suffix}`, 'setpriv', 'exec time'],
    ['exec', 'ms', `wmexec${suffix}`, 'runuser', 'exec time'],
    ['pidproxy', 'rss', `wmpidproxy${suffix}`, 'supervisor pidproxy', 'pid proxy RSS'],
  ];
  const lines: string[] = [];
  for (const [scenario, metric, row, anchor, label] of pairs) {
    const value = ratio(medianOf(tables, scenario, row, metric), medianOf(tables, scenario, anchor, metric));
    if (!Number.isNaN(value)) {
      lines.push(`| ${label} | ${row} / ${anchor} | ${formatNumber(value)} |`);
    }
  }
  return lines;
}
