// Turns the bytes a child writes into log lines. A line ends at "\n", and a "\r" just before it is
// dropped, as Go's bufio.ScanLines does. A line longer than MAX_RECORD_BYTES is split into
// consecutive records, never truncated. The last line is emitted at the end of the stream even
// without a newline. Bytes that are not UTF-8 become one U+FFFD each, as Go's utf8 decoder counts them.

/** The maximum length of a record, in bytes of the child's output. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** Receives each record; `continued` is true for every record of a line after its first. */
export type LineHandler = (line: string, continued: boolean) => void;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const REPLACEMENT = '\uFFFD';

// A pending line without a newline is cut only once this many bytes past the limit are known, so
// that the character at the cut and a trailing "\r" can be judged as they will be when the line ends.
const LOOKAHEAD = 4;

/** Splits a byte stream into lines; feed it with push() and finish with end(). */
export class LineSplitter {
  private partial: Buffer | null = null;
  private continuing = false;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxBytes = MAX_RECORD_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;

    // Complete the line left over from earlier chunks.
    if (this.partial !== null) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.partial = Buffer.concat([this.partial, chunk]);
        this.emitOverflow();
        return;
      }
      const line = Buffer.concat([this.partial, chunk.subarray(0, newline)]);
      this.partial = null;
      this.emitLine(line, 0, line.length);
      start = newline + 1;
    }

    // Emit the complete lines of this chunk.
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      if (last - start <= this.maxBytes) {
        this.emitShortLines(chunk, start, last);
      } else {
        this.emitLongLines(chunk, start, last);
      }
      start = last + 1;
    }

    // Keep the rest (copied, so that the chunk it came from can be freed).
    if (start < chunk.length) {
      this.partial = Buffer.from(chunk.subarray(start));
      this.emitOverflow();
    }
  }

  /** Emits the last line when the stream ends without a newline. */
  end(): void {
    if (this.partial !== null) {
      const line = this.partial;
      this.partial = null;
      this.emitLine(line, 0, line.length);
    }
    this.continuing = false;
  }

  // Fast path: every line in [start, end) is shorter than the limit, so the whole range is decoded
  // at once and split as a string.
  private emitShortLines(chunk: Buffer, start: number, end: number): void {
    const text = decodeUtf8(chunk, start, end);
    let position = 0;
    for (;;) {
      const newline = text.indexOf('\n', position);
      const lineEnd = newline === -1 ? text.length : newline;
      const textEnd = lineEnd > position && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
      this.onLine(text.slice(position, textEnd), false);
      if (newline === -1) {
        break;
      }
      position = newline + 1;
    }
  }

  private emitLongLines(chunk: Buffer, start: number, end: number): void {
    let position = start;
    while (position <= end) {
      const newline = chunk.indexOf(NEWLINE, position);
      this.emitLine(chunk, position, newline);
      position = newline + 1;
    }
  }

  // Emits one complete line (without its newline), cut into records of at most maxBytes.
  private emitLine(bytes: Buffer, start: number, end: number): void {
    if (end > start && bytes[end - 1] === CARRIAGE_RETURN) {
      end--;
    }
    while (end - start > this.maxBytes) {
      const cut = safeCut(bytes, start, start + this.maxBytes, end);
      this.onLine(decodeUtf8(bytes, start, cut), this.continuing);
      this.continuing = true;
      start = cut;
    }
    this.onLine(decodeUtf8(bytes, start, end), this.continuing);
    this.continuing = false;
  }

  // Emits full records from a pending line that has no newline yet, so memory stays bounded.
  private emitOverflow(): void {
    let pending = this.partial!;
    let start = 0;
    while (pending.length - start > this.maxBytes + LOOKAHEAD) {
      const cut = safeCut(pending, start, start + this.maxBytes, pending.length);
      this.onLine(decodeUtf8(pending, start, cut), this.continuing);
      this.continuing = true;
      start = cut;
    }
    if (start > 0) {
      pending = Buffer.from(pending.subarray(start));
    }
    this.partial = pending;
  }
}

/**
 * Returns where to cut bytes[start, end) at or before `limit` without splitting a valid UTF-8
 * character: the cut moves back to the start of a character that would cross it.
 */
export function safeCut(bytes: Buffer, start: number, limit: number, end: number): number {
  if ((bytes[limit] & 0xc0) !== 0x80) {
    return limit;
  }
  for (let lead = limit - 1; lead > limit - 4 && lead > start; lead--) {
    if ((bytes[lead] & 0xc0) !== 0x80) {
      return lead + sequenceLength(bytes, lead, end) > limit ? lead : limit;
    }
  }
  return limit;
}

/** Decodes bytes[start, end) as UTF-8, with one U+FFFD for each byte that is not part of a valid character. */
export function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, end);
  if (text.indexOf(REPLACEMENT) === -1) {
    return text;
  }
  // Rare: decode again by hand, because the built-in decoder gives one U+FFFD for a whole
  // truncated sequence, while Go (and so the Go original's log) gives one per byte.
  let result = '';
  let runStart = start;
  let position = start;
  while (position < end) {
    const length = sequenceLength(bytes, position, end);
    if (length > 0) {
      position += length;
      continue;
    }
    result += bytes.toString('utf8', runStart, position) + REPLACEMENT;
    position++;
    runStart = position;
  }
  return result + bytes.toString('utf8', runStart, end);
}

/**
 * Returns the length of the valid UTF-8 character at bytes[position] (ending by `end`), or 0 when
 * the byte does not start one. Overlong forms, surrogates and values past U+10FFFF are invalid.
 */
export function sequenceLength(bytes: Buffer, position: number, end: number): number {
  const lead = bytes[position];
  if (lead < 0x80) {
    return 1;
  }
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    low = lead === 0xe0 ? 0xa0 : 0x80;
    high = lead === 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    low = lead === 0xf0 ? 0x90 : 0x80;
    high = lead === 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if (position + length > end) {
    return 0;
  }
  const second = bytes[position + 1];
  if (second < low || second > high) {
    return 0;
  }
  for (let index = position + 2; index < position + length; index++) {
    if ((bytes[index] & 0xc0) !== 0x80) {
      return 0;
    }
  }
  return length;
}
