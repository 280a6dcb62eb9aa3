import {
  type Clock,
  type Logger,
  silentLogger,
  ValidationError,
  type ValidationIssue,
} from '../core/index.js';
import type { GovernanceStore, QuarantineQuery, QuarantineRecord } from '../store/index.js';
import { defaultTypePrefix, fromCloudEvent, toCloudEvent } from './cloudevents.js';
import type { BusEvent } from './types.js';

/** An inbound message that cannot be applied. */
export interface QuarantineEntry {
  /** Where it came from, for example `nats:baton.events.order.created._` or `in-process`. */
  origin: string;
  reason: string;
  /** The parsed event, when the message was well-formed but could not be applied. */
  event?: BusEvent;
  /** Otherwise the message as received: its parsed JSON value, or its text when it did not parse. */
  received?: unknown;
  /** Every problem by JSON pointer; default: the reason, for the whole message. */
  issues?: ValidationIssue[];
}

export interface QuarantineOptions {
  governance: GovernanceStore;
  clock: Clock;
  /** The CloudEvents type prefix events are kept and read back with. */
  typePrefix?: string;
  logger?: Logger;
  /** Text payloads are cut to this many characters. */
  maxRawChars?: number;
}

/**
 * Inbound messages that cannot be applied, kept in the store's quarantine with the reason: durable,
 * shared by every process on the database, and replayable once the cause is fixed. Events are kept
 * in structured CloudEvents form, as the HTTP API keeps the events it quarantines, so one replay path
 * reads both.
 */
export class Quarantine {
  /** Entries this process added since it started. */
  added = 0;
  private readonly typePrefix: string;
  private readonly log: Logger;

  constructor(private readonly o: QuarantineOptions) {
    this.typePrefix = o.typePrefix ?? defaultTypePrefix;
    this.log = o.logger ?? silentLogger;
  }

  async add(entry: QuarantineEntry): Promise<QuarantineRecord> {
    const max = this.o.maxRawChars ?? 16_384;
    let payload = entry.event ? toCloudEvent(entry.event, this.typePrefix) : entry.received;
    if (typeof payload === 'string' && payload.length > max) payload = payload.slice(0, max);
    const [record] = await this.o.governance.quarantine([
      {
        origin: entry.origin,
        reason: entry.reason,
        issues: entry.issues ?? [{ path: '', message: entry.reason }],
        payload,
        ...this.claims(entry),
        receivedAt: this.o.clock.now(),
      },
    ]);
    this.added++;
    this.log.warn('event quarantined', {
      id: record!.id,
      origin: entry.origin,
      reason: entry.reason,
      eventId: record!.eventId,
      type: record!.type,
    });
    return record!;
  }

  /** Newest first; `{ status: 'held' }` for the entries still waiting for a fix. */
  list(query: QuarantineQuery = {}): Promise<QuarantineRecord[]> {
    return this.o.governance.listQuarantined(query);
  }

  get(id: string): Promise<QuarantineRecord | undefined> {
    return this.o.governance.getQuarantined(id);
  }

  /** Replaces a held entry's payload with a corrected event, to be replayed next. */
  correct(id: string, payload: unknown, by: string): Promise<QuarantineRecord> {
    return this.o.governance.correctQuarantined(id, payload, by, this.o.clock.now());
  }

  discard(id: string, by: string): Promise<QuarantineRecord> {
    return this.o.governance.discardQuarantined(id, by, this.o.clock.now());
  }

  /** Notes a replay attempt; a successful one closes the entry as replayed. */
  recordReplay(
    id: string,
    by: string,
    outcome: { ok: true } | { ok: false; reason: string },
  ): Promise<QuarantineRecord> {
    return this.o.governance.recordReplay(id, { at: this.o.clock.now(), by, ...outcome });
  }

  /** The event an entry carries (its corrected payload, if any); a ValidationError says why it is not one. */
  eventOf(record: QuarantineRecord): BusEvent {
    let value = record.payload;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw new ValidationError('the quarantined payload is not JSON; correct it before replaying', [
          { path: '', message: 'must be a CloudEvent in structured JSON form' },
        ]);
      }
    }
    return fromCloudEvent(value, record.receivedAt, this.typePrefix);
  }

  /** What the message claimed to be, when that could be read. */
  private claims(entry: QuarantineEntry): { type?: string; eventId?: string; source?: string } {
    if (entry.event) {
      const { type, id, source } = entry.event;
      return source === undefined ? { type, eventId: id } : { type, eventId: id, source };
    }
    const v = entry.received;
    if (typeof v !== 'object' || v === null) return {};
    const { type, id, source } = v as Record<string, unknown>;
    const out: { type?: string; eventId?: string; source?: string } = {};
    if (typeof type === 'string' && type) {
      out.type = type.startsWith(this.typePrefix) ? type.slice(this.typePrefix.length) || type : type;
    }
    if (typeof id === 'string' && id) out.eventId = id;
    if (typeof source === 'string' && source) out.source = source;
    return out;
  }
}
