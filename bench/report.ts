// Prints result tables as Markdown, so that a run can be pasted into BENCHMARKS.md as it is.

import type { ResultTable } from './scenario';
import { formatSummary, summarize } from './stats';

function markdownRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Formats one table: a row per init with `median (min-max)` per metric, then notes and errors. */
export function formatTable(table: ResultTable): string {
  const lines = [`### ${table.title}`, ''];
  if (table.rows.size > 0) {
    lines.push(markdownRow(['', ...table.metrics.map((metric) => metric.label)]));
    lines.push(markdownRow(['---', ...table.metrics.map(() => '---:')]));
    for (const [row, cells] of table.rows) {
      lines.push(markdownRow([row, ...table.metrics.map((metric) => formatSummary(summarize(cells.get(metric.key) ?? [])))]));
    }
    lines.push('');
  }
  for (const note of table.notes) {
    lines.push(`- ${note}`);
  }
  for (const error of table.errors) {
    lines.push(`- failed: ${error}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The median of one cell, or NaN when the row, the metric or every sample is missing. */
export function medianOf(tables: readonly ResultTable[], scenario: string, row: string, metric: string): number {
  const table = tables.find((candidate) => candidate.scenario === scenario);
  const summary = summarize(table?.rows.get(row)?.get(metric) ?? []);
  return summary ? summary.median : Number.NaN;
}

/** Every sample as plain JSON, for --json. */
export function tablesToJson(tables: readonly ResultTable[]): unknown {
  return tables.map((table) => ({
    scenario: table.scenario,
    title: table.title,
    metrics: table.metrics,
    rows: Object.fromEntries([...table.rows].map(([row, cells]) => [row, Object.fromEntries(cells)])),
    notes: table.notes,
    errors: table.errors,
  }));
}
