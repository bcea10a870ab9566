// One adapter per init under test: which programs it needs, what it can do, and how it runs a set
// of generated services (and a crontab) as PID 1. Every adapter writes its files into a fresh
// directory of its own.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceScript } from './services';
import { shellQuote } from './shell';

export const ROOT = path.resolve(__dirname, '..');

/** Behaviour of an init at SIGTERM. */
export type ShutdownStyle =
  /** Signals the services, waits up to a grace period, then SIGKILLs what is left. */
  | 'grace'
  /** Forwards the signal and exits when its one child exits; the kernel then kills the rest. */
  | 'forward'
  /** Exits at once (runsvdir), leaving the services to the kernel's SIGKILL. */
  | 'none';

export interface InitSetup {
  /** An empty directory for this run's files. */
  dir: string;
  services: readonly ServiceScript[];
  /** A job to run every minute (`* * * * *`). */
  cronJob?: ServiceScript;
  /** Grace period at shutdown, in seconds, where the init has one. */
  graceSeconds: number;
}

export interface InitCommand {
  argv: string[];
  env: Record<string, string>;
}

export interface InitAdapter {
  /** Name in the tables, with the Node flags in brackets for wingmate variants. */
  name: string;
  /** Name accepted by --init. */
  family: string;
  /** Programs that must be on PATH, with the Debian package of each. */
  requires: ReadonlyArray<{ program: string; pkg: string }>;
  runsServices: boolean;
  /** Restarts a service that exits. */
  supervises: boolean;
  cron: boolean;
  shutdown: ShutdownStyle;
  /** Writes the init's configuration into setup.dir and returns the command to run. */
  prepare(setup: InitSetup): InitCommand;
}

