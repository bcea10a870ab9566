/**
 * Reader of `wingmate.yaml`, the configuration format of the Go original's v0.2.0: named services
 * and cron jobs, each with a command and options. Validation is strict and hand-written: every
 * problem is reported with its path (`service.web.command: expected a list of strings`) and line,
 * an entry with a problem is skipped, and the other entries still load.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import type * as YamlLibrary from 'yaml';
import type { Document, Pair, YAMLMap } from 'yaml';

import type { CronEntry } from './crontab';
import { type FieldPath, type FieldReporter, formatPath } from './yamlfields';
import { readCronJob, readService } from './yamlentry';

export const YAML_FILE_NAME = 'wingmate.yaml';

// The yaml package adds about 1 MiB of resident memory to wingmate, and most configurations have no
// wingmate.yaml, so it is loaded on the first parse instead of at start-up.
let yamlLibrary: typeof YamlLibrary | undefined;

function yamlLib(): typeof YamlLibrary {
  yamlLibrary ??= require('yaml') as typeof YamlLibrary;
  return yamlLibrary;
}

/** Options shared by services and cron jobs: how the command is started. */
export interface StartOptions {
  /** Directory to start the command in; null: wingmate's own. */
  workingDir: string | null;
  /** User to run as (name or uid), through wmexec; null: wingmate's own. */
  user: string | null;
  /** Group to run as (name or gid), through wmexec; only together with `user`. */
  group: string | null;
  /** Start the command as the leader of a new session, through wmexec. */
  setsid: boolean;
}

/** A service of wingmate.yaml. */
export interface YamlService extends StartOptions {
  /** The entry's name; the value of the `service` log field. */
  name: string;
  file: string;
  /** Line of the entry's name, from 1. */
  line: number;
  /** Program and arguments. */
  command: string[];
  /** Variables added to wingmate's environment, in the order written. */
  env: [string, string][];
  /** Pid file of a daemon that forks; the service is then run through wmpidproxy. */
  pidfile: string | null;
  /** Seconds before the first pid file check; null: wmpidproxy's WINGMATE_STARTSECS. */
  startsecs: number | null;
  /** Whether the service is started when wingmate starts. */
  autostart: boolean;
  /** Whether the service is started again after it exits. */
  autorestart: boolean;
}

/**
 * A cron job of wingmate.yaml. It is a crontab entry with a name and start options, so that the
 * scheduler runs both kinds alike. `commandText`, the value of the `cron` log field, is the name.
 */
export interface YamlCronEntry extends CronEntry, StartOptions {
  name: string;
}

/** A problem in a configuration file; `line` is null when it concerns the whole file. */
export interface ConfigProblem {
  file: string;
  line: number | null;
  message: string;
}

/** The entries of wingmate.yaml that loaded, and the problems found. */
export interface YamlConfig {
  file: string;
  services: YamlService[];
  cron: YamlCronEntry[];
  /** Invalid entries and syntax errors; the entries named here did not load. */
  errors: ConfigProblem[];
  /** Settings that are accepted but have no effect, and YAML warnings. */
  warnings: ConfigProblem[];
}

const SECTIONS = ['service', 'cron'] as const;

/**
 * Read `wingmate.yaml` of the configuration directory `dir`. Returns null when the file does not
 * exist; any other read error is returned as a problem of the whole file.
 */
export function readYamlConfig(dir: string): YamlConfig | null {
  const file = path.join(dir, YAML_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return null;
    }
    const problem = { file, line: null, message: `cannot read the file: ${code ?? String(error)}` };
    return { file, services: [], cron: [], errors: [problem], warnings: [] };
  }
  return parseYamlConfig(text, file);
}

