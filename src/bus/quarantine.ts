import { type Logger, newId, silentLogger } from '../core/index.js';
import type { BusEvent } from './types.js';

export interface QuarantinedMessage {
  /** Id of the quarantine entry (not of the event). */
  id: string;
  at: number;
  /** Where the message came from, for example `nats:baton.events.order.created._` or `in-process`. */
  origin: string;
  reason: string;
  /** The parsed event, when the message was well-formed but could not be applied. */
  event?: BusEvent;
  /** The raw payload of a malformed message, cut to `maxRawChars`. */
  raw?: string;
}

/**
 * Inbound messages that cannot be applied, with the reason. Kept in memory (bounded, oldest dropped)
 * and logged, so an operator can see them and replay well-formed ones once the cause is fixed.
 */
export class Quarantine {
  private readonly entries = new Map<string, QuarantinedMessage>();

  constructor(
    private readonly log: Logger = silentLogger,
    private readonly capacity = 1000,
    private readonly maxRawChars = 16_384,
  ) {}

  add(entry: Omit<QuarantinedMessage, 'id'>): QuarantinedMessage {
    const q: QuarantinedMessage = { id: newId(entry.at), ...entry };
    if (q.raw !== undefined && q.raw.length > this.maxRawChars) q.raw = q.raw.slice(0, this.maxRawChars);
    this.entries.set(q.id, q);
    this.log.warn('event quarantined', {
      origin: q.origin,
      reason: q.reason,
      eventId: q.event?.id,
      type: q.event?.type,
    });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.log.warn('quarantine full; dropped its oldest entry', { id: oldest });
    }
    return q;
  }

  list(): QuarantinedMessage[] {
    return [...this.entries.values()];
  }

  get(id: string): QuarantinedMessage | undefined {
    return this.entries.get(id);
  }

  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
