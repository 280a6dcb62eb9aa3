import type { Clock, Logger } from '../core/index.js';
import type { OutboxRecord } from '../store/index.js';

/** A snapshot of a relay's progress, for health checks, metrics and tests. */
export interface RelayStats {
  /** Events confirmed by the transport and marked published. */
  published: number;
  /** Failed publish attempts; an event that fails three times counts three times. */
  failed: number;
  passes: number;
  /** This relay holds the leadership and publishes. */
  leader: boolean;
  lastPublishedSeq?: number;
  /** Time from commit to confirmation of the last published event. */
  lastDelayMs?: number;
  lastError?: string;
  lastErrorAt?: number;
  /** The wait before the next pass after failures; 0 while healthy. */
  backoffMs: number;
}

/** Counts what a relay does and logs the changes between healthy and failing, not every failure. */
export class RelayStatus {
  leader = false;
  backoffMs = 0;
  private published = 0;
  private failures = 0;
  private passes = 0;
  private failing = false;
  private last: Pick<RelayStats, 'lastPublishedSeq' | 'lastDelayMs' | 'lastError' | 'lastErrorAt'> = {};

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  confirmed(r: OutboxRecord): void {
    this.published++;
    this.last.lastPublishedSeq = Math.max(r.seq, this.last.lastPublishedSeq ?? 0);
    this.last.lastDelayMs = Math.max(0, this.clock.now() - r.createdAt);
  }

  failed(err: unknown, r?: OutboxRecord): void {
    this.failures++;
    this.last.lastError = err instanceof Error ? err.message : String(err);
    this.last.lastErrorAt = this.clock.now();
    if (!this.failing)
      this.log.warn('outbox relay: publishing failed; events stay in the outbox and are retried', {
        error: this.last.lastError,
        eventId: r?.id,
        seq: r?.seq,
      });
    this.failing = true;
  }

  passed(result: { published: number; failed: number }): void {
    this.passes++;
    if (this.failing && result.failed === 0) {
      this.failing = false;
      this.log.info('outbox relay: publishing recovered', { published: result.published });
    }
  }

  snapshot(): RelayStats {
    return {
      published: this.published,
      failed: this.failures,
      passes: this.passes,
      leader: this.leader,
      backoffMs: this.backoffMs,
      ...this.last,
    };
  }
}
