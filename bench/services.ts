// The services and cron jobs of the scenarios, as script texts. Every init runs the same files.
// Timestamps come from the services themselves: bash's $EPOCHREALTIME (no fork) or Python's
// time.time(), both the wall clock in seconds with microseconds.

import { shellQuote } from './shell';

/** Every generated service's file name starts with this, so that it is easy to tell in `ps`. */
export const SERVICE_PREFIX = 'svc-';

/** Debian's Python, not a version manager's shim, which would add a shell script to every start. */
export const PYTHON = '/usr/bin/python3';

export interface ServiceScript {
  /** File name, starting with SERVICE_PREFIX. */
  name: string;
  text: string;
}

// The shell stays as the parent of sleep (no exec), so that the service's path remains in a
// command line and the harness can see that the service runs.

/** Builds a service that sleeps until it is killed. */
export function sleeper(name: string): ServiceScript {
  return { name: SERVICE_PREFIX + name, text: '#!/bin/sh\nsleep infinity\n' };
}

/** Builds a service that exits at once on SIGTERM, after appending the time to `stampFile`. */
export function cooperative(name: string, stampFile: string): ServiceScript {
  const text = `#!/bin/bash
stamps=${shellQuote(stampFile)}
trap 'kill "$child" 2>/dev/null; echo "$EPOCHREALTIME" >> "$stamps"; exit 0' TERM
sleep infinity &
child=$!
wait
`;
  return { name: SERVICE_PREFIX + name, text };
}

/** Builds a service that ignores SIGTERM and so lasts until SIGKILL. */
export function ignoresTerm(name: string): ServiceScript {
  return { name: SERVICE_PREFIX + name, text: "#!/bin/sh\ntrap '' TERM\nsleep infinity\n" };
}

/**
 * Builds a service that runs for `seconds` and exits 0, appending `start TIME` as its first command and
 * `exit TIME` as its last to `stampFile`.
 */
export function restarting(name: string, stampFile: string, seconds: number): ServiceScript {
  const text = `#!/bin/bash
echo "start $EPOCHREALTIME" >> ${shellQuote(stampFile)}
sleep ${seconds}
echo "exit $EPOCHREALTIME" >> ${shellQuote(stampFile)}
exit 0
`;
  return { name: SERVICE_PREFIX + name, text };
}

export interface LogWriterOptions {
  lines: number;
  /** Bytes per line, the newline included. */
  lineBytes: number;
  /** The writer builds its output first, then waits for this file before it writes. */
  goFile: string;
  /** Receives the time of the first write. */
  stampFile: string;
  /** Text in the last line only. */
  marker: string;
}

/**
 * Builds a service that writes `lines` lines of `lineBytes` bytes to stdout as fast as the pipe takes
 * them (64 KiB writes of a buffer built in advance), then sleeps, so that it is not restarted.
 */
export function logWriter(name: string, options: LogWriterOptions): ServiceScript {
  const text = `#!${PYTHON}
import os, select, time

LINES = ${options.lines}
LINE_BYTES = ${options.lineBytes}
CHUNK = 65536

# The marker goes at the end of the last line, so that it arrives last even when a line is split.
def line(number, marker=''):
    head = ('line %07d ' % number).encode()
    return head.ljust(LINE_BYTES - 1 - len(marker), b'x') + marker.encode() + b'\\n'

if LINE_BYTES <= 4096:
    data = b''.join(line(number) for number in range(LINES - 1)) + line(LINES - 1, ${JSON.stringify(options.marker)})
    parts = [data]
else:
    parts = [line(0)] * (LINES - 1) + [line(LINES - 1, ${JSON.stringify(options.marker)})]

while not os.path.exists(${JSON.stringify(options.goFile)}):
    time.sleep(0.005)
with open(${JSON.stringify(options.stampFile)}, 'w') as stamp:
    stamp.write('%.6f\\n' % time.time())

for part in parts:
    view = memoryview(part)
    offset = 0
    while offset < len(view):
        try:
            offset += os.write(1, view[offset:offset + CHUNK])
        except BlockingIOError:
            select.select([], [1], [])

while True:
    time.sleep(3600)
`;
  return { name: SERVICE_PREFIX + name, text };
}

export interface OrphanStormOptions {
  count: number;
  /** Seconds to wait before forking, so that the init has settled. */
  settleSeconds: number;
  /** Seconds to wait for the zombies to go before giving up. */
  timeoutSeconds: number;
  /** Receives the result as JSON. */
  resultFile: string;
}

/**
 * Builds a service that makes `count` orphans (double fork: each middle process exits at once, so the
 * orphan is re-parented to the init), releases them together by closing a pipe they all read, and
 * watches /proc until none is left. It writes the release time, the last orphan's exit time, the
 * time the last zombie went and the largest zombie count seen, then sleeps.
 */
export function orphanStorm(name: string, options: OrphanStormOptions): ServiceScript {
  const text = `#!${PYTHON}
import json, os, time

COUNT = ${options.count}

def orphan(gate_r, gate_w, report_w):
    os.close(gate_w)
    os.write(report_w, b'%d\\n' % os.getpid())
    os.read(gate_r, 1)
    os.write(report_w, b'%.6f\\n' % time.time())
    os._exit(0)

def state_of(pid):
    try:
        with open('/proc/%d/stat' % pid, 'rb') as stat:
            text = stat.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(b')') + 2:text.rindex(b')') + 3]

def main():
    time.sleep(${options.settleSeconds})
    gate_r, gate_w = os.pipe()
    report_r, report_w = os.pipe()
    for _ in range(COUNT):
        middle = os.fork()
        if middle == 0:
            if os.fork() == 0:
                orphan(gate_r, gate_w, report_w)
            os._exit(0)
        os.waitpid(middle, 0)

    pids, exits, pending = set(), [], b''
    def read_reports():
        nonlocal pending
        try:
            pending += os.read(report_r, 65536)
        except BlockingIOError:
            return
        *lines, pending = pending.split(b'\\n')
        for line in lines:
            if b'.' in line:
                exits.append(float(line))
            else:
                pids.add(int(line))
    while len(pids) < COUNT:
        read_reports()

    os.set_blocking(report_r, False)
    released = time.time()
    os.close(gate_w)
    remaining, max_zombies, reaped_at = set(pids), 0, None
    deadline = released + ${options.timeoutSeconds}
    while time.time() < deadline and (remaining or len(exits) < COUNT):
        read_reports()
        zombies = 0
        for pid in list(remaining):
            state = state_of(pid)
            if state is None:
                remaining.discard(pid)
            elif state == b'Z':
                zombies += 1
        max_zombies = max(max_zombies, zombies)
        if not remaining and reaped_at is None:
            reaped_at = time.time()

    result = {'count': COUNT, 'released': released, 'lastExit': max(exits) if exits else None,
              'exits': len(exits), 'reapedAt': reaped_at, 'left': len(remaining), 'maxZombies': max_zombies}
    with open(${JSON.stringify(options.resultFile)} + '.tmp', 'w') as out:
        json.dump(result, out)
    os.rename(${JSON.stringify(options.resultFile)} + '.tmp', ${JSON.stringify(options.resultFile)})
    while True:
        time.sleep(3600)

main()
`;
  return { name: SERVICE_PREFIX + name, text };
}

/** Builds a cron job that appends the time it started to `stampFile`. */
export function cronJob(stampFile: string): ServiceScript {
  return { name: `${SERVICE_PREFIX}cronjob`, text: `#!/bin/bash\necho "$EPOCHREALTIME" >> ${shellQuote(stampFile)}\n` };
}