/** Parse and check the text of wingmate.yaml; `file` is only copied into the results. */
export function parseYamlConfig(text: string, file: string): YamlConfig {
  const config: YamlConfig = { file, services: [], cron: [], errors: [], warnings: [] };
  const lineCounter = new (yamlLib().LineCounter)();
  const doc = yamlLib().parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;

  for (const warning of doc.warnings) {
    config.warnings.push({ file, line: lineAt(warning.pos[0]), message: `YAML warning: ${warning.message}` });
  }
  if (doc.errors.length > 0) {
    // A document with a syntax error may mean something else than it seems: load none of it.
    for (const error of doc.errors) {
      config.errors.push({ file, line: lineAt(error.pos[0]), message: `YAML syntax error: ${error.message}` });
    }
    return config;
  }

  const problem = (at: FieldPath, message: string): ConfigProblem => ({
    file,
    line: locate(doc, at, lineAt).line,
    message: `${formatPath(at)}: ${message}`,
  });
  const report: FieldReporter = {
    error: (at, message) => config.errors.push(problem(at, message)),
    warn: (at, message) => config.warnings.push(problem(at, message)),
    writtenText: (at) => writtenText(doc, at),
  };
  let root: unknown;
  try {
    root = doc.toJS({ mapAsMap: true });
  } catch (error) {
    // Aliases that merge themselves, or too many aliases (a "billion laughs" document).
    config.errors.push({ file, line: null, message: `YAML error: ${(error as Error).message}` });
    return config;
  }
  if (root === null) {
    return config;
  }
  if (!(root instanceof Map)) {
    report.error([], `expected a mapping with the keys "service" and "cron", got ${root instanceof Array ? 'a list' : 'a single value'}`);
    return config;
  }

  for (const [key, value] of root) {
    if (!SECTIONS.includes(key as (typeof SECTIONS)[number])) {
      report.error([String(key)], 'unknown key; the top level has only "service" and "cron"');
      continue;
    }
    for (const [name, settings] of readSection(key as string, value, report)) {
      const line = locate(doc, [key as string, name], lineAt).line ?? 1;
      if (key === 'service') {
        const service = readService(name, settings, report);
        if (service) {
          config.services.push({ ...service, file, line });
        }
      } else {
        const job = readCronJob(name, settings, report);
        if (job) {
          config.cron.push({ ...job, file, line });
        }
      }
    }
  }
  return config;
}

/** List the entries of the `service` or `cron` mapping; an empty section has none. */
function readSection(section: string, value: unknown, report: FieldReporter): [string, unknown][] {
  if (value === null) {
    return [];
  }
  if (!(value instanceof Map)) {
    report.error([section], `expected a mapping of names to settings, got ${value instanceof Array ? 'a list' : 'a single value'}`);
    return [];
  }

  const entries: [string, unknown][] = [];
  for (const [name, settings] of value) {
    if (typeof name !== 'string' || name === '') {
      const displayedName = typeof name === 'string' ? '""' : String(name);
      report.error([section, String(name)], `invalid name ${displayedName}: a name must be a non-empty string; quote it`);
      continue;
    }
    entries.push([name, settings]);
  }
  return entries;
}

/** The node at a path of the document, and the line of its key (in a mapping) or of the item (in a list). */
interface NodeLocation {
  /** The node, or undefined where the path leaves the written nodes (an alias, a merged key). */
  node: unknown;
  /** The last line found on the way; null when not even the first step was found. */
  line: number | null;
}

function locate(doc: Document, at: FieldPath, lineAt: (offset: number) => number): NodeLocation {
  let node: unknown = doc.contents;
  let line: number | null = null;

  for (const step of at) {
    node = yamlLib().isAlias(node) ? node.resolve(doc) : node;
    let next: { node: unknown; offset: number } | undefined;
    if (yamlLib().isMap(node)) {
      const pair = findPair(doc, node, String(step), new Set());
      const offset = yamlLib().isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      next = offset === undefined ? undefined : { node: pair?.value, offset };
    } else if (yamlLib().isSeq(node) && typeof step === 'number') {
      const item: unknown = node.items[step];
      const offset = yamlLib().isNode(item) ? item.range?.[0] : undefined;
      next = offset === undefined ? undefined : { node: item, offset };
    }
    if (next === undefined) {
      return { node: undefined, line };
    }
    node = next.node;
    line = lineAt(next.offset);
  }
  return { node: yamlLib().isAlias(node) ? node.resolve(doc) : node, line };
}

/**
 * Find the pair of `key` in a mapping: written in it, or else merged into it with `<<`, where the
 * first mapping merged wins. `seen` stops a mapping that merges itself.
 */
function findPair(doc: Document, map: YAMLMap, key: string, seen: Set<YAMLMap>): Pair | undefined {
  seen.add(map);
  const direct = map.items.find((pair) => yamlLib().isScalar(pair.key) && typeof pair.key.value !== 'symbol' && String(pair.key.value) === key);
  if (direct) {
    return direct;
  }

  for (const pair of map.items) {
    if (!yamlLib().isScalar(pair.key) || typeof pair.key.value !== 'symbol') {
      continue;
    }
    const sources: unknown[] = yamlLib().isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const merged = yamlLib().isAlias(source) ? source.resolve(doc) : source;
      const found = yamlLib().isMap(merged) && !seen.has(merged) ? findPair(doc, merged, key, seen) : undefined;
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

/** Return the text of the unquoted scalar at `at` as written (`0x1F`, `1.10`), or undefined. */
function writtenText(doc: Document, at: FieldPath): string | undefined {
  const { node } = locate(doc, at, () => 0);
  return yamlLib().isScalar(node) && node.type === yamlLib().Scalar.PLAIN && typeof node.source === 'string' ? node.source : undefined;
}
