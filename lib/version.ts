// Kept equal to package.json's version by a test, so that no file is read at start-up to print it.
export const VERSION = '0.1.0';
