import { createHash } from 'node:crypto';
import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg, nanos } from 'nats';
import {
  type Clock,
  errorMessage,
  isRetryable,
  type Logger,
  serializeError,
  ValidationError,
} from '../../core/index.js';
import type { DeadLetterAttempt, DeadLetterInput } from '../../store/index.js';
import { fromCloudEvent } from '../cloudevents.js';
import type { Quarantine } from '../quarantine.js';
import type { EventRouter } from '../router.js';
import type { BusEvent } from '../types.js';
import { backoffMs } from '../wait.js';
import { isNotFound, type NatsLink } from './link.js';

export interface InboundSettings {
  /** Consumer name prefix; each subject filter gets its own durable consumer `<durable>_<hash>`. */
  durable: string;
  /** Subject filters, for example `baton.events.>` or `erp.events.invoice.*`. */
  subjects: string[];
  /** The server redelivers a message not acknowledged within this time. */
  ackWaitMs: number;
  /** Local retries of an event whose application failed for a passing reason. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Attempts at applying an event before it goes to the dead-letter queue (an error a retry cannot
   * fix goes at once). The message is acknowledged only once the dead letter is stored.
   */
  maxAttempts: number;
}

/** How dead-lettered inbound events are filed: replaying one applies it through the bus again. */
export const INBOUND_DEAD_LETTER = { system: 'nats', operation: 'event' } as const;

export const defaultInboundSettings: Omit<InboundSettings, 'subjects'> = {
  durable: 'baton-inbound',
  ackWaitMs: 30_000,
  retryMinMs: 100,
  retryMaxMs: 5_000,
  maxAttempts: 10,
};

export interface InboundStats {
  received: number;
  /** Events applied for the first time. */
  applied: number;
  /** Events the engine had already recorded (a redelivery or a republish). */
  duplicates: number;
  /** Messages the server marked as redelivered. */
  redelivered: number;
  quarantined: number;
  /** Local retries after a passing failure. */
  retries: number;
  /** Events that still failed after their attempts, now in the dead-letter queue. */
  deadLettered: number;
}

/**
 * Durable JetStream consumers that apply inbound events through the router. Messages are handled one
 * at a time in stream order; each is acknowledged only after the router resolved. A passing failure
 * is retried here (keeping the message's place, so a key's later events never overtake it); a
 * malformed or unappliable message is terminated and quarantined with the reason.
 */
export class NatsInbound {
  readonly stats: InboundStats = {
    received: 0,
    applied: 0,
    duplicates: 0,
    redelivered: 0,
    quarantined: 0,
    deadLettered: 0,
    retries: 0,
  };
  private readonly feeds: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  private interrupt: (() => void) | undefined;

