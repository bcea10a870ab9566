/**
 * Split a crontab command into a program and its arguments the way cron(8) and /bin/sh would,
 * without running a shell.
 *
 * cron(8) first cuts the line at the first unescaped `%` (the rest becomes standard input) and
 * turns `\%` into `%`. Then `sh -c` splits the words: single quotes keep everything literal,
 * double quotes keep everything except `\` before `$ \` " \\` or newline, and a backslash outside
 * quotes makes the next character literal. wingmate runs the program directly, so anything that sh
 * would expand or interpret (operators, `$`, backquotes, globs, a leading `~`, keywords, variable
 * assignments) is rejected instead of silently running differently.
 */

/** Program and arguments of a simple command. */
export interface ShellWords {
  words: string[];
}

const HINT = 'no shell runs the command, so put shell syntax in a script and run that script';

const OPERATORS: Record<string, string> = {
  '|': 'a pipe',
  '&': 'a background or "&&" operator',
  ';': 'a command separator',
  '<': 'a redirection',
  '>': 'a redirection',
  '(': 'a subshell',
  ')': 'a subshell',
};

const GLOB_CHARACTERS = new Set(['*', '?', '[']);

// Reserved words of the POSIX shell grammar. They change the meaning of a command only in command
// position, so only the first word is checked.
const RESERVED_WORDS = new Set([
  '!', '{', '}', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then',
  'until', 'while',
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Characters that a backslash inside double quotes escapes. Before any other character it stays. */
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);

type Quote = 'none' | 'single' | 'double';

/** Scanner state: the words so far, the word being built and the current quoting. */
interface Scan {
  text: string;
  words: string[];
  word: string;
  inWord: boolean;
  /** Length of `word` when its first quote or backslash came, or Infinity while it has none. */
  quotedFrom: number;
  /** quotedFrom of the first word, which sh reads differently when parts of it are unquoted. */
  firstQuotedFrom: number;
  quote: Quote;
  quoteStart: number;
}

/**
 * Split `text` into words as cron(8) and /bin/sh would, with no expansion.
 * @throws {TypeError} for shell syntax that a direct exec would not reproduce, an unescaped `%`, an
 *   unterminated quote or a trailing backslash; the message names the character and its column.
 */
export function splitShellWords(text: string): ShellWords {
  const scan: Scan = {
    text, words: [], word: '', inWord: false, quotedFrom: Infinity, firstQuotedFrom: Infinity,
    quote: 'none', quoteStart: 0,
  };

  let i = 0;
  while (i < text.length) {
    if (text[i] === '#' && scan.quote === 'none' && !scan.inWord) {
      // sh ignores the rest of the line, but cron(8) has already acted on any `%` in it.
      rejectPercentIn(text, i);
      break;
    }
    i = step(scan, i);
  }

  if (scan.quote !== 'none') {
    const name = scan.quote === 'single' ? 'single' : 'double';
    throw new TypeError(
      `unterminated ${name} quote starting at column ${scan.quoteStart + 1}: close it, or escape ` +
      `the quote character with a backslash`,
    );
  }
  endWord(scan);
  checkCommandWord(scan.words[0], scan.firstQuotedFrom);
  return { words: scan.words };
}

/** Handle the character at `i` and return the index of the next one to look at. */
function step(scan: Scan, i: number): number {
  const ch = scan.text[i];

  if (ch === '\\') {
    return escape(scan, i);
  }
  if (ch === '%') {
    throw percentError(i);
  }
  if (scan.quote === 'single') {
    if (ch === "'") {
      scan.quote = 'none';
    } else {
      scan.word += ch;
    }
    return i + 1;
  }
  if (ch === '$' || ch === '`') {
    throw expansionError(ch, i, scan.quote === 'double');
  }
  if (scan.quote === 'double') {
    if (ch === '"') {
      scan.quote = 'none';
    } else {
      scan.word += ch;
    }
    return i + 1;
  }
  return unquoted(scan, ch, i);
}

/** Handle an unquoted character other than a backslash, `%`, `$` or a backquote. */
function unquoted(scan: Scan, ch: string, i: number): number {
  if (ch === ' ' || ch === '\t') {
    endWord(scan);
    return i + 1;
  }
  if (ch === "'" || ch === '"') {
    markQuoted(scan);
    scan.quote = ch === "'" ? 'single' : 'double';
    scan.quoteStart = i;
    return i + 1;
  }
  if (ch === '\n') {
    throw new TypeError(`unquoted newline at column ${i + 1} ends the command in sh; ${HINT}`);
  }
  if (ch in OPERATORS) {
    throw new TypeError(
      `unquoted "${ch}" at column ${i + 1} is ${OPERATORS[ch]} in sh; ${HINT}, or quote it ` +
      `for a literal "${ch}"`,
    );
  }
  if (GLOB_CHARACTERS.has(ch)) {
    throw new TypeError(
      `unquoted "${ch}" at column ${i + 1} is a file name pattern that sh would expand; quote it ` +
      `for a literal "${ch}", or ${HINT}`,
    );
  }
  if (ch === '~' && !scan.inWord) {
    throw new TypeError(
      `"~" at column ${i + 1} starts a word, and sh would replace it with a home directory; ` +
      `write the directory out in full, or quote the "~" for a literal one`,
    );
  }
  scan.inWord = true;
  scan.word += ch;
  return i + 1;
}

/** Handle a backslash at `i`: cron's `\%`, then the escape rules of the current quoting. */
function escape(scan: Scan, i: number): number {
  const next = scan.text[i + 1];

  if (next === undefined && scan.quote !== 'none') {
    // Reported as the unterminated quote that it is.
    scan.word += '\\';
    return i + 1;
  }
  if (next === undefined) {
    throw new TypeError(
      `backslash at column ${i + 1} ends the command and escapes nothing: remove it, or write ` +
      `"\\\\" for a literal backslash`,
    );
  }
  if (next === '%') {
    // crontab(5): cron(8) removes the backslash, so sh gets a plain `%` in any quoting.
    markQuoted(scan);
    scan.word += '%';
    return i + 2;
  }
  if (scan.quote === 'single') {
    // sh keeps the backslash, but cron(8) pairs it with the next character, so a second
    // backslash cannot escape a following `%`. A quote after it still ends the quoting.
    if (next === '\\') {
      scan.word += '\\\\';
      return i + 2;
    }
    scan.word += '\\';
    return i + 1;
  }
  if (scan.quote === 'double') {
    if (next === '\n') {
      return i + 2;
    }
    scan.word += DOUBLE_QUOTE_ESCAPES.has(next) ? next : '\\' + next;
    return i + 2;
  }
  if (next === '\n') {
    // A line continuation: sh removes both characters.
    return i + 2;
  }
  markQuoted(scan);
  scan.word += next;
  return i + 2;
}

function markQuoted(scan: Scan): void {
  scan.inWord = true;
  scan.quotedFrom = Math.min(scan.quotedFrom, scan.word.length);
}

function endWord(scan: Scan): void {
  if (scan.inWord) {
    if (scan.words.length === 0) {
      scan.firstQuotedFrom = scan.quotedFrom;
    }
    scan.words.push(scan.word);
  }
  scan.word = '';
  scan.inWord = false;
  scan.quotedFrom = Infinity;
}

/**
 * Reject what sh would read differently in command position: an unquoted keyword, or a word whose
 * unquoted start is `NAME=` (a variable assignment).
 */
function checkCommandWord(first: string | undefined, quotedFrom: number): void {
  if (first === undefined) {
    return;
  }
  if (quotedFrom === Infinity && RESERVED_WORDS.has(first)) {
    throw new TypeError(`"${first}" is a shell keyword in command position; ${HINT}`);
  }
  if (ASSIGNMENT.test(first) && first.indexOf('=') < quotedFrom) {
    const name = first.slice(0, first.indexOf('='));
    throw new TypeError(
      `"${first}" would set the variable ${name} in sh instead of naming the program; set it ` +
      `with a "${name}=value" line above the entry`,
    );
  }
}

/** Reject an unescaped `%` anywhere from `from` on, the way cron(8) scans the whole line. */
function rejectPercentIn(text: string, from: number): void {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text[i] === '%') {
      throw percentError(i);
    }
  }
}

function percentError(i: number): TypeError {
  return new TypeError(
    `unescaped "%" at column ${i + 1}: cron(8) would end the command there and send the rest ` +
    `as standard input; write "\\%" for a literal "%", or ${HINT}`,
  );
}

function expansionError(ch: string, i: number, inDoubleQuotes: boolean): TypeError {
  const where = inDoubleQuotes ? 'inside double quotes' : 'unquoted';
  const what = ch === '$' ? 'a parameter or command substitution' : 'a command substitution';
  return new TypeError(
    `"${ch}" ${where} at column ${i + 1} starts ${what} in sh; write "\\${ch}" or put it in ` +
    `single quotes for a literal "${ch}", or ${HINT}`,
  );
}
