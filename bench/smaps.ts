// Shows where a process's resident memory is: Rss from /proc/PID/smaps added up per mapping (the
// node binary, each shared library, malloc's [heap], and anonymous memory such as the V8 heap).
// Run it as root to read another user's process. Usage: npx tsx bench/smaps.ts PID [TOP]

import * as fs from 'node:fs';

/** Adds up the Rss (KiB) of every mapping in smaps `text`, by file name or `[anonymous]`. */
export function rssByMapping(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  let current = '[anonymous]';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = header[1].trim() || '[anonymous]';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      totals.set(current, (totals.get(current) ?? 0) + Number(rss[1]));
    }
  }
  return totals;
}

function main(): void {
  const [pid, topText] = process.argv.slice(2);
  if (!pid || !/^\d+$/.test(pid)) {
    console.error('usage: npx tsx bench/smaps.ts PID [TOP]');
    process.exit(2);
  }
  const totals = rssByMapping(fs.readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  console.log(`Rss of pid ${pid}: ${(all / 1024).toFixed(1)} MiB`);
  for (const [name, kib] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(topText ?? 12))) {
    console.log(`${(kib / 1024).toFixed(2).padStart(8)} MiB  ${name}`);
  }
}

if (require.main === module) {
  main();
}
