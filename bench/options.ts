// The benchmark's command line.

export const SCENARIOS = ['idle', 'restart', 'orphans', 'logs', 'shutdown', 'cron', 'exec', 'pidproxy'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const INIT_FAMILIES = ['wingmate', 'node', 'tini', 'dumb-init', 'supervisord', 'runit', 's6', 'busybox'] as const;

export interface BenchOptions {
  quick: boolean;
  runs: number;
  only: ScenarioName[];
  inits: string[];
  /** Sets of Node flags; the empty set is a run without flags. */
  flagSets: string[][];
  /** File to write every sample to, as JSON. */
  json: string | null;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--only SCENARIO[,..]] [--init NAME[,..]]
                        [--node-flags 'FLAGS[;FLAGS..]'] [--json FILE]

Runs wingmate and the inits people use instead (tini, dumb-init, supervisord, runit, s6, busybox
crond) as PID 1 of new PID namespaces with the same generated services, and prints medians with
the range over the runs.

options:
  --quick              a run of about two minutes: 1 run, shorter windows, and no cron scenario
                       unless --only names it (it waits for minute boundaries)
  --runs N             runs per init and scenario (default 5; 1 with --quick)
  --only LIST          scenarios to run, comma-separated: ${SCENARIOS.join(', ')}
  --init LIST          inits for scenarios idle to cron: ${INIT_FAMILIES.join(', ')}
  --node-flags SETS    sets of Node flags separated by ';', each run as its own wingmate, wmexec,
                       wmpidproxy and bare node row; an empty set means no flags (default: one empty set)
  --json FILE          also write every sample to FILE
  -h, --help           print this help

environment:
  WINGMATE_BENCH_BIN   command that runs wingmate (default: node dist/wingmate.js of this tree)
  WMEXEC_BENCH_BIN     command that runs wmexec (default: node dist/wmexec.js)
  WMPIDPROXY_BENCH_BIN command that runs wmpidproxy (default: node dist/wmpidproxy.js)
  With --node-flags, the first word of these commands must be node: the flags go right after it.`;

function splitList(value: string, allowed: readonly string[], option: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new Error(`invalid ${option} value '${item}': expected one of ${allowed.join(', ')}`);
    }
  }
  return items;
}

/** Parses the command line. @throws Error naming the invalid option or value */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, runs: 0, only: [...SCENARIOS], inits: [...INIT_FAMILIES], flagSets: [[]], json: null, help: false };
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) {
        throw new Error(`missing value for ${flag}`);
      }
      return next;
    };
    switch (flag) {
      case '--quick':
        options.quick = true;
        break;
      case '--runs': {
        const text = value();
        options.runs = Number(text);
        if (!Number.isInteger(options.runs) || options.runs < 1) {
          throw new Error(`invalid --runs value '${text}': expected a whole number of 1 or more`);
        }
        break;
      }
      case '--only':
        options.only = splitList(value(), SCENARIOS, '--only') as ScenarioName[];
        onlyGiven = true;
        break;
      case '--init':
        options.inits = splitList(value(), INIT_FAMILIES, '--init');
        break;
      case '--node-flags':
        options.flagSets = value().split(';').map((set) => set.trim().split(/\s+/).filter((flag) => flag !== ''));
        break;
      case '--json':
        options.json = value();
        break;
      case '-h':
      case '--help':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option '${argv[i]}'`);
    }
  }
  if (options.runs === 0) {
    options.runs = options.quick ? 1 : 5;
  }
  if (options.quick && !onlyGiven) {
    options.only = options.only.filter((name) => name !== 'cron');
  }
  return options;
}
