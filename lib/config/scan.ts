// Reads the configuration directory: every executable regular file directly in service/ is a
// service, and crontab (if present) contains the cron jobs.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Service {
  /** The value of the `service` log field: the service file's path, or the name in wingmate.yaml. */
  name: string;
  /** The service file; undefined for a service of wingmate.yaml. */
  path?: string;
  /** Program and arguments; a service file is run with no arguments. */
  command: string[];
  /** Environment of the process; undefined: wingmate's own. */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the process; undefined: wingmate's own. */
  cwd?: string;
  /** Whether the service is started again after it exits; undefined counts as true. */
  autorestart?: boolean;
}

/** A service file of service/. */
export interface ServiceFile extends Service {
  path: string;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface ConfigScan {
  dir: string;
  serviceDir: string;
  services: ServiceFile[];
  /** Entries of service/ that are not services, with the reason, for the log. */
  skipped: SkippedEntry[];
  /** Path of the crontab when the file exists. */
  crontab: string | null;
}

/** Lists the services and the crontab of `dir`; a missing directory or file is not an error here. */
export function scanConfig(dir: string): ConfigScan {
  const serviceDir = path.join(dir, 'service');
  const { services, skipped } = scanServices(serviceDir);
  const crontab = path.join(dir, 'crontab');
  return {
    dir,
    serviceDir,
    services,
    skipped,
    crontab: isRegularFile(crontab) ? crontab : null,
  };
}

function scanServices(serviceDir: string): { services: ServiceFile[]; skipped: SkippedEntry[] } {
  const services: ServiceFile[] = [];
  const skipped: SkippedEntry[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(serviceDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      skipped.push({ path: serviceDir, reason: `cannot read the directory: ${code}` });
    }
    return { services, skipped };
  }

  for (const name of names.sort()) {
    const file = path.join(serviceDir, name);
    const reason = name.startsWith('.') ? 'a dot file' : whyNotService(file);
    if (reason) {
      skipped.push({ path: file, reason });
    } else {
      services.push({ name: file, path: file, command: [file] });
    }
  }
  return { services, skipped };
}

// Returns why `file` is not a service, or null when it is one. Symlinks are followed.
function whyNotService(file: string): string | null {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    return `cannot stat: ${(error as NodeJS.ErrnoException).code} (a dangling symlink?)`;
  }
  if (stats.isDirectory()) {
    return 'a directory (subdirectories are not entered)';
  }
  if (!stats.isFile()) {
    return 'not a regular file';
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return 'not executable (chmod +x to make it a service)';
  }
  return null;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