function writeScript(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

function writeServices(dir: string, services: readonly ServiceScript[]): string[] {
  return services.map((service) => writeScript(path.join(dir, service.name), service.text));
}

/** Builds the command of a product: the variable's value split at spaces, or node and dist/SCRIPT. */
export function commandOf(variable: string, script: string, nodeFlags: readonly string[]): string[] {
  const custom = process.env[variable]?.trim();
  const base = custom ? custom.split(/\s+/) : [process.execPath, path.join(ROOT, 'dist', script)];

  // The flags go right after the first word, which must then be node.
  return [base[0], ...nodeFlags, ...base.slice(1)];
}

function flagLabel(name: string, nodeFlags: readonly string[]): string {
  return nodeFlags.length === 0 ? name : `${name}[${nodeFlags.join(' ')}]`;
}

/** wingmate with a configuration directory holding the services and the crontab. */
export function wingmateInit(nodeFlags: readonly string[]): InitAdapter {
  return {
    name: flagLabel('wingmate', nodeFlags),
    family: 'wingmate',
    requires: [{ program: 'unshare', pkg: 'util-linux' }],
    runsServices: true,
    supervises: true,
    cron: true,
    shutdown: 'grace',
    prepare(setup) {
      const config = path.join(setup.dir, 'etc');
      fs.mkdirSync(path.join(config, 'service'), { recursive: true });
      writeServices(path.join(config, 'service'), setup.services);
      if (setup.cronJob) {
        const job = writeScript(path.join(setup.dir, 'jobs', setup.cronJob.name), setup.cronJob.text);
        fs.writeFileSync(path.join(config, 'crontab'), `* * * * * ${job}\n`);
      }
      return {
        argv: [...commandOf('WINGMATE_BENCH_BIN', 'wingmate.js', nodeFlags), '--config', config],
        env: { WINGMATE_SHUTDOWN_TIMEOUT: String(setup.graceSeconds), WINGMATE_LOG_LEVEL: 'info' },
      };
    },
  };
}

/** Returns a bare idle node with the same flags, the memory anchor of the idle scenario. */
export function bareNode(nodeFlags: readonly string[]): InitAdapter {
  return {
    name: flagLabel('node', nodeFlags),
    family: 'node',
    requires: [],
    runsServices: false,
    supervises: false,
    cron: false,
    shutdown: 'none',
    prepare() {
      return { argv: [process.execPath, ...nodeFlags, '-e', 'setInterval(() => {}, 1 << 30)'], env: {} };
    },
  };
}

// tini and dumb-init run one child, so a shell script starts the services in the background and
// waits. Both signal the script's whole process group, which contains the services too. The trap
// makes the script wait for the services to finish after SIGTERM instead of dying at once, which
// would end the init and let the kernel SIGKILL the services.
function launcher(setup: InitSetup): string {
  const paths = writeServices(path.join(setup.dir, 'service'), setup.services);
  const lines = [...paths.map((file) => `${shellQuote(file)} &`), "trap 'wait' TERM INT", 'wait'];
  return writeScript(path.join(setup.dir, 'launcher'), `#!/bin/sh\n${lines.join('\n')}\n`);
}

function tini(): InitAdapter {
  return {
    name: 'tini',
    family: 'tini',
    requires: [{ program: 'tini', pkg: 'tini' }],
    runsServices: true,
    supervises: false,
    cron: false,
    shutdown: 'forward',
    prepare: (setup) => ({ argv: ['tini', '-g', '--', launcher(setup)], env: {} }),
  };
}

function dumbInit(): InitAdapter {
  return {
    name: 'dumb-init',
    family: 'dumb-init',
    requires: [{ program: 'dumb-init', pkg: 'dumb-init' }],
    runsServices: true,
    supervises: false,
    cron: false,
    shutdown: 'forward',
    prepare: (setup) => ({ argv: ['dumb-init', '--', launcher(setup)], env: {} }),
  };
}

function supervisord(): InitAdapter {
  return {
    name: 'supervisord',
    family: 'supervisord',
    requires: [{ program: 'supervisord', pkg: 'supervisor' }],
    runsServices: true,
    supervises: true,
    cron: false,
    shutdown: 'grace',
    prepare(setup) {
      const paths = writeServices(path.join(setup.dir, 'service'), setup.services);
      const sections = paths.map((file) => [
        `[program:${path.basename(file)}]`,
        `command=${file}`,
        'autorestart=true',
        'startsecs=0',
        `stopwaitsecs=${setup.graceSeconds}`,
        'redirect_stderr=true',
        'stdout_logfile=/dev/stderr',
        'stdout_logfile_maxbytes=0',
      ].join('\n'));
      const conf = [
        '[supervisord]',
        'nodaemon=true',
        'user=root',
        'logfile=/dev/null',
        'logfile_maxbytes=0',
        'loglevel=warn',
        `pidfile=${path.join(setup.dir, 'supervisord.pid')}`,
        `childlogdir=${setup.dir}`,
        ...sections,
      ].join('\n');
      const file = path.join(setup.dir, 'supervisord.conf');
      fs.writeFileSync(file, `${conf}\n`);
      return { argv: ['supervisord', '-n', '-c', file], env: {} };
    },
  };
}

// runit and s6 both supervise a directory of service directories, each with an executable `run`.
function serviceDirs(setup: InitSetup, root: string, extraFiles: Record<string, string> = {}): string {
  const paths = writeServices(path.join(setup.dir, 'service'), setup.services);
  for (const file of paths) {
    const serviceDir = path.join(root, path.basename(file));
    writeScript(path.join(serviceDir, 'run'), `#!/bin/sh\nexec ${shellQuote(file)}\n`);
    for (const [name, content] of Object.entries(extraFiles)) {
      fs.writeFileSync(path.join(serviceDir, name), content);
    }
  }
  fs.mkdirSync(root, { recursive: true });
  return root;
}

function runit(): InitAdapter {
  return {
    name: 'runit',
    family: 'runit',
    requires: [{ program: 'runsvdir', pkg: 'runit' }],
    runsServices: true,
    supervises: true,
    cron: false,
    shutdown: 'none',
    prepare: (setup) => ({ argv: ['runsvdir', '-P', serviceDirs(setup, path.join(setup.dir, 'runit'))], env: {} }),
  };
}

function s6(): InitAdapter {
  return {
    name: 's6',
    family: 's6',
    requires: [{ program: 's6-svscan', pkg: 's6' }],
    runsServices: true,
    supervises: true,
    cron: false,
    shutdown: 'grace',
    prepare(setup) {
      // timeout-kill: milliseconds s6-supervise waits after the stop signal before SIGKILL.
      const root = serviceDirs(setup, path.join(setup.dir, 's6'), { 'timeout-kill': `${Math.round(setup.graceSeconds * 1000)}\n` });
      return { argv: ['s6-svscan', root], env: {} };
    },
  };
}

function busyboxCrond(): InitAdapter {
  return {
    name: 'busybox-crond',
    family: 'busybox',
    requires: [{ program: 'busybox', pkg: 'busybox-static' }],
    runsServices: false,
    supervises: false,
    cron: true,
    shutdown: 'none',
    prepare(setup) {
      // busybox crond reads one crontab per user from the directory, named after the user.
      const crontabs = path.join(setup.dir, 'crontabs');
      fs.mkdirSync(crontabs, { recursive: true });
      if (setup.cronJob) {
        const job = writeScript(path.join(setup.dir, 'jobs', setup.cronJob.name), setup.cronJob.text);
        fs.writeFileSync(path.join(crontabs, 'root'), `* * * * * ${job}\n`);
      }
      return { argv: ['busybox', 'crond', '-f', '-c', crontabs, '-L', '/dev/stderr'], env: {} };
    },
  };
}

/** Wraps a plain command as PID 1, for scenarios that time programs rather than an init. */
export function plainCommand(name: string, argv: readonly string[]): InitAdapter {
  return {
    name,
    family: name,
    requires: [],
    runsServices: false,
    supervises: false,
    cron: false,
    shutdown: 'none',
    prepare: () => ({ argv: [...argv], env: {} }),
  };
}

/** Lists every init under test: wingmate and the bare node once per set of Node flags, then the anchors. */
export function allInits(flagSets: ReadonlyArray<readonly string[]>): InitAdapter[] {
  return [
    ...flagSets.map((flags) => wingmateInit(flags)),
    ...flagSets.map((flags) => bareNode(flags)),
    tini(),
    dumbInit(),
    supervisord(),
    runit(),
    s6(),
    busyboxCrond(),
  ];
}

/** Returns true when `program` is an executable file in a directory of PATH. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Lists the inits whose programs are missing, with the Debian packages that bring them. */
export function missingPrograms(inits: readonly InitAdapter[]): Array<{ init: string; program: string; pkg: string }> {
  const missing: Array<{ init: string; program: string; pkg: string }> = [];
  for (const init of inits) {
    for (const need of init.requires) {
      if (!onPath(need.program)) {
        missing.push({ init: init.name, ...need });
      }
    }
  }
  return missing;
}
