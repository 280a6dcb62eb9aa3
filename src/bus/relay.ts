import { type Clock, type Logger, silentLogger, systemClock } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { OutboxRecord, Store } from '../store/index.js';
import { RelayStatus } from './relay-status.js';
import type { BusEvent, Leadership, Transport } from './types.js';
import { backoffMs, within } from './wait.js';

export interface RelaySettings {
  /** Outbox rows read per page. */
  batchSize: number;
  /** Safety net: catches events committed by other processes, whose commits do not wake this relay. */
  pollIntervalMs: number;
  /** After a pass that published nothing because publishing failed, wait this long, doubling to the max. */
  retryMinMs: number;
  retryMaxMs: number;
}

export const defaultRelaySettings: RelaySettings = {
  batchSize: 100,
  pollIntervalMs: 1000,
  retryMinMs: 100,
  retryMaxMs: 5000,
};

export interface RelayOptions {
  store: Store;
  transport: Transport;
  /** Wakes the relay as soon as this engine commits emitted events. */
  engine?: Engine;
  /** Without it every relay publishes (fine for one process; duplicates are deduped downstream). */
  leadership?: Leadership;
  settings?: Partial<RelaySettings>;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The transactional outbox relay. It publishes committed events at least once and marks each one only
 * after the transport confirmed it. Events of one subject go out one after another in commit order,
 * and a failed event holds back the later events of its subject (not the others) until a later pass.
 * Every pass reads the unpublished rows from the start, so a row whose transaction committed late is
 * never skipped.
 */
export class OutboxRelay {
  readonly status: RelayStatus;
  private readonly settings: RelaySettings;
  private readonly clock: Clock;
  private running = false;
  private woken = false;
  private sleeper: { resolve: () => void; wakeable: boolean } | undefined;
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private deadline = Number.POSITIVE_INFINITY;

  constructor(private readonly options: RelayOptions) {
    this.settings = { ...defaultRelaySettings, ...options.settings };
    this.clock = options.clock ?? options.engine?.clock ?? systemClock;
    this.status = new RelayStatus(options.logger ?? silentLogger, this.clock);
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.deadline = Number.POSITIVE_INFINITY;
    this.unsubscribe = this.options.engine?.events.on('event.emitted', () => this.wake());
    this.loopDone = this.loop();
    return this;
  }

  /** Runs a pass now instead of at the next poll (not while backing off from failures). */
  wake(): void {
    this.woken = true;
    if (this.sleeper?.wakeable) this.sleeper.resolve();
  }

  /** Stops polling, lets the pass in flight finish, then publishes what is left, all within `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.sleeper?.resolve();
    this.deadline = Date.now() + timeoutMs;
    const settled = await within(this.loopDone ?? Promise.resolve(), timeoutMs);
    if (settled && this.status.leader && Date.now() < this.deadline)
      await within(
        this.pass().catch((err) => this.status.failed(err)),
        this.deadline - Date.now(),
      );
    // a standby takes over at once instead of after the claim's TTL; not worth waiting long for
    if (this.options.leadership) await within(this.options.leadership.release(), 2_000);
  }

  /** Age in ms of the oldest unpublished event, 0 when everything is published. */
  async lag(): Promise<number> {
    const [oldest] = await this.options.store.readOutbox({ unpublishedOnly: true, limit: 1 });
    return oldest ? Math.max(0, this.clock.now() - oldest.createdAt) : 0;
  }

  /** Publishes everything unpublished now. Returns how many events went out and how many attempts failed. */
  async pass(): Promise<{ published: number; failed: number }> {
    const { store } = this.options;
    const { batchSize } = this.settings;
    const blocked = new Set<string>();
    let afterSeq = 0;
    const total = { published: 0, failed: 0 };
    for (;;) {
      const page = await store.readOutbox({ unpublishedOnly: true, afterSeq, limit: batchSize });
      if (page.length === 0) break;
      afterSeq = (page[page.length - 1] as OutboxRecord).seq;
      const { done, failed } = await this.publishPage(page, blocked);
      if (done.length) await store.markPublished(done, this.clock.now());
      total.published += done.length;
      total.failed += failed;
      if (page.length < batchSize || Date.now() > this.deadline) break;
    }
    this.status.passed(total);
    return total;
  }

  /** Subjects publish concurrently; within one subject strictly in order, stopping at the first failure. */
  private async publishPage(page: OutboxRecord[], blocked: Set<string>) {
    const chains = new Map<string, OutboxRecord[]>();
    for (const r of page) {
      const key = r.subject ?? '';
      chains.set(key, [...(chains.get(key) ?? []), r]);
    }
    const done: number[] = [];
    let failed = 0;
    await Promise.all(
      [...chains].map(async ([key, records]) => {
        for (const r of records) {
          if (blocked.has(key)) return;
          try {
            await this.options.transport.publish(toBusEvent(r));
            done.push(r.seq);
            this.status.confirmed(r);
          } catch (err) {
            failed++;
            blocked.add(key);
            this.status.failed(err, r);
          }
        }
      }),
    );
    return { done: done.sort((a, b) => a - b), failed };
  }

  /**
   * Passes until stopped. After failures the next pass comes after a backoff that grows only while
   * nothing at all gets through (the transport is down); a pass that made progress retries its failed
   * subjects soon, so one bad event does not slow the others.
   */
  private async loop(): Promise<void> {
    let stalls = 0;
    while (this.running) {
      this.woken = false;
      let result = { published: 0, failed: 0 };
      try {
        this.status.leader = this.options.leadership ? await this.options.leadership.acquire() : true;
        if (this.status.leader) result = await this.pass();
      } catch (err) {
        result = { published: 0, failed: 1 }; // the store or the leadership check failed
        this.status.failed(err);
      }
      if (!this.running) break;
      if (result.failed > 0) {
        stalls = result.published > 0 ? 0 : stalls + 1;
        this.status.backoffMs = backoffMs(stalls, this.settings.retryMinMs, this.settings.retryMaxMs);
        await this.pause(this.status.backoffMs, false);
        continue;
      }
      stalls = 0;
      this.status.backoffMs = 0;
      if (!this.woken) await this.pause(this.settings.pollIntervalMs, true);
    }
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleeper = { resolve: done, wakeable };
    });
  }
}

function toBusEvent(r: OutboxRecord): BusEvent {
  const e: BusEvent = {
    id: r.id,
    type: r.type,
    source: `/baton/runs/${r.runId}`,
    time: r.createdAt,
    data: r.data,
  };
  if (r.subject) e.subject = r.subject;
  return e;
}
