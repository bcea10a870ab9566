// The end of every command: write out what is still queued on stderr, then exit.

import { stderrSink } from './logsink';

/** Runs `main` and exits with its status once the log is written out; an unexpected error exits 1. */
export function runMain(main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => exitAfterFlush(code),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        return exitAfterFlush(1);
      },
    );
}

export async function exitAfterFlush(code: number): Promise<never> {
  await stderrSink().flush();
  process.exit(code);
}
