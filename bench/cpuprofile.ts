// Summarizes a V8 CPU profile (`node --cpu-prof`): self time per function and per file, so that a
// benchmark's bottleneck can be named. Usage: npx tsx bench/cpuprofile.ts FILE.cpuprofile [TOP]

import * as fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (url === '') {
    return '(native)';
  }
  return url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/dist\//, 'dist/');
}

/** Adds up the sampled time (in ms) per key that `keyOf` gives each sample's function. */
export function selfTimes(profile: Profile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const key = keyOf(byId.get(id)!);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

function printTop(title: string, totals: Map<string, number>, top: number): void {
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  console.log(`${title} (of ${all.toFixed(1)} ms sampled)`);
  for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${key}`);
  }
  console.log('');
}

function main(): void {
  const [file, topText] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx bench/cpuprofile.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const top = Number(topText ?? 15);
  printTop('self time by function', selfTimes(profile, (node) => `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`), top);
  printTop('self time by file', selfTimes(profile, (node) => shortUrl(node.callFrame.url)), top);
}

if (require.main === module) {
  main();
}