  constructor(
    private readonly o: {
      link: NatsLink;
      settings: InboundSettings;
      router: EventRouter;
      quarantine: Quarantine;
      /** Files an event that cannot be applied; without it such an event is retried until it applies. */
      deadLetter?: (entry: DeadLetterInput) => Promise<unknown>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    const { link, settings } = this.o;
    const stream = link.settings.stream;
    for (const filter of settings.subjects) {
      const durable = consumerName(settings.durable, filter);
      try {
        await link.jsm.consumers.info(stream, durable);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await link.jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: filter,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(settings.ackWaitMs),
          max_deliver: -1,
        });
      }
      const feed = await (await link.js.consumers.get(stream, durable)).consume({ max_messages: 64 });
      this.feeds.push(feed);
      this.loops.push(this.run(feed));
    }
  }

  /** Finishes the message in hand; unacknowledged ones go to the next consumer after `ackWaitMs`. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.interrupt?.();
    for (const f of this.feeds) f.stop();
    await Promise.all(this.loops);
  }

  private async run(feed: ConsumerMessages): Promise<void> {
    try {
      for await (const m of feed) {
        await this.handle(m);
        if (this.stopping) break;
      }
    } catch (err) {
      this.o.logger.error('inbound consumer stopped', { error: String(err) });
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const { router, quarantine, clock, logger, link } = this.o;
    this.stats.received++;
    if (m.redelivered) this.stats.redelivered++;
    const origin = `nats:${m.subject}`;
    let event: BusEvent;
    let received: unknown = m.string();
    try {
      received = parseJson(m);
      event = fromCloudEvent(received, clock.now(), link.settings.typePrefix);
    } catch (err) {
      const reason = (err as Error).message;
      try {
        await quarantine.add({
          origin,
          reason,
          received,
          ...(err instanceof ValidationError ? { issues: err.issues } : {}),
        });
      } catch (failure) {
        // not kept, so not terminated: the server delivers it again later
        logger.warn('quarantining a malformed message failed; it will be redelivered', {
          origin,
          error: String(failure),
        });
        m.nak(this.o.settings.retryMaxMs);
        return;
      }
      this.stats.quarantined++;
      this.term(m, reason);
      return;
    }
    const attempts: DeadLetterAttempt[] = [];
    for (let attempt = 0; ; attempt++) {
      const started = clock.now();
      try {
        const r = await router.route(event, origin);
        if (r.quarantined !== undefined) {
          this.stats.quarantined++;
          this.term(m, r.quarantined);
        } else {
          m.ack();
          if (r.duplicate) this.stats.duplicates++;
          else this.stats.applied++;
        }
        return;
      } catch (err) {
        if (this.stopping) return m.nak();
        const at = clock.now();
        attempts.push({
          at,
          attempt: attempt + 1,
          outcome: 'failed',
          latencyMs: at - started,
          error: errorMessage(err),
        });
        if (this.o.deadLetter && (!isRetryable(err) || attempts.length >= this.o.settings.maxAttempts)) {
          if (await this.fileDeadLetter(m, received, event, err, attempts)) return;
        }
        this.stats.retries++;
        if (attempt === 0)
          logger.warn('applying an inbound event failed; retrying', {
            eventId: event.id,
            error: String(err),
          });
        m.working(); // keeps the server from redelivering while we retry
        await this.pause(backoffMs(attempt, this.o.settings.retryMinMs, this.o.settings.retryMaxMs));
      }
    }
  }

  /** Stores the event in the dead-letter queue and terminates the message; false when storing failed. */
  private async fileDeadLetter(
    m: JsMsg,
    received: unknown,
    event: BusEvent,
    err: unknown,
    attempts: DeadLetterAttempt[],
  ): Promise<boolean> {
    const s = serializeError(err);
    try {
      await this.o.deadLetter!({
        kind: 'message',
        ...INBOUND_DEAD_LETTER,
        idempotencyKey: event.id,
        payload: received,
        error: {
          message: `${m.subject}: ${s.message}`,
          ...((s.type ?? s.code) ? { type: s.type ?? s.code } : {}),
          retryable: s.retryable ?? true,
          ...(s.details ? { details: s.details } : {}),
        },
        attempts: [...attempts],
        createdAt: this.o.clock.now(),
      });
    } catch (failure) {
      // kept nowhere yet: go on retrying, the next failure tries the queue again
      this.o.logger.warn('dead-lettering an inbound event failed; retrying it', {
        eventId: event.id,
        error: String(failure),
      });
      return false;
    }
    this.stats.deadLettered++;
    this.o.logger.warn('an inbound event went to the dead-letter queue', {
      eventId: event.id,
      error: s.message,
    });
    this.term(m, `dead-lettered: ${s.message}`);
    return true;
  }

  private term(m: JsMsg, reason: string): void {
    m.term(this.o.link.termTakesReason ? reason.slice(0, 1000) : undefined);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.min(ms, this.o.settings.ackWaitMs / 2));
      this.interrupt = done;
      function done() {
        clearTimeout(t);
        resolve();
      }
    });
  }
}

function parseJson(m: JsMsg): unknown {
  try {
    return m.json();
  } catch (err) {
    throw new Error(`malformed message: not JSON (${(err as Error).message})`);
  }
}

/** Durable names may not contain '.', '*' or '>', so the filter is named by a short hash. */
export function consumerName(durable: string, filter: string): string {
  return `${durable}_${createHash('sha256').update(filter).digest('hex').slice(0, 10)}`;
}
