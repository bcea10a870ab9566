// Summary statistics for benchmark samples: the median and the range of a set of runs.

/** Median, minimum and maximum of a set of samples, and how many there were. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}

/**
 * Returns the median of `values`: the middle value, or the mean of the two middle values for an
 * even count. NaN values are left out.
 * @throws RangeError when no value is left
 */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    throw new RangeError('median: no samples (every run failed or produced NaN)');
  }
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Summarizes `values`, or returns null when there is none. NaN values are left out. */
export function summarize(values: readonly number[]): Summary | null {
  const kept = values.filter((value) => !Number.isNaN(value));
  if (kept.length === 0) {
    return null;
  }
  return { median: median(kept), min: Math.min(...kept), max: Math.max(...kept), count: kept.length };
}

/** Formats a number with about three significant digits, without an exponent. */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) {
    return Math.round(value).toString();
  }
  if (magnitude >= 10) {
    return value.toFixed(1);
  }
  if (magnitude >= 1) {
    return value.toFixed(2);
  }
  return value.toPrecision(2);
}

/** Formats a summary as `median (min-max)`, or just the value for a single sample. */
export function formatSummary(summary: Summary | null): string {
  if (summary === null) {
    return 'n/a';
  }
  if (summary.count === 1 || summary.min === summary.max) {
    return formatNumber(summary.median);
  }
  return `${formatNumber(summary.median)} (${formatNumber(summary.min)}-${formatNumber(summary.max)})`;
}
