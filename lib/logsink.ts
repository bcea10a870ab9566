// The writing end of the log. It batches records into few writes and pauses the producers while the
// reader of stderr is slow. Once stderr has failed it keeps going and counts the records it drops.

import type { Writable } from 'node:stream';

// Node queues writes to a pipe in memory without limit. Past this many queued bytes the producers
// (the children's pipes) are asked to pause, so memory stays bounded while the reader is slow.
const DEFAULT_HIGH_WATER = 1024 * 1024;

export interface FlowControl {
  pause(): void;
  resume(): void;
}

// Records are encoded straight into slabs of this size, or larger for a long record. Bytes handed to
// the stream are never written again, because a pipe may still hold them.
const SLAB_BYTES = 64 * 1024;

export class LogSink {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  /** Start of the bytes in the slab not yet handed to the stream. */
  private slabStart = 0;
  private slabEnd = 0;
  /** Filled parts of earlier slabs, waiting for the next flush. */
  private pending: Buffer[] = [];
  private pendingRecords = 0;
  private flushScheduled = false;
  private congested = false;
  private failed: Error | null = null;
  private readonly flowControls = new Set<FlowControl>();
  /** Records discarded because stderr failed. */
  dropped = 0;

  private readonly highWater: number;

  constructor(
    private readonly stream: Writable,
    highWater = DEFAULT_HIGH_WATER,
  ) {
    // The stream emits 'drain' only after its own highWaterMark was passed, so a lower bound here
    // would pause the producers for ever.
    this.highWater = Math.max(highWater, stream.writableHighWaterMark);
    stream.on('error', (error: Error) => this.fail(error));
    stream.on('drain', () => this.onDrain());
  }

  /** Queues one record (ending in a newline); it is written once the current task is done. */
  write(record: string): void {
    if (this.failed) {
      this.dropped++;
      return;
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, so the record always fits.
    const maxBytes = record.length * 3;
    if (this.slabEnd + maxBytes > this.slab.length) {
      this.nextSlab(maxBytes);
    }
    this.slabEnd += this.slab.write(record, this.slabEnd, 'utf8');
    this.pendingRecords++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushPending());
    }
  }

  /** Registers a producer to pause while stderr is congested. */
  addFlowControl(control: FlowControl): void {
    this.flowControls.add(control);
    if (this.congested) {
      control.pause();
    }
  }

  removeFlowControl(control: FlowControl): void {
    this.flowControls.delete(control);
  }

  get isCongested(): boolean {
    return this.congested;
  }

  get error(): Error | null {
    return this.failed;
  }

  /** Resolves once everything queued so far has been handed to the kernel, or stderr has failed. */
  flush(): Promise<void> {
    this.flushPending();
    if (this.failed || this.stream.writableLength === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }

  private nextSlab(minBytes: number): void {
    this.takeSlabBytes();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, minBytes));
    this.slabStart = 0;
    this.slabEnd = 0;
  }

  private takeSlabBytes(): void {
    if (this.slabEnd > this.slabStart) {
      this.pending.push(this.slab.subarray(this.slabStart, this.slabEnd));
      this.slabStart = this.slabEnd;
    }
  }

  private flushPending(): void {
    this.flushScheduled = false;
    this.takeSlabBytes();
    if (this.pending.length === 0) {
      return;
    }
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const records = this.pendingRecords;
    this.pending = [];
    this.pendingRecords = 0;
    if (this.failed) {
      this.dropped += records;
      return;
    }
    this.stream.write(bytes);
    if (!this.congested && this.stream.writableLength > this.highWater) {
      this.congested = true;
      for (const control of this.flowControls) {
        control.pause();
      }
    }
  }

  private onDrain(): void {
    if (!this.congested || this.failed) {
      return;
    }
    this.congested = false;
    for (const control of this.flowControls) {
      control.resume();
    }
  }

  // Once stderr fails (EPIPE when its reader went away), children must still be drained so that
  // they never block on a full pipe; their records are counted and discarded.
  private fail(error: Error): void {
    if (this.failed) {
      return;
    }
    this.failed = error;
    this.dropped += this.pendingRecords;
    this.pending = [];
    this.slabStart = this.slabEnd;
    this.pendingRecords = 0;
    if (this.congested) {
      this.congested = false;
      for (const control of this.flowControls) {
        control.resume();
      }
    }
  }
}

let processSink: LogSink | undefined;

/** Returns the one sink on process.stderr, so that all loggers share its back-pressure. */
export function stderrSink(): LogSink {
  processSink ??= new LogSink(process.stderr);
  return processSink;
}
