// Exit statuses that callers and shells rely on.

export const EXIT_OK = 0;
/** The command's own failure while running. */
export const EXIT_FAILURE = 1;
/** A usage error: unknown flag, missing value, invalid environment value. */
export const EXIT_USAGE = 2;
/** The command was found but could not be executed, as sh reports it. */
export const EXIT_NOT_EXECUTABLE = 126;
/** The command was not found, as sh reports it. */
export const EXIT_NOT_FOUND = 127;
/** A child killed by signal N is reported as 128 + N, as sh does. */
export const EXIT_SIGNAL_BASE = 128;
