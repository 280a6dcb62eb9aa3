import { errorMessage, type Logger, silentLogger } from '../core/index.js';
import type { CallRecordInput, ConnectorStore } from '../store/index.js';

export interface RecorderOptions {
  /** How long buffered records wait before they are written together. Default 250 ms. */
  flushMs?: number;
  /** Write at once when this many are buffered. Default 500. */
  batchSize?: number;
  /** Records older than this are pruned. Default 7 days. */
  retentionMs?: number;
  /** How often old records are pruned. Default 10 minutes. */
  pruneEveryMs?: number;
  /** Most records held while the store does not answer; older ones are dropped with a warning. */
  maxBuffered?: number;
}

/**
 * Call records leave the call path at once: they are buffered and written in batches (each batch one
 * group-committed operation), so monitoring costs a small fraction of a write per call. Retention
 * is bounded by age.
 */
export class CallRecorder {
  private buffer: CallRecordInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private dropped = 0;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly store: ConnectorStore,
    options: RecorderOptions = {},
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.flushMs = options.flushMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
    this.pruneEveryMs = options.pruneEveryMs ?? 600_000;
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.lastPrune = this.now();
  }

  record(call: CallRecordInput): void {
    this.buffer.push(call);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer.shift();
      this.dropped++;
    }
    if (this.buffer.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is buffered; resolves once it is durable (or the write failed and was logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: CallRecordInput[]): Promise<void> {
    if (this.dropped > 0) {
      this.log.warn('connector call records dropped while the store did not answer', {
        dropped: this.dropped,
      });
      this.dropped = 0;
    }
    if (batch.length > 0) {
      try {
        await this.store.recordCalls(batch);
      } catch (err) {
        // keep them for the next flush; monitoring must never fail a call
        this.buffer = [...batch, ...this.buffer].slice(-this.maxBuffered);
        this.log.warn('connector call records not written; retrying with the next batch', {
          error: errorMessage(err),
        });
        return;
      }
    }
    const now = this.now();
    if (now - this.lastPrune >= this.pruneEveryMs) {
      this.lastPrune = now;
      await this.store.pruneCalls(now - this.retentionMs).catch((err) => {
        this.log.warn('connector call records not pruned', { error: errorMessage(err) });
      });
    }
  }
}
